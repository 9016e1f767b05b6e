// The native addon against the TypeScript reference, kernel by kernel: matmul on random shapes
// (odd sizes around the vector widths, every transpose combination, batches with a shared or a
// per-batch operand) at every dispatch level this CPU has, broadcasting binary ops, unary maps and
// the optimizer updates (bit-exact: both compute each element the same way), the convolutions (to
// rounding, against the reference in float64, and bit-exact across thread counts), the pooling
// kernels and channel broadcasts (bit-exact), the float64 fallback, views with a byte offset, and
// bounds checks. Skipped when the addon is not built.
import { afterAll, describe, expect, it } from 'vitest';
import type { Buf } from '../../src/graph/types.js';
import type { BinaryOp, BroadcastPlan, Conv2dDims, GatherPlan, MatmulDims, Pool2dDims, UnaryOp } from '../../src/kernels/kernels.js';
import { NATIVE_MIN_ELEMENTS, nativeKernels, nativeStatus, threadsFromEnv } from '../../src/kernels/native.js';
import { broadcastPlan, broadcastToPlan, reducePlan, transposePlan } from '../../src/kernels/plans.js';
import { broadcastShapes } from '../../src/tensor/shape.js';
import { kernelsFor } from '../../src/kernels/select.js';
import { tsKernels as T } from '../../src/kernels/ts/index.js';
import { channelBiasAct } from '../../src/kernels/ts/matmul-bias-act.js';
import { Rng } from '../../src/tensor/rng.js';
import { expectSame } from './close.js';

const status = nativeStatus();
const nativeAvailable = status.available;

function random(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng.uniform();
  return x;
}

const SIZES = [1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 65, 128, 129];
const TRANSPOSES = [
  { transA: false, transB: false },
  { transA: true, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: true },
];

/** Elementwise |native − ts| ≤ 1e-5·k·(the largest |a·b| term of that dot product). */
function matmulMismatches(a: Float32Array, b: Float32Array, got: Float32Array, want: Float32Array, d: MatmulDims): string[] {
  const { batch, m, n, k, transA, transB, strideA, strideB } = d;
  const bad: string[] = [];
  for (let bt = 0; bt < batch; bt++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let big = 0;
        for (let p = 0; p < k; p++) {
          const av = a[bt * strideA + (transA ? p * m + i : i * k + p)];
          const bv = b[bt * strideB + (transB ? j * k + p : p * n + j)];
          big = Math.max(big, Math.abs(av * bv));
        }
        const o = (bt * m + i) * n + j;
        if (!(Math.abs(got[o] - want[o]) <= 1e-5 * k * big + 1e-30)) bad.push(`[${bt},${i},${j}] ${got[o]} != ${want[o]}`);
        if (bad.length > 5) return bad;
      }
  return bad;
}

describe.skipIf(!nativeAvailable)('native kernels against the TypeScript reference', () => {
  if (!status.available) return;
  const { addon, kernels: N } = status;
  // Every elementwise call native, however short (N keeps short ones in TypeScript).
  const D = nativeKernels(addon, 0);
  const maxLevel = addon.info().maxLevel;
  afterAll(() => void addon.setLevel(maxLevel));

  it('is what kernelsFor gives for native and auto, and reports what it chose', () => {
    expect(kernelsFor('native')).toBe(N);
    expect(kernelsFor('auto')).toBe(N);
    expect(N.name).toBe('native');
    const info = addon.info();
    expect(info.level).toBe(maxLevel);
    expect(info.gemmKernel).toMatch(/^(avx512|avx2\+fma|portable C) \d+x\d+$/);
    if (info.arch === 'x86_64') {
      expect(info.ftz).toBe(true);
      expect(info.daz).toBe(true);
    }
  });

  describe.each([2, 1, 0].map((level) => ({ level })))('matmul at dispatch level $level', ({ level }) => {
    it.skipIf(level > maxLevel).each(TRANSPOSES)('random shapes, transA=$transA transB=$transB', ({ transA, transB }) => {
      expect(addon.setLevel(level)).toBe(level);
      const rng = new Rng(7000 + level * 10 + Number(transA) * 2 + Number(transB));
      const pick = () => SIZES[rng.int(SIZES.length)];
      for (let trial = 0; trial < 24; trial++) {
        const m = pick();
        const n = pick();
        const k = pick();
        const batch = trial % 3 === 0 ? 3 : 1;
        // Batches alternate between a shared B (strideB 0), per-batch operands, and a shared A.
        const sharedB = trial % 2 === 0;
        const sharedA = !sharedB && trial % 6 === 3;
        const d: MatmulDims = { batch, m, n, k, transA, transB, strideA: sharedA ? 0 : m * k, strideB: sharedB ? 0 : k * n };
        const a = random(rng, sharedA ? m * k : batch * m * k);
        const b = random(rng, sharedB ? k * n : batch * k * n);
        const want = new Float32Array(batch * m * n);
        T.matmul(a, b, want, d);
        const got = new Float32Array(batch * m * n).fill(NaN);
        N.matmul(a, b, got, d);
        const bad = matmulMismatches(a, b, got, want, d);
        if (bad.length) throw new Error(`level ${level}, ${JSON.stringify(d)}: ${bad.join('; ')}`);
      }
      addon.setLevel(maxLevel);
    });

    it.skipIf(level > maxLevel)('one to three rows (the unpacked path), every transpose, batched', () => {
      addon.setLevel(level);
      const rng = new Rng(7050 + level);
      for (const { transA, transB } of TRANSPOSES)
        for (const m of [1, 2, 3])
          for (const n of [1, 17, 100])
            for (const k of [1, 17, 100]) {
              const d: MatmulDims = { batch: 2, m, n, k, transA, transB, strideA: m * k, strideB: n > 50 ? 0 : k * n };
              const a = random(rng, 2 * m * k);
              const b = random(rng, 2 * k * n);
              const want = new Float32Array(2 * m * n);
              const got = new Float32Array(2 * m * n).fill(NaN);
              T.matmul(a, b, want, d);
              N.matmul(a, b, got, d);
              const bad = matmulMismatches(a, b, got, want, d);
              if (bad.length) throw new Error(`level ${level}, ${JSON.stringify(d)}: ${bad.join('; ')}`);
            }
      addon.setLevel(maxLevel);
    });

    it.skipIf(level > maxLevel)("a row's result does not depend on how many rows are multiplied with it", () => {
      addon.setLevel(level);
      const rng = new Rng(7060 + level);
      for (const { transA, transB } of TRANSPOSES)
        for (const [n, k] of [
          [10, 64],
          [33, 300],
          [128, 784],
        ]) {
          const M = 21;
          const all = random(rng, M * k); // row-major M×k
          const b = random(rng, k * n);
          const full = new Float32Array(M * n);
          const rowsOf = (r0: number, m: number) => {
            const a = new Float32Array(m * k);
            for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[transA ? p * m + i : i * k + p] = all[(r0 + i) * k + p];
            return a;
          };
          const dims = (m: number): MatmulDims => ({ batch: 1, m, n, k, transA, transB, strideA: m * k, strideB: k * n });
          N.matmul(rowsOf(0, M), b, full, dims(M));
          for (const m of [1, 2, 3, 4, 7]) {
            for (let r0 = 0; r0 + m <= M; r0 += m) {
              const part = new Float32Array(m * n);
              N.matmul(rowsOf(r0, m), b, part, dims(m));
              expectSame(part, full.subarray(r0 * n, (r0 + m) * n), `m=${m} rows ${r0}.. n=${n} k=${k} transA=${transA} transB=${transB}`);
            }
          }
        }
      addon.setLevel(maxLevel);
    });

    it.skipIf(level > maxLevel)('the benchmark shapes and a long k', () => {
      addon.setLevel(level);
      const rng = new Rng(7100 + level);
      for (const [m, n, k] of [
        [128, 256, 784],
        [128, 128, 256],
        [64, 48, 1000],
      ]) {
        for (const { transA, transB } of TRANSPOSES) {
          const d: MatmulDims = { batch: 1, m, n, k, transA, transB, strideA: m * k, strideB: k * n };
          const a = random(rng, m * k);
          const b = random(rng, k * n);
          const want = new Float32Array(m * n);
          const got = new Float32Array(m * n);
          T.matmul(a, b, want, d);
          N.matmul(a, b, got, d);
          expect(matmulMismatches(a, b, got, want, d)).toEqual([]);
        }
      }
      addon.setLevel(maxLevel);
    });
  });

  it('matmul gives the same bits on 1 to 4 threads (large products split the columns of the result, tall ones its rows)', () => {
    const rng = new Rng(7150);
    const before = addon.info().threads;
    try {
      for (const [m, n, k] of [
        [128, 256, 784],
        [129, 257, 333],
        [20, 1000, 300],
        [300, 40, 200],
        [701, 130, 67],
      ]) {
        for (const { transA, transB } of TRANSPOSES) {
          const d: MatmulDims = { batch: 2, m, n, k, transA, transB, strideA: m * k, strideB: k * n };
          const a = random(rng, 2 * m * k);
          const b = random(rng, 2 * k * n);
          const outs = [1, 2, 3, 4].map((t) => {
            addon.setThreads(t);
            const o = new Float32Array(2 * m * n).fill(NaN);
            N.matmul(a, b, o, d);
            return o;
          });
          for (let t = 1; t < outs.length; t++) expectSame(outs[t], outs[0], `${m}x${n}x${k} ${transA} ${transB} on ${t + 1} threads`);
          const want = new Float32Array(2 * m * n);
          T.matmul(a, b, want, d);
          expect(matmulMismatches(a, b, outs[1], want, d)).toEqual([]);
        }
      }
    } finally {
      addon.setThreads(before);
    }
  });

  it('a batch of small products is split over threads by whole products, each the bits of that product alone', () => {
    const rng = new Rng(7160);
    const before = addon.info().threads;
    try {
      // Attention's shapes (scores and both gradients), a few-row case, and a shared B with A transposed.
      for (const [batch, m, n, k, transA, transB, shared] of [
        [128, 64, 64, 32, false, true, false],
        [128, 64, 32, 64, true, false, false],
        [37, 2, 96, 200, false, false, false],
        [33, 40, 48, 70, true, true, true],
        [1, 2048, 128, 128, false, false, false], // one tall product: bands of rows
      ] as [number, number, number, number, boolean, boolean, boolean][]) {
        const strideA = m * k;
        const strideB = shared ? 0 : k * n;
        const d: MatmulDims = { batch, m, n, k, transA, transB, strideA, strideB };
        const a = random(rng, batch * m * k);
        const b = random(rng, shared ? k * n : batch * k * n);
        const bias = random(rng, n);
        const label = `${batch}x${m}x${n}x${k} ${transA} ${transB}${shared ? ' shared b' : ''}`;
        // Each product alone, on one thread.
        addon.setThreads(1);
        const alone = new Float32Array(batch * m * n);
        for (let t = 0; t < batch; t++)
          N.matmul(a.subarray(t * strideA, (t + 1) * strideA), b.subarray(t * strideB, t * strideB + k * n), alone.subarray(t * m * n, (t + 1) * m * n), {
            ...d,
            batch: 1,
          });
        for (const t of [1, 2, 3, 4]) {
          addon.setThreads(t);
          const o = new Float32Array(batch * m * n).fill(NaN);
          N.matmul(a, b, o, d);
          expectSame(o, alone, `${label} on ${t} threads`);
          const fused = new Float32Array(batch * m * n).fill(NaN);
          N.matmulBiasAct(a, b, bias, fused, d, 'relu');
          const want = alone.map((v, i) => Math.max(0, Math.fround(v + bias[i % n])));
          expectSame(fused, want, `${label} with bias and relu on ${t} threads`);
        }
      }
    } finally {
      addon.setThreads(before);
    }
  });

  it('matmul works in place on views with a byte offset and writes nothing outside out', () => {
    const rng = new Rng(7200);
    const m = 17;
    const n = 33;
    const k = 5;
    const d: MatmulDims = { batch: 2, m, n, k, transA: false, transB: true, strideA: m * k, strideB: k * n };
    const aBig = random(rng, 2 * m * k + 3);
    const bBig = random(rng, 2 * k * n + 1);
    const outBig = new Float32Array(2 * m * n + 4).fill(-7);
    const a = aBig.subarray(3);
    const b = bBig.subarray(1);
    const out = outBig.subarray(2, 2 + 2 * m * n);
    N.matmul(a, b, out, d);
    const want = new Float32Array(2 * m * n);
    T.matmul(a, b, want, d);
    expect(matmulMismatches(a, b, out, want, d)).toEqual([]);
    expect([...outBig.subarray(0, 2), ...outBig.subarray(2 + 2 * m * n)]).toEqual([-7, -7, -7, -7]);
  });

  it('matmul with k = 0 writes zeros, and an empty product writes nothing', () => {
    const out = new Float32Array(6).fill(5);
    N.matmul(new Float32Array(0), new Float32Array(0), out, { batch: 2, m: 1, n: 3, k: 0, transA: false, transB: false, strideA: 0, strideB: 0 });
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float32Array(2).fill(5);
    N.matmul(new Float32Array(4), new Float32Array(0), untouched, { batch: 1, m: 2, n: 0, k: 2, transA: false, transB: false, strideA: 4, strideB: 0 });
    expect([...untouched]).toEqual([5, 5]);
  });

  it('throws instead of reading or writing past a buffer', () => {
    const d: MatmulDims = { batch: 1, m: 4, n: 4, k: 4, transA: false, transB: false, strideA: 16, strideB: 16 };
    expect(() => N.matmul(new Float32Array(16), new Float32Array(16), new Float32Array(15), d)).toThrow(RangeError);
    expect(() => N.matmul(new Float32Array(15), new Float32Array(16), new Float32Array(16), d)).toThrow(RangeError);
    expect(() => N.matmul(new Float32Array(16), new Float32Array(12), new Float32Array(16), d)).toThrow(RangeError);
    expect(() => addon.binary(0, new Float32Array(3), new Float32Array(4), new Float32Array(4), 4, 1, 1, 0, 0)).toThrow(RangeError);
    expect(() => addon.sgdStep(new Float32Array(4), new Float32Array(3), 0.1)).toThrow(RangeError);
    expect(() => addon.unary(0, new Float64Array(3) as unknown as Float32Array, new Float32Array(3), 0)).toThrow(TypeError);
  });

  it(`keeps elementwise calls under ${NATIVE_MIN_ELEMENTS} elements in TypeScript, with the same results`, () => {
    const rng = new Rng(7310);
    for (const n of [NATIVE_MIN_ELEMENTS - 1, NATIVE_MIN_ELEMENTS, 3 * NATIVE_MIN_ELEMENTS + 5]) {
      const a = random(rng, n);
      const b = random(rng, n);
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      N.binary('mul', a, b, got, { kind: 'same', n });
      T.binary('mul', a, b, want, { kind: 'same', n });
      expectSame(got, want);
      N.unary('relu', a, got, 0);
      T.unary('relu', a, want, 0);
      expectSame(got, want);
      const w1 = Float32Array.from(a);
      const w2 = Float32Array.from(a);
      N.sgdStep(w1, b, 0.1);
      T.sgdStep(w2, b, 0.1);
      expectSame(w1, w2);
    }
  });

  it('falls back to the reference on float64 buffers', () => {
    const rng = new Rng(7300);
    const d: MatmulDims = { batch: 1, m: 5, n: 7, k: 3, transA: true, transB: false, strideA: 15, strideB: 21 };
    const a = Float64Array.from(random(rng, 15));
    const b = Float64Array.from(random(rng, 21));
    const got = new Float64Array(35);
    const want = new Float64Array(35);
    N.matmul(a, b, got, d);
    T.matmul(a, b, want, d);
    expectSame(got, want);
    const x = Float64Array.from(random(rng, 9));
    const u1 = new Float64Array(9);
    const u2 = new Float64Array(9);
    N.unary('tanh', x, u1, 0);
    T.unary('tanh', x, u2, 0);
    expectSame(u1, u2);
    N.binary('div', x, x, u1, { kind: 'same', n: 9 });
    T.binary('div', x, x, u2, { kind: 'same', n: 9 });
    expectSame(u1, u2);
  });

  const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'eq'];

  describe('convolutions, against the reference in float64 and the same bits on any thread count', () => {
    /** Random geometries with odd sizes, strides, dilations and paddings (out sizes as a padded conv gives them). */
    function geometries(rng: Rng): Conv2dDims[] {
      const out: Conv2dDims[] = [
        { n: 3, c: 1, h: 28, w: 28, f: 16, kh: 5, kw: 5, oh: 28, ow: 28, sh: 1, sw: 1, dh: 1, dw: 1, pt: 2, pl: 2 },
        { n: 5, c: 16, h: 14, w: 14, f: 32, kh: 5, kw: 5, oh: 14, ow: 14, sh: 1, sw: 1, dh: 1, dw: 1, pt: 2, pl: 2 },
        // Rows wider than one 16-float step, and an input with rows and columns no tap reads.
        { n: 2, c: 2, h: 9, w: 37, f: 3, kh: 3, kw: 3, oh: 9, ow: 37, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1 },
        { n: 2, c: 3, h: 11, w: 12, f: 4, kh: 3, kw: 2, oh: 3, ow: 4, sh: 3, sw: 3, dh: 1, dw: 1, pt: 0, pl: 0 },
      ];
      for (let t = 0; t < 16; t++) {
        const kh = 1 + rng.int(4);
        const kw = 1 + rng.int(4);
        const dh = 1 + rng.int(2);
        const dw = 1 + rng.int(2);
        const sh = 1 + rng.int(3);
        const sw = 1 + rng.int(3);
        const h = (kh - 1) * dh + 1 + rng.int(9);
        const w = (kw - 1) * dw + 1 + rng.int(19);
        const pt = rng.int(3);
        const pl = rng.int(3);
        const pb = rng.int(3);
        const pr = rng.int(3);
        const oh = Math.floor((h + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
        const ow = Math.floor((w + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
        out.push({ n: 1 + rng.int(4), c: 1 + rng.int(5), h, w, f: 1 + rng.int(9), kh, kw, oh, ow, sh, sw, dh, dw, pt, pl });
      }
      return out;
    }
    type Kind = 'forward' | 'gradInput' | 'gradWeight';
    const KINDS: Kind[] = ['forward', 'gradInput', 'gradWeight'];
    /** One conv kernel of a kernel set on (a, b): x and w, grad and w, or x and grad. */
    function runConv(k: typeof T, kind: Kind, a: Buf, b: Buf, out: Buf, d: Conv2dDims): void {
      if (kind === 'forward') k.conv2d(a, b, out, d);
      else if (kind === 'gradInput') k.conv2dGradInput(a, b, out, d);
      else k.conv2dGradWeight(a, b, out, d);
    }
    /** Random operands of a kind, float32, and its output length. */
    function operands(rng: Rng, kind: Kind, d: Conv2dDims): [Float32Array, Float32Array, number] {
      const xN = d.n * d.c * d.h * d.w;
      const wN = d.f * d.c * d.kh * d.kw;
      const gN = d.n * d.f * d.oh * d.ow;
      if (kind === 'forward') return [random(rng, xN), random(rng, wN), gN];
      if (kind === 'gradInput') return [random(rng, gN), random(rng, wN), xN];
      return [random(rng, xN), random(rng, gN), wN];
    }
    /**
     * Elementwise |native − reference| ≤ 1e-5 · (the same kernel on |a| and |b|: the sum of the
     * terms' magnitudes), the reference and the bound computed in float64 by the TypeScript kernels.
     */
    function convMismatches(kind: Kind, a: Float32Array, b: Float32Array, got: Float32Array, d: Conv2dDims): string[] {
      const want = new Float64Array(got.length);
      const scale = new Float64Array(got.length);
      runConv(T, kind, Float64Array.from(a), Float64Array.from(b), want, d);
      runConv(T, kind, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs), scale, d);
      const bad: string[] = [];
      for (let i = 0; i < got.length && bad.length < 5; i++) {
        if (!(Math.abs(got[i] - want[i]) <= 1e-5 * scale[i] + 1e-30)) bad.push(`[${i}] ${got[i]} != ${want[i]}`);
      }
      return bad;
    }

    it.each([2, 1, 0].map((level) => ({ level })))('forward and both gradients at dispatch level $level', ({ level }) => {
      if (level > maxLevel) return;
      addon.setLevel(level);
      const rng = new Rng(7700 + level);
      for (const d of geometries(rng)) {
        for (const kind of KINDS) {
          const [a, b, len] = operands(rng, kind, d);
          const got = new Float32Array(len).fill(NaN);
          runConv(N, kind, a, b, got, d);
          expect(convMismatches(kind, a, b, got, d), `${kind} ${JSON.stringify(d)}`).toEqual([]);
        }
      }
      addon.setLevel(maxLevel);
    });

    it('gives the same bits on 1 to 4 threads (the batch and the weight rows are split, never a sum)', () => {
      const rng = new Rng(7740);
      const before = addon.info().threads;
      try {
        for (const d of geometries(rng).slice(0, 8)) {
          for (const kind of KINDS) {
            const [a, b, len] = operands(rng, kind, d);
            const outs = [1, 2, 3, 4].map((t) => {
              expect(addon.setThreads(t)).toBe(t);
              const o = new Float32Array(len).fill(NaN);
              runConv(N, kind, a, b, o, d);
              return o;
            });
            for (let t = 1; t < outs.length; t++) expectSame(outs[t], outs[0], `${kind} on ${t + 1} threads ${JSON.stringify(d)}`);
          }
        }
      } finally {
        addon.setThreads(before);
      }
    });

    // Geometries whose gradients run the direct form at the AVX-512 level (stride and dilation 1
    // along x, window rows of 16 lanes or more): one row of several vectors with a partial last one,
    // and one of whole vectors.
    const DIRECT: Conv2dDims[] = [
      { n: 3, c: 6, h: 9, w: 8, f: 20, kh: 3, kw: 5, oh: 9, ow: 6, sh: 2, sw: 1, dh: 2, dw: 1, pt: 2, pl: 1 },
      { n: 4, c: 16, h: 7, w: 6, f: 17, kh: 5, kw: 5, oh: 7, ow: 6, sh: 1, sw: 1, dh: 1, dw: 1, pt: 2, pl: 2 },
    ];
    /** A gradient [n, f, oh, ow] with about three zeros in four, as behind a relu and a 2×2 max pooling. */
    function sparseGrad(rng: Rng, d: Conv2dDims): Float32Array {
      const g = random(rng, d.n * d.f * d.oh * d.ow);
      for (let i = 0; i < g.length; i++) if (rng.uniform() < 0.75) g[i] = 0;
      return g;
    }

    it('sparse gradients: within rounding of the reference, the same bits on 1 to 4 threads', () => {
      const rng = new Rng(7760);
      const before = addon.info().threads;
      try {
        for (const d of DIRECT) {
          const x = random(rng, d.n * d.c * d.h * d.w);
          const w = random(rng, d.f * d.c * d.kh * d.kw);
          const g = sparseGrad(rng, d);
          for (const kind of ['gradInput', 'gradWeight'] as const) {
            const [a, b, len] = kind === 'gradInput' ? [g, w, x.length] : [x, g, w.length];
            const outs = [1, 2, 3, 4].map((t) => {
              addon.setThreads(t);
              const o = new Float32Array(len).fill(NaN);
              runConv(N, kind, a, b, o, d);
              return o;
            });
            expect(convMismatches(kind, a, b, outs[0], d), `${kind} ${JSON.stringify(d)}`).toEqual([]);
            for (let t = 1; t < outs.length; t++) expect([...outs[t]], `${kind} on ${t + 1} threads`).toEqual([...outs[0]]);
          }
        }
      } finally {
        addon.setThreads(before);
      }
    });

    it('a zero gradient entry still multiplies a non-finite input or weight into NaN, as the reference does', () => {
      const rng = new Rng(7770);
      for (const d of DIRECT) {
        const x = random(rng, d.n * d.c * d.h * d.w);
        const w = random(rng, d.f * d.c * d.kh * d.kw);
        const g = sparseGrad(rng, d);
        x[d.c * d.h * d.w + 3] = Infinity; // in sample 1
        w[d.c * d.kh * d.kw + 1] = NaN; // in filter 1
        for (const kind of ['gradInput', 'gradWeight'] as const) {
          const [a, b, len] = kind === 'gradInput' ? [g, w, x.length] : [x, g, w.length];
          const got = new Float32Array(len);
          runConv(N, kind, a, b, got, d);
          const want = new Float64Array(len);
          runConv(T, kind, Float64Array.from(a), Float64Array.from(b), want, d);
          expect(want.some(Number.isNaN)).toBe(true);
          expect(
            got.map((v) => +Number.isNaN(v)),
            kind,
          ).toEqual(Float32Array.from(want, (v) => +Number.isNaN(v)));
        }
      }
    });

    it('with the bias and relu epilogue: the same bits as the convolution, then the reference epilogue', () => {
      const rng = new Rng(7745);
      const before = addon.info().threads;
      try {
        for (const d of geometries(rng).slice(0, 10)) {
          const [x, w, len] = operands(rng, 'forward', d);
          const bias = random(rng, d.f);
          for (const act of ['none', 'relu'] as const) {
            const want = new Float32Array(len);
            N.conv2d(x, w, want, d);
            channelBiasAct(bias, want, d.f, d.oh * d.ow, act);
            for (const t of [1, 2]) {
              addon.setThreads(t);
              const got = new Float32Array(len).fill(NaN);
              N.conv2dBiasAct(x, w, bias, got, d, act);
              expectSame(got, want, `${act} on ${t} threads ${JSON.stringify(d)}`);
            }
          }
        }
      } finally {
        addon.setThreads(before);
      }
      const geom = Int32Array.from([1, 2, 5, 5, 4, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0]);
      expect(() => addon.conv2dBiasAct(new Float32Array(50), new Float32Array(72), new Float32Array(36), geom, new Float32Array(3), true)).toThrow(RangeError);
    });

    it('puts NaN where the reference does when an input cell is NaN', () => {
      const rng = new Rng(7750);
      const d: Conv2dDims = { n: 2, c: 3, h: 9, w: 7, f: 5, kh: 3, kw: 3, oh: 9, ow: 7, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1 };
      for (const kind of KINDS) {
        const [a, b, len] = operands(rng, kind, d);
        a[10] = NaN;
        const got = new Float32Array(len);
        const want = new Float32Array(len);
        runConv(N, kind, a, b, got, d);
        runConv(T, kind, a, b, want, d);
        const nanAt = (o: Float32Array) => [...o].map(Number.isNaN);
        expect(nanAt(got), kind).toEqual(nanAt(want));
        expect(nanAt(got).some(Boolean), kind).toBe(true);
      }
    });

    it('falls back on float64 buffers and checks its arguments', () => {
      const rng = new Rng(7760);
      const d0: Conv2dDims = { n: 1, c: 2, h: 5, w: 5, f: 4, kh: 3, kw: 3, oh: 3, ow: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0 };
      const x = Float64Array.from(random(rng, 50));
      const w = Float64Array.from(random(rng, 72));
      const got = new Float64Array(36);
      const want = new Float64Array(36);
      N.conv2d(x, w, got, d0);
      T.conv2d(x, w, want, d0);
      expectSame(got, want);
      const geom = Int32Array.from([1, 2, 5, 5, 4, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0]);
      expect(() => addon.conv2d(new Float32Array(49), new Float32Array(72), new Float32Array(36), geom)).toThrow(RangeError);
      expect(() => addon.conv2d(new Float32Array(50), new Float32Array(71), new Float32Array(36), geom)).toThrow(RangeError);
      expect(() => addon.conv2d(new Float32Array(50), new Float32Array(72), new Float32Array(35), geom)).toThrow(RangeError);
      const badStride = Int32Array.from(geom);
      badStride[9] = 0;
      expect(() => addon.conv2d(new Float32Array(50), new Float32Array(72), new Float32Array(36), badStride)).toThrow(RangeError);
      expect(() => addon.conv2dGradInput(new Float32Array(35), new Float32Array(72), new Float32Array(50), geom)).toThrow(RangeError);
      expect(() => addon.conv2dGradInput(new Float32Array(36), new Float32Array(72), new Float32Array(49), geom)).toThrow(RangeError);
      expect(() => addon.conv2dGradWeight(new Float32Array(50), new Float32Array(36), new Float32Array(71), geom)).toThrow(RangeError);
      expect(() => addon.conv2dGradWeight(new Float64Array(50) as unknown as Float32Array, new Float32Array(36), new Float32Array(72), geom)).toThrow(
        TypeError,
      );
    });
  });

  describe('per-channel sums and means', () => {
    const SHAPES: [number, number, number][] = [
      [64, 16, 784],
      [3, 5, 7],
      [1, 1, 1],
      [2, 3, 9],
      [5, 2, 16],
      [7, 33, 1],
      [4, 6, 17],
      [2, 40, 1000],
    ];
    it('are within rounding of the float64 sum, on the reference plans of [outer, mid, inner] shapes', () => {
      const rng = new Rng(7900);
      for (const [outer, mid, inner] of SHAPES) {
        const plan = reducePlan([outer, mid, inner], [0, 2]);
        expect(plan.block, `${outer}x${mid}x${inner}`).toEqual({ outer, mid, inner });
        const x = random(rng, outer * mid * inner, -1, 3);
        for (const op of ['sum', 'mean'] as const) {
          const got = new Float32Array(mid).fill(NaN);
          addon.reduceBlock(op === 'mean', x, got, outer, mid, inner);
          const want = new Float64Array(mid);
          const scale = new Float64Array(mid);
          T.reduce(op, Float64Array.from(x), want, plan);
          T.reduce(op, Float64Array.from(x, Math.abs), scale, plan);
          for (let m = 0; m < mid; m++) {
            expect(Math.abs(got[m] - want[m]), `${op} ${outer}x${mid}x${inner} [${m}]`).toBeLessThanOrEqual(2 ** -23 * scale[m] * 1.01);
          }
          // Through the kernel set, as a plan step calls it.
          const viaN = new Float32Array(mid);
          N.reduce(op, x, viaN, plan);
          if (x.length >= NATIVE_MIN_ELEMENTS) expectSame(viaN, got);
        }
      }
    });
    it('give the same bits on 1 to 4 threads, and NaN where the reference does', () => {
      const before = addon.info().threads;
      const rng = new Rng(7910);
      const x = random(rng, 64 * 16 * 784);
      x[5 * 784 + 3] = NaN; // channel 5 of sample 0
      try {
        const outs = [1, 2, 3, 4].map((t) => {
          addon.setThreads(t);
          const o = new Float32Array(16);
          addon.reduceBlock(false, x, o, 64, 16, 784);
          return o;
        });
        for (const o of outs.slice(1)) expectSame(o, outs[0]);
        expect(outs[0].map((v) => Number(Number.isNaN(v)))[5]).toBe(1);
        expect(outs[0].filter((v) => Number.isNaN(v)).length).toBe(1);
      } finally {
        addon.setThreads(before);
      }
      expect(() => addon.reduceBlock(false, new Float32Array(5), new Float32Array(2), 1, 2, 3)).toThrow(RangeError);
      expect(() => addon.reduceBlock(false, new Float32Array(6), new Float32Array(1), 1, 2, 3)).toThrow(RangeError);
    });
  });

  describe('pooling, bit for bit', () => {
    function pools(rng: Rng): Pool2dDims[] {
      // 2×2 windows with stride 2 (a path of their own): even and odd sizes, rows of windows
      // shorter than, equal to and longer than one step of eight.
      const out: Pool2dDims[] = [{ planes: 6, h: 28, w: 28, oh: 14, ow: 14, kh: 2, kw: 2, sh: 2, sw: 2, pt: 0, pl: 0 }];
      for (const [h, w] of [
        [14, 14],
        [7, 9],
        [2, 16],
        [5, 17],
        [3, 34],
        [1, 2],
        [2, 1],
      ]) {
        out.push({ planes: 3, h, w, oh: Math.floor(h / 2), ow: Math.floor(w / 2), kh: 2, kw: 2, sh: 2, sw: 2, pt: 0, pl: 0 });
      }
      for (let t = 0; t < 20; t++) {
        const kh = 1 + rng.int(4);
        const kw = 1 + rng.int(4);
        const sh = 1 + rng.int(3);
        const sw = 1 + rng.int(3);
        const h = 1 + rng.int(11);
        const w = 1 + rng.int(11);
        const pt = rng.int(kh);
        const pl = rng.int(kw);
        // Bottom/right padding below the window size too, so that every window holds a real cell.
        const oh = Math.max(1, Math.floor((h + pt + rng.int(kh) - kh) / sh) + 1);
        const ow = Math.max(1, Math.floor((w + pl + rng.int(kw) - kw) / sw) + 1);
        out.push({ planes: 1 + rng.int(5), h, w, oh, ow, kh, kw, sh, sw, pt, pl });
      }
      return out;
    }
    it('max, max gradient, max pick, average and average gradient on random geometries, with ties and NaN', () => {
      const rng = new Rng(7800);
      for (const d of pools(rng)) {
        const inN = d.planes * d.h * d.w;
        const outN = d.planes * d.oh * d.ow;
        // Values from a small set (ties), some NaN, some negative everywhere.
        const x = Float32Array.from({ length: inN }, () => (rng.uniform() < 0.03 ? NaN : [-3, -1, -0.5, 0, 0.25, 2][rng.int(6)] * (1 + rng.uniform() * 1e-7)));
        const gOut = random(rng, outN);
        const u = random(rng, inN);
        const cases: [string, (k: typeof T, o: Float32Array) => void, number][] = [
          ['max', (k, o) => k.maxPool2d(x, o, d), outN],
          ['maxGrad', (k, o) => k.maxPool2dGrad(x, gOut, o, d), inN],
          ['maxGrad masked', (k, o) => k.maxPool2dGrad(x, gOut, o, d, true), inN],
          ['maxPick', (k, o) => k.maxPool2dPick(x, u, o, d), outN],
          ['avg', (k, o) => k.avgPool2d(u, o, d), outN],
          ['avgGrad', (k, o) => k.avgPool2dGrad(gOut, o, d), inN],
        ];
        for (const [name, run, len] of cases) {
          const want = new Float32Array(len).fill(7);
          const got = new Float32Array(len).fill(7);
          run(T, want);
          run(N, got);
          expectSame(got, want, `${name} ${JSON.stringify(d)}`);
        }
      }
    });
    it('splits planes over threads with the same bits', () => {
      const rng = new Rng(7850);
      const before = addon.info().threads;
      try {
        for (const d of [
          { planes: 67, h: 28, w: 28, oh: 14, ow: 14, kh: 2, kw: 2, sh: 2, sw: 2, pt: 0, pl: 0 },
          { planes: 45, h: 27, w: 25, oh: 9, ow: 12, kh: 3, kw: 3, sh: 3, sw: 2, pt: 1, pl: 0 },
        ] as Pool2dDims[]) {
          const inN = d.planes * d.h * d.w;
          const outN = d.planes * d.oh * d.ow;
          const x = random(rng, inN);
          const g = random(rng, outN);
          const u = random(rng, inN);
          const cases: [string, (k: typeof T, o: Float32Array) => void, number][] = [
            ['max', (k, o) => k.maxPool2d(x, o, d), outN],
            ['maxGrad', (k, o) => k.maxPool2dGrad(x, g, o, d), inN],
            ['maxGrad masked', (k, o) => k.maxPool2dGrad(x, g, o, d, true), inN],
            ['maxPick', (k, o) => k.maxPool2dPick(x, u, o, d), outN],
            ['avg', (k, o) => k.avgPool2d(u, o, d), outN],
            ['avgGrad', (k, o) => k.avgPool2dGrad(g, o, d), inN],
          ];
          for (const [name, run, len] of cases) {
            const want = new Float32Array(len);
            run(T, want);
            for (const t of [1, 2, 3]) {
              addon.setThreads(t);
              const got = new Float32Array(len).fill(7);
              run(N, got);
              expectSame(got, want, `${name} on ${t} threads`);
            }
          }
        }
      } finally {
        addon.setThreads(before);
      }
    });
    it.each([2, 1, 0].map((level) => ({ level })))(
      '2×2 windows, stride 2: rows of 1 to 33 windows, odd sizes, 1 to 4 threads, at dispatch level $level',
      ({ level }) => {
        if (level > maxLevel) return;
        const rng = new Rng(7870 + level);
        const before = addon.info().threads;
        addon.setLevel(level);
        try {
          for (let ow = 1; ow <= 33; ow++) {
            // Even and odd widths and heights; enough planes (over 2^15 cells) for the threads to split
            // them, and a few planes for a single band whose last rows end the buffers.
            const w = 2 * ow + (ow % 3 === 0 ? 1 : 0);
            const oh = 1 + (ow % 4);
            const h = 2 * oh + (ow % 2);
            for (const planes of [1 + (ow % 3), Math.ceil(32768 / (h * w)) + (ow % 5)]) {
              const d: Pool2dDims = { planes, h, w, oh, ow, kh: 2, kw: 2, sh: 2, sw: 2, pt: 0, pl: 0 };
              const inN = planes * h * w;
              const outN = planes * oh * ow;
              // Ties, ±0 and NaN (with their own payloads) among the cells.
              const x = Float32Array.from({ length: inN }, () => {
                const r = rng.uniform();
                return r < 0.02 ? NaN : r < 0.05 ? -0 : [-2, -1, 0, 0.5, 1, 3][rng.int(6)];
              });
              const xi = new Int32Array(x.buffer);
              for (let i = 0; i < inN; i++) if (Number.isNaN(x[i])) xi[i] = 0x7fc00000 + rng.int(1000);
              const g = random(rng, outN);
              for (let i = 0; i < outN; i += 7) g[i] = -0;
              const u = random(rng, inN);
              const cases: [string, (k: typeof T, o: Float32Array) => void, number][] = [
                ['max', (k, o) => k.maxPool2d(x, o, d), outN],
                ['maxGrad', (k, o) => k.maxPool2dGrad(x, g, o, d), inN],
                ['maxGrad masked', (k, o) => k.maxPool2dGrad(x, g, o, d, true), inN],
                ['maxPick', (k, o) => k.maxPool2dPick(x, u, o, d), outN],
              ];
              for (const [name, run, len] of cases) {
                const want = new Float32Array(len).fill(7);
                run(T, want);
                for (const t of [1, 2, 3, 4]) {
                  addon.setThreads(t);
                  const got = new Float32Array(len).fill(7);
                  run(N, got);
                  expectSame(got, want, `${name} ${JSON.stringify(d)} on ${t} threads`);
                }
              }
            }
          }
        } finally {
          addon.setThreads(before);
          addon.setLevel(maxLevel);
        }
      },
    );
    it('checks its arguments and falls back on float64', () => {
      const geom = Int32Array.from([1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0]);
      expect(() => addon.pool2d(0, new Float32Array(15), null, new Float32Array(4), geom)).toThrow(RangeError);
      expect(() => addon.pool2d(0, new Float32Array(16), null, new Float32Array(3), geom)).toThrow(RangeError);
      expect(() => addon.pool2d(1, new Float32Array(16), null, new Float32Array(16), geom)).toThrow(RangeError);
      expect(() => addon.pool2d(1, new Float32Array(16), new Float32Array(3), new Float32Array(16), geom)).toThrow(RangeError);
      const empty = Int32Array.from([1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 0]); // padding as tall as the window
      expect(() => addon.pool2d(0, new Float32Array(16), null, new Float32Array(4), empty)).toThrow(RangeError);
      const d: Pool2dDims = { planes: 1, h: 3, w: 3, oh: 2, ow: 2, kh: 2, kw: 2, sh: 1, sw: 1, pt: 0, pl: 0 };
      const x = Float64Array.from([1, 5, 2, 4, 3, 9, 0, 8, 7]);
      const got = new Float64Array(4);
      N.maxPool2d(x, got, d);
      expect([...got]).toEqual([5, 9, 8, 9]);
    });
  });

  it('channel broadcasts (a per-channel bias over NCHW), either side, bit for bit', () => {
    const rng = new Rng(7900);
    for (const [outer, mid, inner] of [
      [1, 1, 1],
      [2, 3, 5],
      [4, 16, 196],
      [3, 7, 33],
    ]) {
      const n = outer * mid * inner;
      for (const side of ['a', 'b'] as const)
        for (const op of OPS) {
          const small = random(rng, mid);
          const big = random(rng, n);
          const plan: BroadcastPlan = { kind: 'general', n, aOff: new Int32Array(0), bOff: new Int32Array(0), channel: { side, mid, inner } };
          const [a, b] = side === 'a' ? [small, big] : [big, small];
          const got = new Float32Array(n).fill(NaN);
          const want = new Float32Array(n);
          D.binary(op, a, b, got, plan);
          T.binary(op, a, b, want, plan);
          expectSame(got, want, `${op} ${side} ${outer}x${mid}x${inner}`);
        }
    }
    expect(() => addon.binaryChannel(0, new Float32Array(2), new Float32Array(12), new Float32Array(12), 12, 1, 3, 2)).toThrow(RangeError);
    expect(() => addon.binaryChannel(0, new Float32Array(3), new Float32Array(12), new Float32Array(12), 12, 1, 5, 2)).toThrow(RangeError);
  });
  describe.each(OPS.map((op) => ({ op })))('binary $op', ({ op }) => {
    it.each([1, 7, 16, 33, 1000, 4099].map((n) => ({ n })))('every broadcast kind, n = $n, bit for bit', ({ n }) => {
      const rng = new Rng(7400 + n);
      // Values from a small set so that eq sees equal pairs, plus zeros for div.
      const vals = (len: number) => Float32Array.from({ length: len }, () => [0, 1, -1, 0.5, 3, -2.25, 1e-3][rng.int(7)] * (rng.uniform() < 0.5 ? 1 : 1.5));
      const row = n % 3 === 0 ? 3 : n === 1000 ? 40 : n === 16 ? 4 : n;
      const plans: { plan: BroadcastPlan; la: number; lb: number }[] = [
        { plan: { kind: 'same', n }, la: n, lb: n },
        { plan: { kind: 'scalarA', n }, la: 1, lb: n },
        { plan: { kind: 'scalarB', n }, la: n, lb: 1 },
        { plan: { kind: 'rowA', n, row }, la: row, lb: n },
        { plan: { kind: 'rowB', n, row }, la: n, lb: row },
        {
          plan: { kind: 'general', n, aOff: Int32Array.from({ length: n }, (_, i) => i % 2), bOff: Int32Array.from({ length: n }, (_, i) => i) },
          la: 2,
          lb: n,
        },
      ];
      for (const { plan, la, lb } of plans) {
        const a = vals(la);
        const b = vals(lb);
        const got = new Float32Array(n).fill(NaN);
        const want = new Float32Array(n);
        D.binary(op, a, b, got, plan);
        T.binary(op, a, b, want, plan);
        expectSame(got, want, `${plan.kind}`);
      }
    });

    it('in place (out is a)', () => {
      const rng = new Rng(7450);
      const a = random(rng, 37);
      const b = random(rng, 37);
      const want = new Float32Array(37);
      T.binary(op, a, b, want, { kind: 'same', n: 37 });
      D.binary(op, a, b, a, { kind: 'same', n: 37 });
      expectSame(a, want);
    });
  });

  it('general broadcasts and gathers (offset tables) are split over threads with the same bits as the reference', () => {
    const rng = new Rng(7660);
    // An attention mask [B, 1, L] against [L, L], a row [B, 1, C] against [L, C], both large enough to split.
    const cases: [number[], number[]][] = [
      [
        [32, 1, 64],
        [64, 64],
      ],
      [
        [40, 1, 129],
        [33, 129],
      ],
    ];
    const before = addon.info().threads;
    try {
      for (const t of [1, 2, 3]) {
        addon.setThreads(t);
        for (const [sa, sb] of cases) {
          const out = broadcastShapes(sa, sb) ?? [];
          const plan = broadcastPlan(sa, sb, out);
          expect(plan.kind === 'general' && !plan.channel, `${sa} with ${sb} is a general plan`).toBe(true);
          const a = random(
            rng,
            sa.reduce((p, d) => p * d, 1),
            -3,
            3,
          );
          const b = random(
            rng,
            sb.reduce((p, d) => p * d, 1),
            -3,
            3,
          );
          a.set([NaN, -0, Infinity, 0], 0);
          b.set([0, 0, 2, -0], 0);
          for (const op of OPS) {
            const want = new Float32Array(plan.n);
            const got = new Float32Array(plan.n).fill(NaN);
            T.binary(op, a, b, want, plan);
            N.binary(op, a, b, got, plan);
            expectSame(got, want, `${op} ${sa} with ${sb} on ${t} threads`);
          }
        }
        // A channel broadcast with one pattern ([B, L, 1] against [B, L, D]): split by runs of D.
        for (const [sa, sb] of [
          [
            [32, 64, 1],
            [32, 64, 128],
          ],
          [
            [40, 33, 129],
            [40, 33, 1],
          ],
        ]) {
          const plan = broadcastPlan(sa, sb, broadcastShapes(sa, sb) ?? []);
          expect(plan.kind === 'general' && plan.channel !== undefined, `${sa} with ${sb} is a channel plan`).toBe(true);
          const a = random(
            rng,
            sa.reduce((p, d) => p * d, 1),
            -3,
            3,
          );
          const b = random(
            rng,
            sb.reduce((p, d) => p * d, 1),
            -3,
            3,
          );
          for (const op of OPS) {
            const want = new Float32Array(plan.n);
            const got = new Float32Array(plan.n).fill(NaN);
            T.binary(op, a, b, want, plan);
            N.binary(op, a, b, got, plan);
            expectSame(got, want, `${op} ${sa} with ${sb} on ${t} threads`);
          }
        }
        const x = random(rng, 32 * 64 * 4 * 32);
        const gathers: [string, Float32Array, GatherPlan][] = [
          ['broadcast_to [32, 64, 1] → [32, 64, 128]', x.subarray(0, 32 * 64), broadcastToPlan([32, 64, 1], [32, 64, 128])],
          ['transpose [32, 64, 4, 32] by [0, 2, 3, 1]', x, transposePlan([32, 64, 4, 32], [0, 2, 3, 1])],
        ];
        for (const [label, src, plan] of gathers) {
          const want = new Float32Array(plan.src.length);
          const got = new Float32Array(plan.src.length).fill(NaN);
          T.gather(src, want, plan);
          N.gather(src, got, plan);
          expectSame(got, want, `${label} on ${t} threads`);
        }
      }
    } finally {
      addon.setThreads(before);
    }
    expect(() => addon.gather(new Float32Array(4), Int32Array.from([0, 4]), new Float32Array(2))).toThrow(RangeError);
    expect(() => addon.gather(new Float32Array(4), Int32Array.from([-1, 0]), new Float32Array(2))).toThrow(RangeError);
    expect(() => addon.gather(new Float32Array(4), Int32Array.from([0, 1]), new Float32Array(1))).toThrow(RangeError);
    const off = Int32Array.from([0, 1]);
    expect(() => addon.binaryOffsets(0, new Float32Array(1), new Float32Array(2), new Float32Array(2), off, off)).toThrow(RangeError);
    expect(() => addon.binaryOffsets(0, new Float32Array(2), new Float32Array(2), new Float32Array(2), off, Int32Array.from([0]))).toThrow(RangeError);
    expect(() => addon.binaryOffsets(9, new Float32Array(2), new Float32Array(2), new Float32Array(2), off, off)).toThrow(RangeError);
  });

  const UNARY: { op: UnaryOp; p: number; exact: boolean }[] = [
    { op: 'neg', p: 0, exact: true },
    { op: 'exp', p: 0, exact: false },
    { op: 'log', p: 0, exact: false },
    { op: 'sqrt', p: 0, exact: true },
    { op: 'pow', p: 2, exact: true },
    { op: 'pow', p: 3, exact: false },
    { op: 'pow', p: 0.5, exact: false },
    { op: 'relu', p: 0, exact: true },
    { op: 'leaky_relu', p: 0.01, exact: true },
    { op: 'sigmoid', p: 0, exact: false },
    { op: 'tanh', p: 0, exact: false },
    { op: 'step', p: 0.3, exact: true },
  ];
  it.each(UNARY)('unary $op (p = $p)', ({ op, p, exact }) => {
    const rng = new Rng(7500);
    for (const n of [1, 5, 16, 31, 1001]) {
      const x = random(rng, n, -20, 20);
      if (n > 4) x.set([0, -0, NaN, Infinity], 0);
      const got = new Float32Array(n);
      const want = new Float32Array(n);
      D.unary(op, x, got, p);
      T.unary(op, x, want, p);
      if (exact) expectSame(got, want);
      else
        for (let i = 0; i < n; i++) {
          const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : got[i] === want[i] || Math.abs(got[i] - want[i]) <= 2.4e-7 * Math.abs(want[i]);
          if (!ok) throw new Error(`${op}(${x[i]}): ${got[i]} != ${want[i]}`);
        }
    }
  });

  it('long elementwise passes are split over threads with the same bits as the reference', () => {
    const rng = new Rng(7650);
    const row = 1001;
    const n = 300 * row;
    const a = random(rng, n, -3, 3);
    const b = random(rng, n, -3, 3);
    a[5] = NaN;
    a[6] = -0;
    a[n - 1] = -Infinity;
    b[7] = NaN;
    const bRow = random(rng, row);
    const before = addon.info().threads;
    try {
      for (const t of [1, 3]) {
        addon.setThreads(t);
        const plans: [string, Float32Array, Float32Array, BroadcastPlan][] = [
          ['same', a, b, { kind: 'same', n }],
          ['scalarB', a, b.subarray(0, 1), { kind: 'scalarB', n }],
          ['scalarA', a.subarray(0, 1), b, { kind: 'scalarA', n }],
          ['rowB', a, bRow, { kind: 'rowB', n, row }],
          ['rowA', bRow, b, { kind: 'rowA', n, row }],
        ];
        for (const [label, x, y, plan] of plans) {
          for (const op of OPS) {
            const want = new Float32Array(n);
            const got = new Float32Array(n);
            T.binary(op, x, y, want, plan);
            N.binary(op, x, y, got, plan);
            expectSame(got, want, `${op} ${label} on ${t} threads`);
          }
        }
        for (const op of ['neg', 'exp', 'log', 'sqrt', 'relu', 'sigmoid', 'tanh', 'step'] as UnaryOp[]) {
          const want = new Float32Array(n);
          const got = new Float32Array(n);
          T.unary(op, a, want, 0);
          N.unary(op, a, got, 0);
          expectSame(got, want, `${op} on ${t} threads`);
        }
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        T.maskPositive(b, a, want);
        N.maskPositive(b, a, got);
        expectSame(got, want, `maskPositive on ${t} threads`);
      }
    } finally {
      addon.setThreads(before);
    }
  });

  describe('row softmaxes', () => {
    /**
     * |a − b| within 2 float32 ulps of the larger (the C library's exp may round differently from
     * Math.exp), or a (native) 0 where b (the reference) is a float32 denormal: the native kernels
     * flush denormals to zero (FTZ), JavaScript keeps them.
     */
    const close = (a: number, b: number) =>
      (Number.isNaN(a) && Number.isNaN(b)) ||
      a === b ||
      (a === 0 && Math.abs(b) < 2 ** -126) ||
      Math.abs(a - b) <= 2 * 2 ** -23 * Math.max(Math.abs(a), Math.abs(b));
    const SHAPES: [number, number][] = [
      [1, 1],
      [3, 10],
      [7, 33],
      [128, 10],
      [2000, 17],
    ];
    it('softmax, log-softmax and softmax cross-entropy agree with the reference, on any thread count', () => {
      const rng = new Rng(7670);
      const before = addon.info().threads;
      try {
        for (const [rows, cols] of SHAPES) {
          const x = random(rng, rows * cols, -30, 30);
          if (rows * cols > 20) {
            x[3] = 80; // a large logit: exp would overflow without the row maximum
            x[cols + 1] = -Infinity;
          }
          const labels = Float32Array.from({ length: rows }, (_, r) => (r % 11 === 5 ? cols : r % 13 === 7 ? 0.5 : rng.int(cols)));
          const results = [1, 3].map((t) => {
            addon.setThreads(t);
            const sm = new Float32Array(rows * cols);
            const lsm = new Float32Array(rows * cols);
            const xe = new Float32Array(rows);
            N.softmax(x, sm, { rows, cols }, false);
            N.softmax(x, lsm, { rows, cols }, true);
            N.softmaxXent(x, labels, xe, { rows, cols });
            return [sm, lsm, xe];
          });
          for (let k = 0; k < 3; k++) expectSame(results[1][k], results[0][k]);
          const want = [new Float32Array(rows * cols), new Float32Array(rows * cols), new Float32Array(rows)];
          T.softmax(x, want[0], { rows, cols }, false);
          T.softmax(x, want[1], { rows, cols }, true);
          T.softmaxXent(x, labels, want[2], { rows, cols });
          for (let k = 0; k < 3; k++) {
            const bad = [...results[0][k]].map((v, i) => [v, want[k][i], i]).filter(([a, b]) => !close(a, b));
            expect(bad.slice(0, 3), `${['softmax', 'log-softmax', 'xent'][k]} ${rows}x${cols}`).toEqual([]);
          }
          expect(Number.isNaN(results[0][2][5 % rows]) === (labels[5 % rows] === cols || labels[5 % rows] === 0.5)).toBe(true);
        }
      } finally {
        addon.setThreads(before);
      }
      expect(() => addon.softmax(new Float32Array(5), new Float32Array(6), 2, 3, false)).toThrow(RangeError);
      expect(() => addon.softmaxXent(new Float32Array(6), new Float32Array(1), new Float32Array(2), 2, 3)).toThrow(RangeError);
    });
  });

  it('softmax over masked scores (−1e9 and −∞ added, as attention does) agrees with the reference, with exact zeros where masked', () => {
    const rng = new Rng(7680);
    const [rows, cols] = [300, 64];
    const x = random(rng, rows * cols, -8, 8);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        if (c > r % cols) x[r * cols + c] += r % 7 === 3 ? -Infinity : -1e9; // causal
        if (r % 50 === 10) x[r * cols + c] = -1e9; // a row masked everywhere: a uniform softmax
        if (r % 50 === 20) x[r * cols + c] = c === 0 ? 0 : c === 1 ? -745.5 : c === 2 ? -746.5 : -800; // around the cut
      }
    const before = addon.info().threads;
    try {
      const results = [1, 2].map((t) => {
        addon.setThreads(t);
        const sm = new Float32Array(rows * cols);
        const lsm = new Float32Array(rows * cols);
        N.softmax(x, sm, { rows, cols }, false);
        N.softmax(x, lsm, { rows, cols }, true);
        return [sm, lsm];
      });
      for (let k = 0; k < 2; k++) expectSame(results[1][k], results[0][k]);
      const want = [new Float32Array(rows * cols), new Float32Array(rows * cols)];
      T.softmax(x, want[0], { rows, cols }, false);
      T.softmax(x, want[1], { rows, cols }, true);
      const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 2 * 2 ** -23 * Math.max(Math.abs(a), Math.abs(b));
      for (let k = 0; k < 2; k++) {
        const bad = [...results[0][k]].map((v, i) => [v, want[k][i], i]).filter(([a, b]) => !close(a, b));
        expect(bad.slice(0, 3), ['softmax', 'log-softmax'][k]).toEqual([]);
      }
      for (let i = 0; i < rows * cols; i++)
        if (x[i] < -1e8 && Math.max(...x.subarray(i - (i % cols), i - (i % cols) + cols)) > -1e8) expect(results[0][0][i]).toBe(0);
      expect(results[0][0][10 * cols + 5]).toBe(Math.fround(1 / cols));
    } finally {
      addon.setThreads(before);
    }
  });

  it('mse: the mean squared error of each row, bit for bit, on any thread count', () => {
    const rng = new Rng(3115);
    const before = addon.info().threads;
    try {
      for (const [rows, cols] of [
        [1, 1],
        [3, 10],
        [7, 33],
        [300, 64],
        [2, 0],
      ] as const) {
        const a = random(rng, rows * cols, -40, 40);
        const b = random(rng, rows * cols, -40, 40);
        if (rows * cols > 20) [a[4], b[cols + 2], a[2 * cols]] = [NaN, Infinity, 3e38];
        const want = new Float32Array(rows);
        T.mse(a, b, want, { rows, cols });
        for (const t of [1, 3]) {
          addon.setThreads(t);
          const got = new Float32Array(rows);
          D.mse(a, b, got, { rows, cols });
          expect(Buffer.from(got.buffer), `${rows}x${cols} on ${t} threads`).toEqual(Buffer.from(want.buffer));
        }
      }
    } finally {
      addon.setThreads(before);
    }
    expect(() => addon.mse(new Float32Array(6), new Float32Array(5), new Float32Array(2), 2, 3)).toThrow(RangeError);
    expect(() => addon.mse(new Float32Array(6), new Float32Array(6), new Float32Array(1), 2, 3)).toThrow(RangeError);
  });

  it('maskPositive: g · [x > 0] with signed zeros, NaN and infinities, bit for bit', () => {
    const x = Float32Array.from([1, -1, 0, -0, NaN, Infinity, -Infinity, 2, 3, -2, ...Array.from({ length: 200 }, (_, i) => Math.sin(i))]);
    const g = Float32Array.from([-2, 3, NaN, -1, 4, -0, 5, Infinity, -Infinity, -3, ...Array.from({ length: 200 }, (_, i) => Math.cos(i) - 0.5)]);
    const want = new Float32Array(x.length);
    const got = new Float32Array(x.length);
    T.maskPositive(g, x, want);
    D.maskPositive(g, x, got);
    const bitsOf = (f: Float32Array) => Array.from(new Uint32Array(f.buffer));
    expect(bitsOf(got)).toEqual(bitsOf(want));
  });

  it('abs and sign, with both zeros and NaN', () => {
    const x = Float32Array.from([0, -0, 1.5, -2, NaN, Infinity, -Infinity, 1e-3]);
    for (const f of ['abs', 'sign'] as const) {
      const got = new Float32Array(x.length);
      const want = new Float32Array(x.length);
      D[f](x, got);
      T[f](x, want);
      expectSame(got, want);
    }
  });

  describe.each([{ n: 257 }, { n: 300_001 }])('optimizer updates, bit for bit over several steps ($n elements: long ones are split over threads)', ({ n }) => {
    function state(seed: number, count: number): Float32Array[] {
      const rng = new Rng(seed);
      return Array.from({ length: count }, (_, i) => random(rng, n, i === 3 ? 0 : -1, 1));
    }
    const steps = (f: (k: typeof D, s: Float32Array[], g: Float32Array) => void, count: number) => {
      const a = state(7600, count);
      const b = a.map((x) => Float32Array.from(x));
      const rng = new Rng(7601);
      for (let step = 0; step < 5; step++) {
        const g = random(rng, n);
        f(D, a, g);
        f(T, b, g);
      }
      for (let i = 0; i < count; i++) expectSame(a[i], b[i]);
    };
    it('sgd', () => steps((k, [w], g) => k.sgdStep(w, g, 0.1), 1));
    it('momentum', () => steps((k, [w, buf], g) => k.momentumStep(w, g, buf, 0.05, 0.9, false), 2));
    it('nesterov', () => steps((k, [w, buf], g) => k.momentumStep(w, g, buf, 0.05, 0.9, true), 2));
    it('adagrad', () => steps((k, [w, , , sum], g) => k.adagradStep(w, g, sum, 0.1, 1e-10), 4));
    it('rmsprop', () => steps((k, [w, , , sq], g) => k.rmspropStep(w, g, sq, null, 0.01, 0.99, 0, 1e-8), 4));
    it('rmsprop with momentum', () => steps((k, [w, buf, , sq], g) => k.rmspropStep(w, g, sq, buf, 0.01, 0.9, 0.5, 1e-8), 4));
    it('adam', () => steps((k, [w, m, , v], g) => k.adamStep(w, g, m, v, 0.9, 0.999, (1e-3 * Math.sqrt(1 - 0.999)) / (1 - 0.9), 1e-8), 4));
    it('decay', () => steps((k, [w]) => k.decayStep(w, 1e-3), 1));
    it('penalty gradient', () => steps((k, [w, g0], g) => (k.penaltyGrad(w, g0, 0.01, 0.001), k.sgdStep(w, g, 0.1)), 2));
  });
});

describe.skipIf(nativeAvailable)('without the native addon', () => {
  it('auto falls back to ts and native says why it is unavailable', () => {
    expect(kernelsFor('auto').name).toBe('ts');
    expect(() => kernelsFor('native')).toThrow(/native backend is unavailable/);
  });
});

describe('DLF_THREADS', () => {
  it('is unset (every hardware thread), or an integer from 1 to 16; anything else is a usage error', () => {
    expect(threadsFromEnv({})).toBeUndefined();
    expect(threadsFromEnv({ DLF_THREADS: '' })).toBeUndefined();
    expect(threadsFromEnv({ DLF_THREADS: ' 2 ' })).toBe(2);
    expect(threadsFromEnv({ DLF_THREADS: '16' })).toBe(16);
    for (const bad of ['0', '17', '1.5', 'two', '-1']) {
      expect(() => threadsFromEnv({ DLF_THREADS: bad }), bad).toThrow(/DLF_THREADS must be an integer from 1 to 16/);
    }
  });
});
