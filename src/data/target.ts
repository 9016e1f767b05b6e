// The scale of a regression target: its mean and standard deviation on the training split, the
// model trained on (y − mean) / std, and its outputs mapped back to the target's own units.

/** Mean and (population) standard deviation of a regression target; std > 0. */
export interface TargetScale {
  mean: number;
  std: number;
}

/** The mean and std of the first n values of y; a constant target gets std 1. */
export function fitTargetScale(y: ArrayLike<number>, n: number): TargetScale {
  if (n === 0) return { mean: 0, std: 1 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - mean;
    sq += d * d;
  }
  const std = Math.sqrt(sq / n);
  return { mean, std: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** A new array of (y − mean) / std. */
export function standardizedTargets(y: ArrayLike<number>, t: TargetScale): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = (y[i] - t.mean) / t.std;
  return out;
}

/** A standardised value back in the target's units. */
export function unstandardize(v: number, t: TargetScale | undefined): number {
  return t ? v * t.std + t.mean : v;
}

/** Whether `v` has the shape of a TargetScale (finite mean, finite std > 0, nothing else). */
export function isTargetScale(v: unknown): v is TargetScale {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  const keys = Object.keys(t);
  return keys.length === 2 && typeof t.mean === 'number' && Number.isFinite(t.mean) && typeof t.std === 'number' && Number.isFinite(t.std) && t.std > 0;
}
