// The reference copy kernels: runs of contiguous elements (with the plans of slice, pad and concat
// against naive index arithmetic on random boxes), row lookups by id and their scatter-add, and the
// elementwise abs and sign.
import { describe, expect, it } from 'vitest';
import { boxToDense, denseToBox } from '../../src/graph/ops/_box.js';
import { transposePlan, transposeRunsPlan } from '../../src/kernels/plans.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { type Shape, sizeOf, stridesOf } from '../../src/tensor/shape.js';
import { DTYPES } from './close.js';

/** Every multi-index of a shape, row-major. */
function* indices(shape: Shape): Generator<number[]> {
  const n = sizeOf(shape);
  const idx = shape.map(() => 0);
  for (let i = 0; i < n; i++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

const flat = (idx: number[], shape: Shape) => idx.reduce((o, v, d) => o + v * stridesOf(shape)[d], 0);
const iota = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);

/** A random box inside a random shape of rank 0..4. */
function randomBox(rng: Rng): { outer: number[]; inner: number[]; begin: number[] } {
  const rank = rng.int(5);
  const outer = Array.from({ length: rank }, () => 1 + rng.int(5));
  // Full axes are common in practice (they merge into longer runs), so draw them often.
  const inner = outer.map((d) => (rng.uniform() < 0.4 ? d : 1 + rng.int(d)));
  const begin = outer.map((d, i) => rng.int(d - inner[i] + 1));
  return { outer, inner, begin };
}

describe('transposes as runs (transposeRunsPlan)', () => {
  it('agree with the gather of every element, in float32 and float64, for perms that keep 1 to 3 trailing axes', () => {
    const rng = new Rng(13);
    let tried = 0;
    for (let t = 0; t < 60; t++) {
      const rank = 2 + rng.int(3);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(6));
      const keep = 1 + rng.int(rank - 1);
      const lead = [...Array(rank - keep).keys()];
      for (let i = lead.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [lead[i], lead[j]] = [lead[j], lead[i]];
      }
      const perm = [...lead, ...Array.from({ length: keep }, (_, i) => rank - keep + i)];
      const runs = transposeRunsPlan(shape, perm, 1)!;
      expect(runs, `[${shape}] perm [${perm}]`).toBeDefined();
      for (const { Ctor } of DTYPES) {
        const x = Ctor.from(iota(sizeOf(shape)));
        const viaGather = new Ctor(x.length);
        K.gather(x, viaGather, transposePlan(shape, perm));
        const viaRuns = new Ctor(x.length).fill(NaN);
        K.copyRows(x, viaRuns, runs);
        expect([...viaRuns], `[${shape}] perm [${perm}]`).toEqual([...viaGather]);
      }
      tried++;
    }
    expect(tried).toBe(60);
  });

  it('a large one (attention heads [32, 64, 4, 32] → [4, 32, 64, 32]) in float32, where the native kernels take it', () => {
    const shape = [32, 64, 4, 32];
    const perm = [2, 0, 1, 3];
    const x = Float32Array.from(iota(sizeOf(shape)));
    const want = new Float32Array(x.length);
    K.gather(x, want, transposePlan(shape, perm));
    const got = new Float32Array(x.length);
    K.copyRows(x, got, transposeRunsPlan(shape, perm, 8)!);
    expect(got).toEqual(want);
  });

  it('no runs plan when the last axis moves or the runs are shorter than asked', () => {
    expect(transposeRunsPlan([3, 4], [1, 0], 1)).toBeUndefined();
    expect(transposeRunsPlan([3, 4, 2], [1, 0, 2], 4)).toBeUndefined();
    expect(transposeRunsPlan([3, 4, 2], [1, 0, 2], 2)).toEqual({
      src: Int32Array.from([0, 8, 16, 2, 10, 18, 4, 12, 20, 6, 14, 22]),
      dst: Int32Array.from([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]),
      len: 2,
    });
  });
});

describe('copyRows', () => {
  for (const { name, Ctor } of DTYPES) {
    it(`copies runs and writes nothing else (${name})`, () => {
      const out = new Ctor(8).fill(-1);
      K.copyRows(Ctor.from([1, 2, 3, 4, 5, 6]), out, { src: Int32Array.from([0, 4]), dst: Int32Array.from([5, 0]), len: 2 });
      expect([...out]).toEqual([5, 6, -1, -1, -1, 1, 2, -1]);
    });
  }

  it('a slice of a [3, 4] matrix is one run per row; a box spanning trailing axes is a single run', () => {
    expect(boxToDense([2, 2], [3, 4], [1, 1])).toEqual({ src: Int32Array.from([5, 9]), dst: Int32Array.from([0, 2]), len: 2 });
    const whole = boxToDense([2, 3, 4], [5, 3, 4], [2, 0, 0]);
    expect(whole).toEqual({ src: Int32Array.from([24]), dst: Int32Array.from([0]), len: 24 });
    expect(denseToBox([], [], [])).toEqual({ src: Int32Array.from([0]), dst: Int32Array.from([0]), len: 1 });
  });

  it('slice (boxToDense) and pad (denseToBox) plans agree with index arithmetic on 200 random boxes', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 200; t++) {
      const { outer, inner, begin } = randomBox(rng);
      const big = iota(sizeOf(outer));
      const small = iota(sizeOf(inner));
      const sliced = new Float64Array(small.length).fill(NaN);
      K.copyRows(big, sliced, boxToDense(inner, outer, begin));
      const padded = new Float64Array(big.length);
      K.copyRows(small, padded, denseToBox(inner, outer, begin));
      const wantSlice: number[] = [];
      const wantPad = new Float64Array(big.length);
      for (const idx of indices(inner)) {
        const at = flat(
          idx.map((v, d) => v + begin[d]),
          outer,
        );
        wantSlice.push(big[at]);
        wantPad[at] = small[flat(idx, inner)];
      }
      const what = `outer [${outer}] inner [${inner}] begin [${begin}]`;
      expect([...sliced], what).toEqual(wantSlice);
      expect([...padded], what).toEqual([...wantPad]);
    }
  });

  it('concat of two boxes along each axis fills the output exactly once', () => {
    const a = [2, 3, 4];
    for (let axis = 0; axis < 3; axis++) {
      const b = a.map((d, i) => (i === axis ? 2 : d));
      const out = a.map((d, i) => (i === axis ? d + 2 : d));
      const buf = new Float64Array(sizeOf(out)).fill(NaN);
      const av = iota(sizeOf(a));
      const bv = iota(sizeOf(b)).map((v) => -v);
      K.copyRows(av, buf, denseToBox(a, out, [0, 0, 0]));
      K.copyRows(
        bv,
        buf,
        denseToBox(
          b,
          out,
          out.map((_, i) => (i === axis ? a[axis] : 0)),
        ),
      );
      for (const idx of indices(out)) {
        const v = buf[flat(idx, out)];
        if (idx[axis] < a[axis]) expect(v).toBe(av[flat(idx, a)]);
        else
          expect(v).toBe(
            bv[
              flat(
                idx.map((x, i) => (i === axis ? x - a[axis] : x)),
                b,
              )
            ],
          );
      }
    }
  });
});

describe.each(DTYPES)('gatherRows and scatterAddRows ($name)', ({ Ctor }) => {
  // A table of 3 rows of 2.
  const table = Ctor.from([1, 2, 3, 4, 5, 6]);
  const dims = { rows: 4, cols: 2, vocab: 3 };

  it('gathers rows by id, repeats allowed', () => {
    const out = new Ctor(8);
    K.gatherRows(table, Ctor.from([2, 0, 2, 1]), out, dims);
    expect([...out]).toEqual([5, 6, 1, 2, 5, 6, 3, 4]);
  });

  it('an id out of range or not an integer gives a row of NaN', () => {
    const out = new Ctor(8);
    K.gatherRows(table, Ctor.from([3, -1, 0.5, 1]), out, dims);
    expect([...out]).toEqual([NaN, NaN, NaN, NaN, NaN, NaN, 3, 4]);
  });

  it('scatter-adds rows at their ids over a zeroed table, skipping bad ids', () => {
    const out = new Ctor(6).fill(NaN);
    K.scatterAddRows(Ctor.from([2, 0, 2, 7]), Ctor.from([1, 2, 10, 20, 100, 200, 5, 5]), out, dims);
    expect([...out]).toEqual([10, 20, 0, 0, 101, 202]);
  });

  it('the two are adjoints: <gather(t, ids), g> = <t, scatter(ids, g)>', () => {
    const rng = new Rng(9);
    const d = { rows: 17, cols: 3, vocab: 5 };
    const t = Ctor.from(Array.from({ length: 15 }, () => rng.uniform() - 0.5));
    const ids = Ctor.from(Array.from({ length: 17 }, () => rng.int(5)));
    const g = Ctor.from(Array.from({ length: 51 }, () => rng.uniform() - 0.5));
    const gathered = new Float64Array(51);
    const scattered = new Float64Array(15);
    K.gatherRows(t, ids, gathered, d);
    K.scatterAddRows(ids, g, scattered, d);
    const lhs = gathered.reduce((s, v, i) => s + v * g[i], 0);
    const rhs = scattered.reduce((s, v, i) => s + v * t[i], 0);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12);
  });
});

describe.each(DTYPES)('abs and sign ($name)', ({ Ctor }) => {
  const x = Ctor.from([-2.5, -0, 0, 3, -Infinity, NaN]);

  it('abs', () => {
    const out = new Ctor(6);
    K.abs(x, out);
    expect([...out]).toEqual([2.5, 0, 0, 3, Infinity, NaN]);
  });

  it('sign is -1, 0 or 1 (0 for both zeros) and keeps NaN', () => {
    const out = new Ctor(6);
    K.sign(x, out);
    expect([...out]).toEqual([-1, 0, 0, 1, -1, NaN]);
    expect(Object.is(out[1], 0)).toBe(true);
  });
});
