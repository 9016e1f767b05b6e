// The comparison helpers the kernel tests rely on: they must see every kind of difference.
import { describe, expect, it } from 'vitest';
import { firstDifference, mismatches } from './close.js';

describe('firstDifference', () => {
  it('is undefined for the same numbers, NaN included, and names the first difference and the count', () => {
    expect(firstDifference(Float32Array.of(1, NaN, -0), Float64Array.of(1, NaN, -0))).toBeUndefined();
    expect(firstDifference(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 5, 3, 6))).toBe('[1] 2 != 5 (2 of 4 elements differ)');
    expect(firstDifference(Float32Array.of(0), Float32Array.of(-0))).toBe('[0] 0 != -0 (1 of 1 elements differ)');
    expect(firstDifference(Float32Array.of(NaN), Float32Array.of(0))).toMatch(/^\[0\] NaN != 0/);
    expect(firstDifference(Float32Array.of(1), Float32Array.of(1, 2))).toBe('length 1, expected 2');
  });
});

describe('mismatches', () => {
  it('applies atol + rtol·|expected|, and wants NaN and infinities exactly where expected', () => {
    expect(mismatches([1.05, 2], [1, 2], { rtol: 0.1 })).toEqual([]);
    expect(mismatches([1.2, 2], [1, 2], { rtol: 0.1 })).toEqual(['[0] 1.2 != 1']);
    expect(mismatches([NaN, Infinity], [NaN, Infinity])).toEqual([]);
    expect(mismatches([0, 1e308], [NaN, Infinity], { rtol: 1 })).toHaveLength(2);
  });
});
