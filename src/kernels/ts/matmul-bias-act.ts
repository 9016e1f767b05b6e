// Reference fused kernels for the graph optimiser (compile/optimize.ts): a matrix product with a
// bias-row and activation epilogue, the per-channel bias and activation epilogue of a convolution,
// and the relu gradient mask. Each does exactly the float operations of the unfused ops in the same
// order (the full dot product or convolution, then the bias add, then relu), so a fused graph gives
// the same bits as the graph it replaces.
import type { Buf } from '../../tensor/buffer.js';
import type { Epilogue, MatmulDims } from '../kernels.js';

export type MatmulBiasAct = (a: Buf, b: Buf, bias: Buf, out: Buf, d: MatmulDims, act: Epilogue) => void;

/**
 * The fused matmul built on a given matrix product: `mm` fills out, then one pass adds the bias
 * row (bias has out's last-axis size) and applies the activation as the relu kernel does.
 */
export function makeMatmulBiasAct(mm: (a: Buf, b: Buf, out: Buf, d: MatmulDims) => void): MatmulBiasAct {
  return (a, b, bias, out, d, act) => {
    mm(a, b, out, d);
    const n = d.n;
    const total = out.length;
    if (act === 'relu') {
      for (let o = 0; o < total; o += n) {
        for (let j = 0; j < n; j++) {
          // Stored first: reading it back rounds the sum to the buffer's precision, as the add op does.
          out[o + j] = out[o + j] + bias[j];
          const v = out[o + j];
          const r = v * +(v > 0);
          out[o + j] = r === r ? r + 0 : 0;
        }
      }
    } else {
      for (let o = 0; o < total; o += n) for (let j = 0; j < n; j++) out[o + j] = out[o + j] + bias[j];
    }
  };
}

/**
 * The epilogue of conv2d_bias_act over a convolution's output out [n, f, plane]: out = act(out +
 * bias[c]) for every cell of channel c, each element as the add and relu ops compute it.
 */
export function channelBiasAct(bias: Buf, out: Buf, f: number, plane: number, act: Epilogue): void {
  const total = out.length;
  for (let o = 0; o < total; o += f * plane) {
    for (let c = 0; c < f; c++) {
      const b = bias[c];
      const start = o + c * plane;
      const end = start + plane;
      if (act === 'relu') {
        for (let i = start; i < end; i++) {
          out[i] = out[i] + b;
          const v = out[i];
          const r = v * +(v > 0);
          out[i] = r === r ? r + 0 : 0;
        }
      } else {
        for (let i = start; i < end; i++) out[i] = out[i] + b;
      }
    }
  }
}

/** out = g · [x > 0] elementwise (same lengths): relu's gradient, mul(g, step(x)) in one pass. */
export function maskPositive(g: Buf, x: Buf, out: Buf): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = g[i] * +(x[i] > 0);
}
