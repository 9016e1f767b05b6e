import { describe, expect, it } from 'vitest';
import {
  applyPreprocessing,
  applyPreprocessingInPlace,
  fitImagePreprocessing,
  fitPreprocessing,
  isPreprocessing,
  parsePreprocessing,
} from '../../src/data/standardize.js';
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
    const p = fitPreprocessing(
      ds(
        [
          [1, 10],
          [3, 10],
          [5, 10],
        ],
        ['a', 'b'],
      ),
    );
    expect(p.mean[0]).toBeCloseTo(3);
    expect(p.std[0]).toBeCloseTo(Math.sqrt(8 / 3));
    expect(p.features).toEqual(['a', 'b']);
  });

  it('gives a constant column std 1 and maps it to exactly 0', () => {
    const v = 0.1; // not exact in binary: a naive mean would leave a tiny nonzero std
    const train = ds(
      [
        [v, 1],
        [v, 2],
        [v, 3],
      ],
      ['c', 'd'],
    );
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
    expect(back.kind).toBe('table');
  });

  it('accepts a table kind saved without `kind` (older runs), and parsePreprocessing fills it in', () => {
    const old = { features: ['a'], mean: [1], std: [2], task: 'regression' };
    expect(isPreprocessing(old)).toBe(true);
    expect(isPreprocessing({ ...old, kind: 'tabel' })).toBe(false);
    const p = parsePreprocessing(old)!;
    expect(p).toEqual({ kind: 'table', ...old });
    expect(old).not.toHaveProperty('kind');
    expect(parsePreprocessing({ ...old, std: ['x'] })).toBeUndefined();
    const out = applyPreprocessing(ds([[5]], ['a'], [0.5]), old as never);
    expect(Array.from(out.x)).toEqual([2]);
  });

  it('is the identity when standardisation is off', () => {
    const p = fitPreprocessing(
      ds(
        [
          [1, 2],
          [3, 8],
        ],
        ['a', 'b'],
      ),
      false,
    );
    expect([p.mean, p.std]).toEqual([
      [0, 0],
      [1, 1],
    ]);
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
    const train = ds(
      [
        [0, 5],
        [2, 7],
      ],
      ['a', 'b'],
      [1, 2],
    );
    const before = [Array.from(train.x), Array.from(train.y), train.features.slice()];
    const out = applyPreprocessing(train, fitPreprocessing(train));
    expect([Array.from(train.x), Array.from(train.y), train.features]).toEqual(before);
    expect(out.x).not.toBe(train.x);
    expect(out.y).not.toBe(train.y);
  });

  it('picks features by name and renumbers classes by name', () => {
    const train = ds(
      [
        [1, 2],
        [3, 4],
      ],
      ['a', 'b'],
      [0, 1],
      ['cat', 'dog'],
    );
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

/** n images of `shape` whose pixels are the given values (repeated per image). */
function images(values: number[][], shape: number[], labels?: number[]): Dataset {
  const n = values.length;
  return {
    x: Float32Array.from(values.flat()),
    y: Float32Array.from(labels ?? values.map(() => 0)),
    n,
    features: [],
    shape,
    task: 'classification',
    classes: ['0', '1'],
  };
}

describe('image preprocessing', () => {
  it('unit: x / 255, mean 0 and std 255 whatever the data', () => {
    const train = images(
      [
        [0, 51],
        [255, 102],
      ],
      [1, 1, 2],
    );
    const p = fitImagePreprocessing(train, 'unit');
    expect(p).toEqual({ kind: 'image', scale: 'unit', mean: 0, std: 255, shape: [1, 1, 2], classes: ['0', '1'], task: 'classification' });
    const out = applyPreprocessing(train, p);
    expect(Array.from(out.x)).toEqual([0, 0.2, 1, 0.4].map(Math.fround));
    expect(out.shape).toEqual([1, 1, 2]);
    expect(out.features).toEqual([]);
  });

  it('standardize: one mean and population std over all pixels of the data it is fitted on', () => {
    const train = images(
      [
        [0, 2],
        [4, 6],
      ],
      [2],
    );
    const p = fitImagePreprocessing(train, 'standardize');
    expect(p.mean).toBe(3);
    expect(p.std).toBeCloseTo(Math.sqrt(5));
    const val = images([[3, 8]], [2]);
    const v = applyPreprocessing(val, p);
    expect(v.x[0]).toBe(0);
    expect(v.x[1]).toBeCloseTo(5 / Math.sqrt(5), 6);
  });

  it('standardize: constant images get std 1', () => {
    const p = fitImagePreprocessing(
      images(
        [
          [7, 7],
          [7, 7],
        ],
        [2],
      ),
      'standardize',
    );
    expect([p.mean, p.std]).toEqual([7, 1]);
  });

  it('is JSON and checked by isPreprocessing', () => {
    const p = fitImagePreprocessing(images([[1, 2]], [1, 1, 2]), 'standardize');
    const back = JSON.parse(JSON.stringify(p));
    expect(back).toEqual(p);
    expect(isPreprocessing(back)).toBe(true);
    expect(parsePreprocessing(back)).toEqual(p);
    for (const bad of [{ scale: 'minmax' }, { mean: 'x' }, { std: 0 }, { shape: [] }, { shape: [1.5] }, { task: 'regression' }, { classes: [1] }]) {
      expect(isPreprocessing({ ...back, ...bad })).toBe(false);
    }
  });

  it('copies, or works in place when asked', () => {
    const train = images([[0, 255]], [2], [1]);
    const p = fitImagePreprocessing(train, 'unit');
    const out = applyPreprocessing(train, p);
    expect(Array.from(train.x)).toEqual([0, 255]);
    expect(out.x).not.toBe(train.x);
    const same = applyPreprocessingInPlace(train, p);
    expect(same.x).toBe(train.x);
    expect(Array.from(train.x)).toEqual([0, 1]);
    expect(Array.from(same.y)).toEqual([1]);
  });

  it('renumbers classes by name', () => {
    const train = images([[0, 0]], [2], [0]);
    train.classes = ['cat', 'dog'];
    const p = fitImagePreprocessing(train, 'unit');
    const other = images([[0, 0]], [2], [0]);
    other.classes = ['dog'];
    expect(Array.from(applyPreprocessing(other, p).y)).toEqual([1]);
  });

  it('rejects samples of another shape, tables, and a table fit on images', () => {
    const p = fitImagePreprocessing(images([[1, 2, 3, 4]], [1, 2, 2]), 'unit');
    expect(() => applyPreprocessing(images([[1, 2, 3, 4]], [4]), p)).toThrow('the data have samples of shape [4] but the run was trained on [1, 2, 2]');
    const table = ds([[1, 2, 3, 4]], ['a', 'b', 'c', 'd'], [0], ['0', '1']);
    expect(() => applyPreprocessing(table, p)).toThrow(/samples of shape \[4\]/);
    expect(() => fitPreprocessing(images([[1, 2]], [1, 1, 2]))).toThrow(/image preprocessing/);
    expect(() => applyPreprocessing(images([[1, 2]], [1, 1, 2]), fitPreprocessing(table))).toThrow(/feature column missing/);
  });
});
