// Length bucketing (data.bucket, src/train/epoch.ts): every sample once per epoch, batches of
// similar length in a shuffled order, the partial batch last, and the same order from the same seed.
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/types.js';
import { Rng } from '../../src/tensor/rng.js';
import { BUCKET_POOL, epochOrder, sampleLengths } from '../../src/train/epoch.js';

/** n lengths from 1 to 50, drawn with `seed`. */
function randomLengths(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => 1 + rng.int(50));
}

/** Max minus min length in each full batch of `order`. */
function spreads(order: Int32Array, lengths: Int32Array, batch: number): number[] {
  const out: number[] = [];
  for (let s = 0; s + batch <= order.length; s += batch) {
    const ls = Array.from(order.subarray(s, s + batch), (i) => lengths[i]);
    out.push(Math.max(...ls) - Math.min(...ls));
  }
  return out;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

describe('epochOrder with buckets', () => {
  const n = 2003;
  const batch = 16;
  const lengths = randomLengths(n, 1);

  it('feeds every sample once, in batches of similar length (the plain shuffle mixes them)', () => {
    const order = epochOrder(new Int32Array(n), new Rng(7), { lengths, batch });
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    const bucketed = mean(spreads(order, lengths, batch));
    const plain = mean(spreads(epochOrder(new Int32Array(n), new Rng(7)), lengths, batch));
    // A pool of 800 samples over 50 lengths: a batch of 16 spans about one length step.
    expect(bucketed).toBeLessThan(1.5);
    expect(plain).toBeGreaterThan(35);
  });

  it('shuffles the batches: their lengths do not rise through the epoch', () => {
    const order = epochOrder(new Int32Array(n), new Rng(3), { lengths, batch });
    const firstLengths = [];
    for (let s = 0; s + batch <= n; s += batch) firstLengths.push(lengths[order[s]]);
    let rises = 0;
    for (let i = 1; i < firstLengths.length; i++) if (firstLengths[i] > firstLengths[i - 1]) rises++;
    // Sorted batches would rise about 49 times in each pool of 50; shuffled ones about half the time.
    expect(rises / (firstLengths.length - 1)).toBeGreaterThan(0.3);
    expect(rises / (firstLengths.length - 1)).toBeLessThan(0.7);
  });

  it('keeps the partial batch last, made of samples from the last pool', () => {
    const order = epochOrder(new Int32Array(n), new Rng(5), { lengths, batch });
    const full = Math.floor(n / batch) * batch;
    const tail = Array.from(order.subarray(full));
    expect(tail).toHaveLength(n % batch);
    const tailLengths = tail.map((i) => lengths[i]);
    expect(Math.max(...tailLengths) - Math.min(...tailLengths)).toBeLessThanOrEqual(2);
  });

  it('gives the same order from the same seed, another from another, and draws only from the rng it is given', () => {
    const a = epochOrder(new Int32Array(n), new Rng(11), { lengths, batch });
    const b = epochOrder(new Int32Array(n), new Rng(11), { lengths, batch });
    const c = epochOrder(new Int32Array(n), new Rng(12), { lengths, batch });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // Two epochs in a row from one generator equal two from a generator restored to the same state.
    const r1 = new Rng(4);
    epochOrder(new Int32Array(n), r1, { lengths, batch });
    const state = r1.state();
    const second = epochOrder(new Int32Array(n), r1, { lengths, batch });
    expect(Array.from(epochOrder(new Int32Array(n), Rng.fromState(state), { lengths, batch }))).toEqual(Array.from(second));
  });

  it('without shuffling, sorts each pool by length and keeps the batches in that order', () => {
    const order = epochOrder(new Int32Array(n), undefined, { lengths, batch });
    const pool = batch * BUCKET_POOL;
    for (let s = 0; s < n; s += pool) {
      const ls = Array.from(order.subarray(s, Math.min(n, s + pool)), (i) => lengths[i]);
      expect(ls).toEqual(ls.slice().sort((x, y) => x - y));
    }
  });

  it('handles fewer samples than a batch', () => {
    const order = epochOrder(new Int32Array(5), new Rng(1), { lengths: Int32Array.from([3, 1, 2, 5, 4]), batch: 16 });
    expect(Array.from(order, (i) => [3, 1, 2, 5, 4][i])).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('sampleLengths', () => {
  it('counts the tokens that are not padding', () => {
    const ds = { x: Float32Array.from([5, 6, 0, 0, 7, 0, 0, 0, 4, 4, 4, 4]), n: 3 } as Dataset;
    expect(Array.from(sampleLengths(ds))).toEqual([2, 1, 4]);
  });
});
