import { describe, expect, it } from 'vitest';
import { splitDataset, validationSize } from '../../src/data/split.js';
import { Rng } from '../../src/tensor/rng.js';
import { sampleShape, sampleSize, type Dataset } from '../../src/data/dataset.js';

/** n rows whose two features are (i, -i) and whose target is i, so rows can be traced. */
function ramp(n: number): Dataset {
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = i;
    x[2 * i + 1] = -i;
    y[i] = i;
  }
  return { x, y, n, features: ['a', 'b'], task: 'regression' };
}

describe('validationSize', () => {
  it.each([
    [150, 0.2, 30],
    [10, 0.3, 3],
    [10, 0, 0],
    [2, 0.01, 1],
    [5, 0.01, 1],
    [1, 0.5, 0],
    [0, 0.5, 0],
    [3, 0.99, 2],
  ])('n=%i fraction=%f → %i', (n, f, v) => expect(validationSize(n, f)).toBe(v));
});

describe('splitDataset', () => {
  it('splits into disjoint parts covering every row', () => {
    const { train, val } = splitDataset(ramp(100), { validation: 0.25, shuffle: true }, new Rng(1));
    expect([train.n, val.n]).toEqual([75, 25]);
    expect(train.x.length).toBe(150);
    const all = [...train.y, ...val.y].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (let i = 0; i < train.n; i++) expect(train.x[2 * i]).toBe(train.y[i]); // rows stay whole
    expect(Array.from(train.y.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = splitDataset(ramp(50), { validation: 0.2, shuffle: true }, new Rng(9));
    const b = splitDataset(ramp(50), { validation: 0.2, shuffle: true }, new Rng(9));
    const c = splitDataset(ramp(50), { validation: 0.2, shuffle: true }, new Rng(10));
    expect(Array.from(a.val.y)).toEqual(Array.from(b.val.y));
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    expect(Array.from(a.val.y)).not.toEqual(Array.from(c.val.y));
  });

  it('holds out the last rows without shuffling, and leaves the input alone', () => {
    const ds = ramp(10);
    const { train, val } = splitDataset(ds, { validation: 0.2, shuffle: false }, new Rng(1));
    expect(Array.from(val.y)).toEqual([8, 9]);
    expect(Array.from(train.y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(ds.y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives an empty validation set for fraction 0', () => {
    const { train, val } = splitDataset(ramp(10), { validation: 0, shuffle: true }, new Rng(1));
    expect([train.n, val.n, val.x.length]).toEqual([10, 0, 0]);
  });

  it('carries the sample shape of images and keeps whole images together', () => {
    const n = 20;
    const size = 2 * 3 * 3; // the same values as a vector: shape [18]
    const make = (shape: number[]) => {
      const f = shape.reduce((a, b) => a * b, 1);
      const x = new Float32Array(n * f);
      for (let i = 0; i < n; i++) x.fill(i, i * f, (i + 1) * f);
      const ds: Dataset = { x, y: Float32Array.from({ length: n }, (_, i) => i), n, features: [], shape, task: 'classification' };
      return { ds, f };
    };
    for (const shape of [[2, 3, 3], [1, 28, 28], [size]]) {
      const { ds, f } = make(shape);
      const { train, val } = splitDataset(ds, { validation: 0.25, shuffle: true }, new Rng(4));
      for (const part of [train, val]) {
        expect(part.shape).toEqual(shape);
        expect(part.shape).not.toBe(ds.shape);
        expect(part.features).toEqual([]);
        expect(sampleSize(part)).toBe(f);
        expect(part.x.length).toBe(part.n * f);
        for (let i = 0; i < part.n; i++) {
          expect(part.x[i * f]).toBe(part.y[i]);
          expect(part.x[(i + 1) * f - 1]).toBe(part.y[i]);
        }
      }
      expect([train.n, val.n]).toEqual([15, 5]);
    }
  });

  it('leaves the shape out of a table', () => {
    const { train } = splitDataset(ramp(10), { validation: 0.2, shuffle: true }, new Rng(1));
    expect(train.shape).toBeUndefined();
    expect(sampleShape(train)).toEqual([2]);
  });
});
