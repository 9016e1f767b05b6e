// Gradient clipping, in place, before the optimizer step: first every element to
// [-value, value], then all gradients together rescaled so that their global L2 norm is at
// most `norm`.

/**
 * Clips the gradients in place and returns their global L2 norm before the norm clipping (after
 * the value clipping), so that the caller can log it. A NaN or infinite norm rescales nothing.
 */
export function clipGradients(grads: ReadonlyMap<string, Float32Array>, cfg: { norm?: number; value?: number }): number {
  const { norm: maxNorm, value } = cfg;
  let sumSq = 0;
  for (const g of grads.values()) {
    if (value !== undefined) {
      for (let i = 0; i < g.length; i++) {
        const x = g[i];
        const c = x > value ? value : x < -value ? -value : x;
        g[i] = c;
        sumSq += c * c;
      }
    } else {
      for (let i = 0; i < g.length; i++) sumSq += g[i] * g[i];
    }
  }
  const total = Math.sqrt(sumSq);
  if (maxNorm !== undefined && total > maxNorm && Number.isFinite(total)) {
    const scale = maxNorm / total;
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return total;
}
