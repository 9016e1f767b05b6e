import { it } from 'vitest';
import { convDims, poolDims } from '/work/main/src/graph/ops/_window.js';
import { tsKernels as K } from '/work/main/src/kernels/ts/index.js';
it('bench', () => {
  for (const [x, w] of [[[64, 1, 28, 28], [32, 1, 3, 3]], [[64, 32, 14, 14], [64, 32, 3, 3]]] as const) {
    const d = convDims(x, w, { padding: 1 });
    const X = new Float32Array(x.reduce((a, b) => a * b)).map(() => Math.random());
    const W = new Float32Array(w.reduce((a, b) => a * b)).map(() => Math.random());
    const O = new Float32Array(d.n * d.f * d.oh * d.ow);
    const macs = d.n * d.f * d.c * d.kh * d.kw * d.oh * d.ow;
    for (const [name, f] of [['fwd', () => K.conv2d(X, W, O, d)], ['gx', () => K.conv2dGradInput(O, W, X, d)], ['gw', () => K.conv2dGradWeight(X, O, W, d)]] as const) {
      f();
      const t = performance.now();
      for (let i = 0; i < 3; i++) f();
      const ms = (performance.now() - t) / 3;
      console.log(`${x} ${name}: ${ms.toFixed(1)} ms, ${(macs / ms / 1e6).toFixed(2)} GMAC/s`);
    }
  }
  const pd = poolDims([64, 32, 28, 28], { kernel: 2 });
  const X = new Float32Array(64 * 32 * 28 * 28).map(() => Math.random());
  const O = new Float32Array(64 * 32 * 14 * 14);
  K.maxPool2d(X, O, pd);
  const t = performance.now();
  for (let i = 0; i < 3; i++) K.maxPool2d(X, O, pd);
  console.log(`maxpool: ${((performance.now() - t) / 3).toFixed(1)} ms`);
});
