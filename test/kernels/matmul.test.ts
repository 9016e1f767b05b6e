// The reference matmul: a literal case in every transpose layout, then a naive float64 triple loop
// over every transpose combination, odd sizes around the 4×4 tile, and batches with a shared or a
// per-batch right operand, on float32 and float64 buffers.
import { describe, expect, it } from 'vitest';
import type { MatmulDims } from '../../src/kernels/kernels.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { DTYPES } from './close.js';

type Buf = Float32Array | Float64Array;

function dims(batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, sharedB = false): MatmulDims {
  return { batch, m, n, k, transA, transB, strideA: m * k, strideB: sharedB ? 0 : k * n };
}

/** Naive float64 reference, reading the operands by their logical (i, p) and (p, j) indices. */
function naive(a: Buf, b: Buf, d: MatmulDims): { value: Float64Array; scale: Float64Array } {
  const { batch, m, n, k, transA, transB, strideA, strideB } = d;
  const value = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let bt = 0; bt < batch; bt++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const av = a[bt * strideA + (transA ? p * m + i : i * k + p)];
          const bv = b[bt * strideB + (transB ? j * k + p : p * n + j)];
          s += av * bv;
          abs += Math.abs(av * bv);
        }
        value[(bt * m + i) * n + j] = s;
        scale[(bt * m + i) * n + j] = abs;
      }
    }
  }
  return { value, scale };
}

const GUARD = 3;

/** Runs the kernel into an output prefilled with NaN (so unwritten cells show) with guard cells after it. */
function run(Ctor: typeof Float32Array | typeof Float64Array, a: Buf, b: Buf, d: MatmulDims): { out: Buf; guard: number[] } {
  const size = d.batch * d.m * d.n;
  const buf = new Ctor(size + GUARD).fill(NaN);
  buf.fill(-123, size);
  K.matmul(a, b, buf.subarray(0, size), d);
  return { out: buf.subarray(0, size), guard: [...buf.subarray(size)] };
}

function worstError(out: Buf, ref: { value: Float64Array; scale: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < out.length; i++) {
    const err = Math.abs(out[i] - ref.value[i]) / Math.max(ref.scale[i], 1e-30);
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

function random(Ctor: typeof Float32Array | typeof Float64Array, rng: Rng, n: number): Buf {
  const x = new Ctor(n);
  for (let i = 0; i < n; i++) x[i] = 2 * rng.uniform() - 1;
  return x;
}

const TRANSPOSES = [
  { transA: false, transB: false },
  { transA: true, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: true },
];

describe('matmul literal 2×3 · 3×2', () => {
  // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]], A·B = [[58, 64], [139, 154]].
  const A = [1, 2, 3, 4, 5, 6];
  const At = [1, 4, 2, 5, 3, 6];
  const B = [7, 8, 9, 10, 11, 12];
  const Bt = [7, 9, 11, 8, 10, 12];
  for (const { name, Ctor } of DTYPES) {
    it.each(TRANSPOSES)(`transA=$transA transB=$transB (${name})`, ({ transA, transB }) => {
      const { out, guard } = run(Ctor, Ctor.from(transA ? At : A), Ctor.from(transB ? Bt : B), dims(1, 2, 2, 3, transA, transB));
      expect([...out]).toEqual([58, 64, 139, 154]);
      expect(guard).toEqual([-123, -123, -123]);
    });
  }

  it('a literal batch of two with a shared B', () => {
    // Second A is 2·A, so its product is 2·[[58, 64], [139, 154]].
    const a = Float32Array.from([...A, ...A.map((v) => 2 * v)]);
    const { out } = run(Float32Array, a, Float32Array.from(B), dims(2, 2, 2, 3, false, false, true));
    expect([...out]).toEqual([58, 64, 139, 154, 116, 128, 278, 308]);
  });

  it('a literal batch of two with its own B per batch', () => {
    // Second B is the 3×2 identity-like [[1, 0], [0, 1], [0, 0]], so its product is A's first two columns.
    const b = Float32Array.from([...B, 1, 0, 0, 1, 0, 0]);
    const { out } = run(Float32Array, Float32Array.from([...A, ...A]), b, dims(2, 2, 2, 3, false, false));
    expect([...out]).toEqual([58, 64, 139, 154, 1, 2, 4, 5]);
  });
});

const SIZES = [1, 3, 5, 7, 13, 17];

describe.each(DTYPES)('matmul against a naive float64 loop ($name)', ({ name, Ctor }) => {
  const tol = name === 'f32' ? 1e-5 : 1e-13;

  it.each(TRANSPOSES)('every m, n, k in {1, 3, 5, 7, 13, 17}: transA=$transA transB=$transB', ({ transA, transB }) => {
    const rng = new Rng(1000 + Number(transA) * 2 + Number(transB));
    let checked = 0;
    for (const m of SIZES) {
      for (const n of SIZES) {
        for (const k of SIZES) {
          const d = dims(1, m, n, k, transA, transB);
          const a = random(Ctor, rng, m * k);
          const b = random(Ctor, rng, k * n);
          const { out, guard } = run(Ctor, a, b, d);
          const err = worstError(out, naive(a, b, d));
          if (!(err <= tol)) throw new Error(`m=${m} n=${n} k=${k}: relative error ${err}`);
          expect(guard).toEqual([-123, -123, -123]);
          checked++;
        }
      }
    }
    expect(checked).toBe(216);
  });

  describe.each([
    { batch: 3, m: 5, n: 7, k: 3 },
    { batch: 2, m: 4, n: 8, k: 4 },
    { batch: 4, m: 13, n: 1, k: 17 },
    { batch: 2, m: 1, n: 9, k: 6 },
  ])('batch $batch of $m×$k · $k×$n', ({ batch, m, n, k }) => {
    for (const sharedB of [false, true]) {
      it.each(TRANSPOSES)(`${sharedB ? 'shared B (strideB 0)' : 'B per batch'}: transA=$transA transB=$transB`, ({ transA, transB }) => {
        const rng = new Rng(batch * 100 + m * 10 + n + Number(sharedB));
        const d = dims(batch, m, n, k, transA, transB, sharedB);
        expect(d.strideB).toBe(sharedB ? 0 : k * n);
        const a = random(Ctor, rng, batch * m * k);
        const b = random(Ctor, rng, (sharedB ? 1 : batch) * k * n);
        const { out, guard } = run(Ctor, a, b, d);
        expect(worstError(out, naive(a, b, d))).toBeLessThanOrEqual(tol);
        expect(guard).toEqual([-123, -123, -123]);
      });
    }
  });
});

describe('matmul output does not depend on stale output contents', () => {
  it('overwrites rather than accumulates', () => {
    const d = dims(1, 5, 6, 7, false, false);
    const rng = new Rng(3);
    const a = random(Float64Array, rng, 35);
    const b = random(Float64Array, rng, 42);
    const clean = new Float64Array(30);
    const dirty = new Float64Array(30).fill(1e6);
    K.matmul(a, b, clean, d);
    K.matmul(a, b, dirty, d);
    expect([...dirty]).toEqual([...clean]);
  });
});
