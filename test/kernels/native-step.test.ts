// The native kernels a dense training step leans on, against the TypeScript reference: the matmul
// with its bias and relu epilogue (the same bits as the native matmul, add and relu run one after
// another, on any thread count), the sums over a batch's rows (a dense bias gradient: the
// reference's own order, so the same bits), and a batch of images read from bytes through a table
// (the same floats). Skipped when the addon is not built.
import { describe, expect, it } from 'vitest';
import type { MatmulDims } from '../../src/kernels/kernels.js';
import { nativeKernels, nativeStatus } from '../../src/kernels/native.js';
import { reducePlan } from '../../src/kernels/plans.js';
import { tsKernels as T } from '../../src/kernels/ts/index.js';
import { Rng } from '../../src/tensor/rng.js';

const status = nativeStatus();

function random(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng.uniform();
  return x;
}

const bits = (f: Float32Array) => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));

/**
 * Runs f on 1, 2 and 3 threads at the CPU's highest dispatch level, then on 2 threads at each
 * lower level (AVX2, portable C), and puts both settings back.
 */
function onThreads<R>(addon: { setThreads(n: number): number; setLevel(l: number): number }, threads: number, maxLevel: number, f: () => R): R[] {
  try {
    const outs = [1, 2, 3].map((t) => {
      addon.setThreads(t);
      return f();
    });
    for (let level = maxLevel - 1; level >= 0; level--) {
      addon.setLevel(level);
      outs.push(f());
    }
    return outs;
  } finally {
    addon.setThreads(threads);
    addon.setLevel(maxLevel);
  }
}

describe.skipIf(!status.available)('native kernels of a dense training step', () => {
  if (!status.available) return;
  const { addon } = status;
  const D = nativeKernels(addon, 0);
  const { threads, maxLevel } = addon.info();
  const each = <R>(f: () => R) => onThreads(addon, threads, maxLevel, f);

  describe('matmulBiasAct', () => {
    // Shapes of a 784-256-128-10 perceptron at batch 128 and 1, odd sizes, a batch of matrices sharing B.
    const CASES: MatmulDims[] = [
      { batch: 1, m: 128, k: 784, n: 256, transA: false, transB: false, strideA: 0, strideB: 0 },
      { batch: 1, m: 128, k: 256, n: 128, transA: false, transB: false, strideA: 0, strideB: 0 },
      { batch: 1, m: 128, k: 128, n: 10, transA: false, transB: false, strideA: 0, strideB: 0 },
      { batch: 1, m: 1, k: 784, n: 256, transA: false, transB: false, strideA: 0, strideB: 0 },
      { batch: 1, m: 37, k: 19, n: 45, transA: true, transB: false, strideA: 0, strideB: 0 },
      { batch: 1, m: 9, k: 33, n: 17, transA: false, transB: true, strideA: 0, strideB: 0 },
      { batch: 3, m: 5, k: 7, n: 33, transA: false, transB: false, strideA: 35, strideB: 0 },
      { batch: 2, m: 1, k: 0, n: 5, transA: false, transB: false, strideA: 0, strideB: 0 },
    ];
    it.each(CASES.flatMap((d) => (['relu', 'none'] as const).map((act) => ({ d, act, name: `${d.batch}x${d.m}x${d.k}x${d.n} ${act}` }))))(
      '$name: the bits of matmul, then the bias add, then relu, at each dispatch level; the same on 1 to 3 threads; near the reference',
      ({ d, act }) => {
        const rng = new Rng(8100 + d.m + d.n);
        const a = random(rng, Math.max(1, d.batch * d.m * d.k));
        const b = random(rng, Math.max(1, d.k * d.n));
        const bias = random(rng, d.n, -0.5, 0.5);
        bias[0] = NaN; // a NaN column stays NaN without relu and is 0 after it, as the relu kernel does
        const size = d.batch * d.m * d.n;
        const outs = each(() => {
          const fused = new Float32Array(size).fill(7);
          D.matmulBiasAct(a, b, bias, fused, d, act);
          const unfused = new Float32Array(size);
          D.matmul(a, b, unfused, d);
          D.binary('add', unfused, bias, unfused, { kind: 'rowB', n: size, row: d.n });
          if (act === 'relu') D.unary('relu', unfused, unfused, 0);
          expect(bits(fused)).toEqual(bits(unfused));
          return fused;
        });
        // The same bits on any thread count (the dispatch levels' products differ in rounding: FMA or not).
        for (const o of outs.slice(1, 3)) expect(bits(o)).toEqual(bits(outs[0]));
        const want = new Float32Array(size);
        T.matmulBiasAct(a, b, bias, want, d, act);
        for (let i = 0; i < size; i++) {
          if (Number.isNaN(want[i])) expect(outs[0][i]).toBeNaN();
          else expect(Math.abs(outs[0][i] - want[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i])));
        }
      },
    );
    it('checks its buffers', () => {
      const f = (n: number) => new Float32Array(n);
      expect(() => addon.matmulBiasAct(f(6), f(6), f(1), f(4), 1, 2, 2, 3, false, false, 0, 0, true)).toThrow(RangeError); // bias short
      addon.matmulBiasAct(f(6), f(6), f(2), f(4), 1, 2, 2, 3, false, false, 0, 0, true);
      expect(() => addon.matmulBiasAct(f(6), f(6), f(3), f(3), 1, 2, 2, 3, false, false, 0, 0, true)).toThrow(RangeError); // out short
      expect(() => addon.matmulBiasAct(f(6), f(6), new Float64Array(2) as never, f(4), 1, 2, 2, 3, false, false, 0, 0, true)).toThrow(TypeError);
    });
  });

  describe('sums over the leading axis', () => {
    const SHAPES: [number, number][] = [
      [128, 256],
      [128, 10],
      [1, 7],
      [5, 1],
      [3, 33],
      [1000, 300],
      [2, 17],
      [2048, 128], // the W4 transformer's bias gradients
      [300, 700], // bands wider than one 256-column block of running sums
    ];
    it.each(SHAPES.map(([rows, cols]) => ({ rows, cols })))(
      '[$rows, $cols]: the reference bits, sum and mean, on 1 to 3 threads and every dispatch level',
      ({ rows, cols }) => {
        const rng = new Rng(8200 + rows + cols);
        const x = random(rng, rows * cols, -1, 3);
        x[cols - 1] = NaN;
        const plan = reducePlan([rows, cols], [0]);
        for (const op of ['sum', 'mean'] as const) {
          const want = new Float32Array(cols);
          T.reduce(op, x, want, plan);
          const outs = each(() => {
            const got = new Float32Array(cols).fill(9);
            D.reduce(op, x, got, plan);
            const direct = new Float32Array(cols);
            addon.columnSums(op === 'mean', x, direct, rows, cols);
            expect(bits(direct)).toEqual(bits(got));
            return got;
          });
          for (const o of outs) expect(bits(o)).toEqual(bits(want));
        }
      },
    );
    it('leave other reductions to the kernels that did them', () => {
      // Over the middle axis of [4, 5, 6] (kept offsets not contiguous), and over the last axis.
      const rng = new Rng(8210);
      const x = random(rng, 120);
      for (const [shape, axes] of [
        [[4, 5, 6], [1]],
        [[20, 6], [1]],
        [
          [4, 5, 6],
          [0, 1],
        ],
      ] as [number[], number[]][]) {
        const plan = reducePlan(shape, axes);
        const out = plan.kept.length;
        const want = new Float32Array(out);
        const got = new Float32Array(out);
        T.reduce('sum', x, want, plan);
        D.reduce('sum', x, got, plan);
        for (let i = 0; i < out; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * 120);
      }
    });
    it('check their buffers', () => {
      expect(() => addon.columnSums(false, new Float32Array(5), new Float32Array(3), 2, 3)).toThrow(RangeError);
      expect(() => addon.columnSums(false, new Float32Array(6), new Float32Array(2), 2, 3)).toThrow(RangeError);
    });
  });

  describe('byteRows', () => {
    it('reads the rows of a 60,000-image store through a table as the reference does, on 1 to 3 threads and every dispatch level', () => {
      const size = 784;
      const images = 60_000;
      const bytes = new Uint8Array(images * size);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      const table = new Float32Array(256);
      for (let v = 0; v < 256; v++) table[v] = v / 255 - 0.5;
      table[3] = NaN;
      const rng = new Rng(8300);
      for (const count of [1, 7, 128, 300]) {
        const rows = Int32Array.from({ length: count }, () => rng.int(images));
        rows[0] = images - 1;
        const want = new Float32Array(count * size);
        T.byteRows(bytes, rows, table, want, size);
        const outs = each(() => {
          const got = new Float32Array(count * size);
          D.byteRows(bytes, rows, table, got, size);
          return got;
        });
        for (const o of outs) expect(bits(o)).toEqual(bits(want));
      }
    });
    it('refuses a row outside the bytes and arrays of the wrong type', () => {
      const bytes = new Uint8Array(12);
      const table = new Float32Array(256);
      const out = new Float32Array(8);
      expect(() => addon.byteRows(bytes, Int32Array.from([0, 3]), table, out, 4)).toThrow(RangeError);
      expect(() => addon.byteRows(bytes, Int32Array.from([0, -1]), table, out, 4)).toThrow(RangeError);
      expect(() => addon.byteRows(bytes, Int32Array.from([0, 2]), new Float32Array(255), out, 4)).toThrow(RangeError);
      expect(() => addon.byteRows(bytes, Int32Array.from([0, 2]), table, new Float32Array(7), 4)).toThrow(RangeError);
      expect(() => addon.byteRows(new Int8Array(12) as never, Int32Array.from([0]), table, out, 4)).toThrow(TypeError);
      expect(() => addon.byteRows(bytes, Uint32Array.from([0]) as never, table, out, 4)).toThrow(TypeError);
      addon.byteRows(bytes, Int32Array.from([2, 0]), table, out, 4);
    });
  });
});
