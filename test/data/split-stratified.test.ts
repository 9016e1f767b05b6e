import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { splitDataset, stratifiedCounts, validationSize, withStratifyDefault } from '../../src/data/split.js';
import { Rng } from '../../src/tensor/rng.js';
import { ConfigSchema } from '../../src/config/schema.js';

/** A classification set whose only feature is the row number, so rows can be traced. */
function labelled(labels: readonly number[]): Dataset {
  const n = labels.length;
  const k = Math.max(1, ...labels.map((l) => l + 1));
  return {
    x: Float32Array.from(labels, (_, i) => i),
    y: Float32Array.from(labels),
    n,
    features: ['row'],
    task: 'classification',
    classes: Array.from({ length: k }, (_, c) => `c${c}`),
  };
}

const countsOf = (y: ArrayLike<number>, k: number) => {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]]++;
  return c;
};

describe('stratifiedCounts', () => {
  it('gives each class the floor or ceiling of its share, largest remainders first', () => {
    // shares of 10 rows out of 7 + 2 + 1 = 10·(0.7, 0.2, 0.1)·0.3 → 2.1, 0.6, 0.3: floors 2, 0, 0, one more to class 1
    expect(stratifiedCounts([7, 2, 1], 3)).toEqual([2, 1, 0]);
    // 150 iris rows, 30 held out: 10 of each
    expect(stratifiedCounts([50, 50, 50], 30)).toEqual([10, 10, 10]);
    // equal remainders go to the lower class index
    expect(stratifiedCounts([2, 2], 1)).toEqual([1, 0]);
  });

  it('never holds out a class of one sample, and keeps a training row of every class', () => {
    expect(stratifiedCounts([1, 1, 1], 2)).toEqual([0, 0, 0]);
    expect(stratifiedCounts([1, 5], 3)).toEqual([0, 3]);
    expect(stratifiedCounts([2, 2], 3)).toEqual([1, 1]);
  });
});

describe('stratified split (property)', () => {
  const labels = fc.integer({ min: 1, max: 6 }).chain((k) => fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 2, maxLength: 300 }));
  const fraction = fc.double({ min: 0.01, max: 0.9, noNaN: true });

  it('holds out each class within 1 of its exact share, the requested total, deterministically', () => {
    fc.assert(
      fc.property(labels, fraction, fc.integer({ min: 0, max: 2 ** 31 }), (ys, f, seed) => {
        const ds = labelled(ys);
        const k = ds.classes!.length;
        const spec = { validation: f, shuffle: true, stratify: true };
        const a = splitDataset(ds, spec, new Rng(seed));
        const total = validationSize(ds.n, f);
        const all = countsOf(ds.y, k);
        const held = countsOf(a.val.y, k);
        // Every row is in exactly one part.
        expect([...a.train.x, ...a.val.x].sort((p, q) => p - q)).toEqual(ys.map((_, i) => i));
        // A class of one sample stays in training; every class keeps a training row.
        all.forEach((n, c) => expect(held[c]).toBeLessThanOrEqual(Math.max(0, n - 1)));
        const room = all.reduce((s, n) => s + Math.min(Math.ceil((n * total) / ds.n), Math.max(0, n - 1)), 0);
        if (room >= total) {
          expect(a.val.n).toBe(total);
          all.forEach((n, c) => expect(Math.abs(held[c] - (n * total) / ds.n)).toBeLessThan(1));
        } else {
          // Too few rows may be held out: as many as fit.
          expect(a.val.n).toBe(
            Math.min(
              total,
              all.reduce((s, n) => s + Math.max(0, n - 1), 0),
            ),
          );
        }
        const b = splitDataset(ds, spec, new Rng(seed));
        expect(Array.from(b.val.x)).toEqual(Array.from(a.val.x));
        expect(Array.from(b.train.x)).toEqual(Array.from(a.train.x));
      }),
      { numRuns: 200 },
    );
  });
});

describe('splitDataset with stratify and seed', () => {
  const ys = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));

  it('keeps a 80/20 class balance in a 25% validation set', () => {
    const { val } = splitDataset(labelled(ys), { validation: 0.25, shuffle: true, stratify: true }, new Rng(3));
    expect(countsOf(val.y, 2)).toEqual([20, 5]);
  });

  it('without stratify is the plain split, draw for draw', () => {
    const ds = labelled(ys);
    const plain = splitDataset(ds, { validation: 0.25, shuffle: true }, new Rng(9));
    const off = splitDataset(ds, { validation: 0.25, shuffle: true, stratify: false }, new Rng(9));
    expect(Array.from(off.val.x)).toEqual(Array.from(plain.val.x));
  });

  it('regression is split plainly even with stratify', () => {
    const ds = { ...labelled(ys), task: 'regression' as const };
    const a = splitDataset(ds, { validation: 0.25, shuffle: true, stratify: true }, new Rng(9));
    const b = splitDataset(ds, { validation: 0.25, shuffle: true }, new Rng(9));
    expect(Array.from(a.val.x)).toEqual(Array.from(b.val.x));
  });

  it('holds out the last rows of each class without shuffling', () => {
    const { val } = splitDataset(labelled(ys), { validation: 0.1, shuffle: false, stratify: true }, new Rng(0));
    expect(Array.from(val.x)).toEqual([72, 73, 74, 75, 76, 77, 78, 79, 98, 99]);
  });

  it('data.split.seed replaces the run seed, and equal to it gives the same split', async () => {
    const { streamSeed } = await import('../../src/tensor/rng.js');
    const ds = labelled(ys);
    const byRun = splitDataset(ds, { validation: 0.25, shuffle: true }, new Rng(streamSeed(5, 'split')));
    const bySeed = splitDataset(ds, { validation: 0.25, shuffle: true, seed: 5 }, new Rng(streamSeed(77, 'split')));
    expect(Array.from(bySeed.val.x)).toEqual(Array.from(byRun.val.x));
    const other = splitDataset(ds, { validation: 0.25, shuffle: true, seed: 6 }, new Rng(streamSeed(5, 'split')));
    expect(Array.from(other.val.x)).not.toEqual(Array.from(byRun.val.x));
  });
});

describe('withStratifyDefault', () => {
  const parse = (data: object) => ConfigSchema.parse({ name: 'x', data, model: { layers: [{ type: 'dense', units: 1 }] } }).data;

  it('records stratify: true for classification and false for regression, and keeps an explicit value', () => {
    expect(withStratifyDefault(parse({ source: 'xor' })).split.stratify).toBe(true);
    expect(withStratifyDefault(parse({ source: 'linear' })).split.stratify).toBe(false);
    expect(withStratifyDefault(parse({ source: 'csv', path: 'a.csv', label: 'y', task: 'regression' })).split.stratify).toBe(false);
    expect(withStratifyDefault(parse({ source: 'moons', split: { stratify: false } })).split.stratify).toBe(false);
  });

  it('leaves the schema default unset, so runs saved before stratifying keep their hash and split', () => {
    expect(parse({ source: 'xor' }).split.stratify).toBeUndefined();
  });
});
