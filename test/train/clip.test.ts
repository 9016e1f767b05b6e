// Gradient clipping: by value, by global norm, and both (value first), in place.
import { describe, expect, it } from 'vitest';
import { clipGradients } from '../../src/train/clip.js';

/** Two parameters whose gradients have the global norm √(3² + 4² + 12²) = 13. */
function grads(): Map<string, Float32Array> {
  return new Map([
    ['dense/w', Float32Array.from([3, -4])],
    ['dense/b', Float32Array.from([12])],
  ]);
}

const values = (g: Map<string, Float32Array>) => [...g.values()].map((a) => [...a]);

describe('clipGradients', () => {
  it('leaves the gradients alone without a limit and returns their norm', () => {
    const g = grads();
    expect(clipGradients(g, {})).toBe(13);
    expect(values(g)).toEqual([[3, -4], [12]]);
  });

  it('rescales all gradients together when the global norm exceeds `norm`', () => {
    const g = grads();
    const arrays = [...g.values()];
    expect(clipGradients(g, { norm: 6.5 })).toBe(13);
    expect(values(g)).toEqual([[1.5, -2], [6]]);
    [...g.values()].forEach((a, i) => expect(a).toBe(arrays[i])); // in place
  });

  it('changes nothing when the norm is within the limit', () => {
    const g = grads();
    expect(clipGradients(g, { norm: 13 })).toBe(13);
    expect(values(g)).toEqual([[3, -4], [12]]);
  });

  it('clips every element to [-value, value]', () => {
    const g = grads();
    expect(clipGradients(g, { value: 3.5 })).toBeCloseTo(Math.sqrt(9 + 3.5 * 3.5 + 3.5 * 3.5), 12);
    expect(values(g)).toEqual([[3, -3.5], [3.5]]);
  });

  it('clips by value first, then by the norm of the clipped gradients', () => {
    // After value 5: [3, -4], [5], norm √50; then scaled by 5/√50 = 1/√2.
    const g = grads();
    expect(clipGradients(g, { value: 5, norm: 5 })).toBeCloseTo(Math.sqrt(50), 12);
    const s = Math.SQRT1_2;
    const expected = [[3 * s, -4 * s], [5 * s]];
    values(g).forEach((a, i) => a.forEach((x, j) => expect(x).toBeCloseTo(expected[i][j], 6)));
  });

  it('returns a non-finite norm and rescales nothing', () => {
    const g = new Map([['w', Float32Array.from([NaN, 1])]]);
    expect(clipGradients(g, { norm: 1 })).toBeNaN();
    expect(g.get('w')![1]).toBe(1);
    const inf = new Map([['w', Float32Array.from([Infinity, 1])]]);
    expect(clipGradients(inf, { norm: 1 })).toBe(Infinity);
    expect(inf.get('w')![1]).toBe(1);
  });

  it('has norm 0 for no gradients', () => {
    expect(clipGradients(new Map(), { norm: 1, value: 1 })).toBe(0);
  });
});
