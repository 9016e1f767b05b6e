// The seeded RNG: golden values pinned from an independent reference implementation (a throwaway
// Python xoshiro128** + splitmix32, itself checked against published xoshiro128** vectors), state
// round trips, and the statistical shape of each derived draw.
import { describe, expect, it } from 'vitest';
import { Rng, type RngState, streamSeed } from '../../src/tensor/rng.js';

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.nextU32());

describe('Rng golden values', () => {
  it.each([
    {
      seed: 0,
      state: [2462723854, 1020716019, 454327756, 1275600319],
      first8: [3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335, 104831812, 1587294886],
    },
    {
      seed: 42,
      state: [939911724, 3948730756, 321366731, 3317318717],
      first8: [2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688],
    },
  ])('new Rng($seed): splitmix32 state and first 8 nextU32()', ({ seed, state, first8 }) => {
    const r = new Rng(seed);
    expect(r.state()).toEqual(state);
    expect(draws(r, 8)).toEqual(first8);
  });

  it('xoshiro128** from state [1, 2, 3, 4] gives the published sequence', () => {
    const r = Rng.fromState([1, 2, 3, 4]);
    expect(draws(r, 10)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  it('treats seeds modulo 2^32 (negative and large seeds are valid)', () => {
    expect(draws(new Rng(-1), 4)).toEqual(draws(new Rng(0xffffffff), 4));
    expect(draws(new Rng(2 ** 32 + 42), 4)).toEqual(draws(new Rng(42), 4));
  });
});

describe('Rng state', () => {
  it('state() / setState() / fromState() continue the same stream', () => {
    const a = new Rng(7);
    draws(a, 13);
    const saved = a.state();
    const expected = draws(a, 20);

    const b = Rng.fromState(saved);
    expect(draws(b, 20)).toEqual(expected);

    const c = new Rng(12345);
    c.setState(saved);
    expect(draws(c, 20)).toEqual(expected);
  });

  it('state() is a copy, not a live view', () => {
    const a = new Rng(3);
    const s = a.state();
    const before = [...s];
    a.nextU32();
    expect(s).toEqual(before);
    expect(a.state()).not.toEqual(before);
  });

  it('setState() rejects an all-zero state and a state of the wrong length', () => {
    const r = new Rng(1);
    expect(() => r.setState([0, 0, 0, 0])).toThrow(/invalid RNG state/);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/invalid RNG state/);
    expect(() => r.setState([1, 2, 3] as unknown as RngState)).toThrow(/invalid RNG state/);
  });

  it.each([
    { label: '2^32 wraps to 0', state: [2 ** 32, 0, 0, 0] },
    { label: 'NaN words', state: [NaN, NaN, NaN, NaN] },
    { label: 'missing words (a corrupted checkpoint)', state: [undefined, undefined, undefined, undefined] },
  ])('setState() rejects words that normalise to an all-zero state: $label', ({ state }) => {
    const r = new Rng(1);
    expect(() => r.setState(state as unknown as RngState)).toThrow(/invalid RNG state/);
    // A rejected state leaves the generator untouched.
    expect(draws(r, 3)).toEqual(draws(new Rng(1), 3));
  });
});

describe('Rng draws', () => {
  it('uniform() lies in [0, 1) and is nextU32() / 2^32', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    for (let i = 0; i < 1000; i++) {
      const u = a.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(u).toBe(b.nextU32() / 4294967296);
    }
  });

  it.each([1, 2, 3, 7, 10, 1000, 2 ** 31 + 1, 2 ** 32])('int(%d) gives integers in [0, n)', (n) => {
    const r = new Rng(11);
    for (let i = 0; i < 2000; i++) {
      const x = r.int(n);
      expect(Number.isInteger(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(n);
    }
  });

  it('int(1) is always 0', () => {
    const r = new Rng(2);
    for (let i = 0; i < 100; i++) expect(r.int(1)).toBe(0);
  });

  it.each([0, -1, NaN, 2 ** 32 + 1, Infinity])('int(%d) throws', (n) => {
    expect(() => new Rng(0).int(n)).toThrow(/bad bound/);
  });

  it('int(n) rejects the biased tail instead of folding it (n = 3·2^30)', () => {
    // limit = 2^32 - (2^32 mod n) = n: draws at or above n are skipped, those below are returned as is.
    const n = 3 * 2 ** 30;
    const r = new Rng(99);
    const shadow = Rng.fromState(r.state());
    let rejected = 0;
    for (let i = 0; i < 500; i++) {
      let x = shadow.nextU32();
      while (x >= n) {
        rejected++;
        x = shadow.nextU32();
      }
      expect(r.int(n)).toBe(x);
    }
    expect(rejected).toBeGreaterThan(50); // about a quarter of the raw draws
    expect(r.state()).toEqual(shadow.state());
  });

  it('int(10) is roughly uniform over 50k draws', () => {
    const r = new Rng(2024);
    const counts = new Array<number>(10).fill(0);
    const N = 50_000;
    for (let i = 0; i < N; i++) counts[r.int(10)]++;
    let chi2 = 0;
    for (const c of counts) {
      expect(Math.abs(c - N / 10)).toBeLessThan(0.05 * (N / 10));
      chi2 += (c - N / 10) ** 2 / (N / 10);
    }
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
    expect(chi2).toBeLessThan(27.9);
  });

  it('normal() has mean ≈ 0 and variance ≈ 1 over 20k draws', () => {
    const r = new Rng(31337);
    const N = 20_000;
    let s = 0;
    let s2 = 0;
    let within1 = 0;
    for (let i = 0; i < N; i++) {
      const z = r.normal();
      expect(Number.isFinite(z)).toBe(true);
      s += z;
      s2 += z * z;
      if (Math.abs(z) < 1) within1++;
    }
    const mean = s / N;
    const variance = s2 / N - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.03); // standard error 0.007
    expect(Math.abs(variance - 1)).toBeLessThan(0.05); // standard error 0.01
    expect(Math.abs(within1 / N - 0.6827)).toBeLessThan(0.015);
  });

  it('shuffle() is a permutation and deterministic for a seed', () => {
    const n = 50;
    const perm = (seed: number) => {
      const a = Array.from({ length: n }, (_, i) => i);
      new Rng(seed).shuffle(a);
      return a;
    };
    const p = perm(8);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(perm(8)).toEqual(p);
    expect(perm(9)).not.toEqual(p);
    expect(p).not.toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('shuffle() works on typed arrays and leaves arrays of length 0 and 1 alone', () => {
    const t = Float32Array.from([10, 20, 30, 40, 50, 60]);
    new Rng(4).shuffle(t);
    expect([...t].sort((x, y) => x - y)).toEqual([10, 20, 30, 40, 50, 60]);
    const one = [7];
    const r = new Rng(4);
    const before = r.state();
    r.shuffle(one);
    r.shuffle([]);
    expect(one).toEqual([7]);
    expect(r.state()).toEqual(before); // no draws taken
  });

  it('shuffle() puts each element at each position about equally often', () => {
    const r = new Rng(77);
    const n = 4;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const a = [0, 1, 2, 3];
      r.shuffle(a);
      a.forEach((v, pos) => counts[v][pos]++);
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c - N / n)).toBeLessThan(0.05 * (N / n));
  });
});

describe('streamSeed', () => {
  it.each([
    { seed: 0, stream: 'data', expected: 3631407781 },
    { seed: 0, stream: 'init', expected: 380752755 },
    { seed: 0, stream: 'shuffle', expected: 2030840142 },
    { seed: 42, stream: 'data', expected: 761992623 },
    { seed: 42, stream: 'init', expected: 3819447417 },
    { seed: 42, stream: 'shuffle', expected: 2350243396 },
  ])('streamSeed($seed, $stream) = $expected (FNV-1a reference)', ({ seed, stream, expected }) => {
    expect(streamSeed(seed, stream)).toBe(expected);
  });

  it('differs across stream names and across seeds, and is a uint32', () => {
    const names = ['data', 'init', 'shuffle', 'split', 'dropout', ''];
    for (const seed of [0, 1, 42]) {
      const seeds = names.map((n) => streamSeed(seed, n));
      expect(new Set(seeds).size).toBe(names.length);
      for (const s of seeds) expect(s >>> 0).toBe(s);
    }
    expect(streamSeed(1, 'data')).not.toBe(streamSeed(2, 'data'));
    expect(draws(new Rng(streamSeed(0, 'data')), 4)).not.toEqual(draws(new Rng(streamSeed(0, 'init')), 4));
  });
});
