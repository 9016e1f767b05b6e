// k-fold splits: every row is held out exactly once, folds are balanced, and stratified folds hold
// each class in proportion; `data.split.fold` reaches the split through splitDataset.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { foldOf, foldRows } from '../../src/data/folds.js';
import { splitDataset } from '../../src/data/split.js';
import { Rng } from '../../src/tensor/rng.js';

/** n rows labelled by `label(i)`, feature = row number. */
function labelled(n: number, label: (i: number) => number, classes: number): Dataset {
  const x = Float32Array.from({ length: n }, (_, i) => i);
  const y = Float32Array.from({ length: n }, (_, i) => label(i));
  return { x, y, n, features: ['i'], task: 'classification', classes: Array.from({ length: classes }, (_, c) => `c${c}`) };
}

const count = (ys: ArrayLike<number>, c: number) => Array.from(ys).filter((v) => v === c).length;

describe('foldOf', () => {
  it('deals positions in turn without labels', () => {
    expect(Array.from(foldOf([4, 3, 2, 1, 0], 2))).toEqual([0, 1, 0, 1, 0]);
  });

  it('deals each class in turn, continuing across classes', () => {
    // Rows 3 and 4 (class 0) are dealt first, to folds 0 and 1; rows 0, 1, 2 (class 1) then to 0, 1, 0.
    const labels = [1, 1, 1, 0, 0];
    expect(Array.from(foldOf([0, 1, 2, 3, 4], 2, labels))).toEqual([0, 1, 0, 0, 1]);
  });
});

describe('foldRows', () => {
  it('holds every row out exactly once over the k folds', () => {
    const order = Array.from({ length: 23 }, (_, i) => (i * 7) % 23);
    const held = [1, 2, 3, 4].flatMap((index) => Array.from(foldRows(order, { k: 4, index }).val));
    expect(held.sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    for (let index = 1; index <= 4; index++) {
      const { train, val } = foldRows(order, { k: 4, index });
      expect(train.length + val.length).toBe(23);
      expect([5, 6]).toContain(val.length);
    }
  });
});

describe('splitDataset with a fold', () => {
  // Unbalanced classes: 60 of class 0, 30 of class 1, 10 of class 2, interleaved.
  const ds = labelled(100, (i) => (i % 10 === 0 ? 2 : i % 10 <= 3 ? 1 : 0), 3);

  it('stratifies: each fold holds each class in proportion', () => {
    const rows = new Set<number>();
    for (let index = 1; index <= 3; index++) {
      const { train, val } = splitDataset(ds, { validation: 0.2, shuffle: true, fold: { k: 3, index } }, new Rng(3));
      expect(train.n + val.n).toBe(100);
      expect([33, 34]).toContain(val.n);
      expect(Math.abs(count(val.y, 0) - 20)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(val.y, 1) - 10)).toBeLessThanOrEqual(1);
      expect(Math.abs(count(val.y, 2) - 10 / 3)).toBeLessThan(1);
      for (const v of val.x) rows.add(v);
    }
    expect(rows.size).toBe(100);
  });

  it('is the same for the same seed and shuffled by it', () => {
    const a = splitDataset(ds, { validation: 0.2, shuffle: true, fold: { k: 5, index: 2 } }, new Rng(1));
    const b = splitDataset(ds, { validation: 0.2, shuffle: true, fold: { k: 5, index: 2 } }, new Rng(1));
    const c = splitDataset(ds, { validation: 0.2, shuffle: true, fold: { k: 5, index: 2 } }, new Rng(2));
    expect(Array.from(a.val.x)).toEqual(Array.from(b.val.x));
    expect(Array.from(a.val.x)).not.toEqual(Array.from(c.val.x));
  });
});
