// Reference optimizer updates, in place over float32 parameters.

export function sgdStep(w: Float32Array, g: Float32Array, lr: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
}

export function adamStep(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  b1: number,
  b2: number,
  lrT: number,
  epsT: number,
): void {
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
