import { describe, expect, it } from 'vitest';
import { applyPreprocessing, fitPreprocessing, isPreprocessing } from '../../src/data/standardize.js';
import type { Dataset } from '../../src/data/dataset.js';

function ds(rows: number[][], features: string[], y?: number[], classes?: string[]): Dataset {
  const n = rows.length;
  const out: Dataset = {
    x: Float32Array.from(rows.flat()),
    y: Float32Array.from(y ?? rows.map(() => 0)),
    n,
    features,
    task: classes ? 'classification' : 'regression',
  };
  if (classes) out.classes = classes;
  return out;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const col = (d: Dataset, j: number) => Array.from({ length: d.n }, (_, i) => d.x[i * d.features.length + j]);

describe('fitPreprocessing', () => {
  it('fits mean and population std per feature', () => {
    const p = fitPreprocessing(ds([[1, 10], [3, 10], [5, 10]], ['a', 'b']));
    expect(p.mean[0]).toBeCloseTo(3);
    expect(p.std[0]).toBeCloseTo(Math.sqrt(8 / 3));
    expect(p.features).toEqual(['a', 'b']);
  });

  it('gives a constant column std 1 and maps it to exactly 0', () => {
    const v = 0.1; // not exact in binary: a naive mean would leave a tiny nonzero std
    const train = ds([[v, 1], [v, 2], [v, 3]], ['c', 'd']);
    const p = fitPreprocessing(train);
    expect(p.std[0]).toBe(1);
    expect(col(applyPreprocessing(train, p), 0)).toEqual([0, 0, 0]);
  });

  it('is JSON-serialisable and round-trips', () => {
    const p = fitPreprocessing(ds([[1], [2]], ['a'], [0, 1], ['no', 'yes']));
    const back = JSON.parse(JSON.stringify(p));
    expect(back).toEqual(p);
    expect(isPreprocessing(back)).toBe(true);
    expect(isPreprocessing({ ...back, mean: [] })).toBe(false);
    expect(back.classes).toEqual(['no', 'yes']);
    expect(back.task).toBe('classification');
  });

  it('is the identity when standardisation is off', () => {
    const p = fitPreprocessing(ds([[1, 2], [3, 8]], ['a', 'b']), false);
    expect([p.mean, p.std]).toEqual([[0, 0], [1, 1]]);
  });
});

describe('applyPreprocessing', () => {
  it('uses the train statistics on validation data (its mean is not forced to 0)', () => {
    const train = ds([[0], [2], [4]], ['a']);
    const val = ds([[10], [12]], ['a']);
    const p = fitPreprocessing(train);
    const t = applyPreprocessing(train, p);
    const v = applyPreprocessing(val, p);
    expect(mean(col(t, 0))).toBeCloseTo(0);
    expect(mean(col(v, 0))).toBeCloseTo((11 - 2) / Math.sqrt(8 / 3), 5);
  });

  it('does not mutate its input', () => {
    const train = ds([[0, 5], [2, 7]], ['a', 'b'], [1, 2]);
    const before = [Array.from(train.x), Array.from(train.y), train.features.slice()];
    const out = applyPreprocessing(train, fitPreprocessing(train));
    expect([Array.from(train.x), Array.from(train.y), train.features]).toEqual(before);
    expect(out.x).not.toBe(train.x);
    expect(out.y).not.toBe(train.y);
  });

  it('picks features by name and renumbers classes by name', () => {
    const train = ds([[1, 2], [3, 4]], ['a', 'b'], [0, 1], ['cat', 'dog']);
    const p = fitPreprocessing(train, false);
    const other = ds([[40, 30, 9]], ['b', 'a', 'extra'], [0], ['dog']);
    const out = applyPreprocessing(other, p);
    expect(Array.from(out.x)).toEqual([30, 40]);
    expect(Array.from(out.y)).toEqual([1]);
    expect(out.classes).toEqual(['cat', 'dog']);
  });

  it('rejects a missing feature, an unknown class and a different task', () => {
    const train = ds([[1, 2]], ['a', 'b'], [0], ['cat']);
    const p = fitPreprocessing(train);
    expect(() => applyPreprocessing(ds([[1]], ['a'], [0], ['cat']), p)).toThrow(/feature column missing/);
    expect(() => applyPreprocessing(ds([[1, 2]], ['a', 'b'], [0], ['cow']), p)).toThrow(/unknown class 'cow'/);
    expect(() => applyPreprocessing(ds([[1, 2]], ['a', 'b']), p)).toThrow(/regression/);
  });
});
