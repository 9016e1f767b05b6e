// Reference optimizer updates, in place over float32 parameters.
import type { OptimizerKernels } from '../optim-kernels.js';

export function sgdStep(w: Float32Array, g: Float32Array, lr: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
}

export function momentumStep(w: Float32Array, g: Float32Array, buf: Float32Array, lr: number, mu: number, nesterov: boolean): void {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const bi = mu * buf[i] + gi;
    buf[i] = bi;
    w[i] -= lr * (nesterov ? gi + mu * bi : bi);
  }
}

export function adagradStep(w: Float32Array, g: Float32Array, sum: Float32Array, lr: number, eps: number): void {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const si = sum[i] + gi * gi;
    sum[i] = si;
    w[i] -= (lr * gi) / (Math.sqrt(si) + eps);
  }
}

export function rmspropStep(
  w: Float32Array,
  g: Float32Array,
  sq: Float32Array,
  buf: Float32Array | null,
  lr: number,
  rho: number,
  mu: number,
  eps: number,
): void {
  const c = 1 - rho;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const si = rho * sq[i] + c * gi * gi;
    sq[i] = si;
    const step = gi / (Math.sqrt(si) + eps);
    if (buf) {
      const bi = mu * buf[i] + step;
      buf[i] = bi;
      w[i] -= lr * bi;
    } else {
      w[i] -= lr * step;
    }
  }
}

export function adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, lrT: number, epsT: number): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + c1 * gi;
    const vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= (lrT * mi) / (Math.sqrt(vi) + epsT);
  }
}

export function decayStep(w: Float32Array, rate: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= rate * w[i];
}

export function penaltyGrad(w: Float32Array, g: Float32Array, l1: number, l2: number): void {
  for (let i = 0; i < w.length; i++) {
    const wi = w[i];
    g[i] += l2 * wi + (wi > 0 ? l1 : wi < 0 ? -l1 : 0);
  }
}

export const tsOptimizerKernels: OptimizerKernels = {
  sgdStep,
  momentumStep,
  adagradStep,
  rmspropStep,
  adamStep,
  decayStep,
  penaltyGrad,
};
