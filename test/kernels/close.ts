// Element-wise comparison of a buffer with expected numbers: |actual - expected| <= atol + rtol·|expected|,
// NaN only where NaN is expected, infinities exactly. Mismatches are listed with their index.
import { expect } from 'vitest';

export interface Tol {
  readonly rtol?: number;
  readonly atol?: number;
}

/** Tolerance for values computed in float32 from exact inputs. */
export const F32: Tol = { rtol: 1e-6, atol: 1e-7 };
/** Tolerance for values computed in float64. */
export const F64: Tol = { rtol: 1e-14, atol: 1e-300 };

export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 0, atol = 0 }: Tol = {}): string[] {
  const bad: string[] = [];
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) bad.push(`[${i}] ${a} != ${e}`);
  }
  return bad;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol = {}): void {
  expect(mismatches(actual, expected, tol)).toEqual([]);
}

/** The two buffer types every kernel must handle. */
export const DTYPES = [
  { name: 'f32', Ctor: Float32Array, tol: F32 },
  { name: 'f64', Ctor: Float64Array, tol: F64 },
] as const;

/**
 * Where two buffers first differ as Object.is sees their elements (−0 is not 0, NaN equals NaN),
 * with the count of differing elements; undefined when they are the same. A loop over the typed
 * arrays: comparing copies made with Array.from through toEqual costs seconds on large buffers.
 */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  let first = -1;
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0
    ? undefined
    : `[${first}] ${Object.is(actual[first], -0) ? '-0' : actual[first]} != ${Object.is(expected[first], -0) ? '-0' : expected[first]} (${count} of ${expected.length} elements differ)`;
}

/** The same numbers element by element (see firstDifference); `what` names the comparison in a failure. */
export function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what?: string): void {
  expect(firstDifference(actual, expected), what).toBeUndefined();
}
