// Reference gather and reduction kernels over plans from kernels/plans.ts, against literals.
import { describe, expect, it } from 'vitest';
import { broadcastToPlan, reducePlan, transposePlan } from '../../src/kernels/plans.js';
import { K } from '../backend.js';
import { DTYPES, expectClose } from './close.js';

// A [2, 3, 4] tensor of distinct integers in no particular order: ((7i) mod 24) - 11.
const X = [-11, -4, 3, 10, -7, 0, 7, -10, -3, 4, 11, -6, 1, 8, -9, -2, 5, 12, -5, 2, 9, -8, -1, 6];
const SHAPE = [2, 3, 4];

const REDUCE = [
  { axes: [], innerKept: true, sum: X, mean: X, max: X },
  {
    axes: [0],
    innerKept: true,
    sum: [-10, 4, -6, 8, -2, 12, 2, -8, 6, -4, 10, 0],
    mean: [-5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5, 0],
    max: [1, 8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6],
  },
  {
    axes: [1],
    innerKept: true,
    sum: [-21, 0, 21, -6, 15, 12, -15, 6],
    mean: [-7, 0, 7, -2, 5, 4, -5, 2],
    max: [-3, 4, 11, 10, 9, 12, -1, 6],
  },
  {
    axes: [2],
    innerKept: false,
    sum: [-2, -10, 6, -2, 14, 6],
    mean: [-0.5, -2.5, 1.5, -0.5, 3.5, 1.5],
    max: [10, 7, 11, 8, 12, 9],
  },
  { axes: [0, 1], innerKept: true, sum: [-6, 12, 6, 0], mean: [-1, 2, 1, 0], max: [9, 12, 11, 10] },
  { axes: [0, 2], innerKept: false, sum: [-4, 4, 12], mean: [-0.5, 0.5, 1.5], max: [10, 12, 11] },
  { axes: [1, 2], innerKept: false, sum: [-6, 18], mean: [-0.5, 1.5], max: [11, 12] },
  { axes: [0, 1, 2], innerKept: false, sum: [12], mean: [0.5], max: [12] },
];

describe('reduce over a [2, 3, 4] tensor', () => {
  describe.each(REDUCE)('axes $axes', (c) => {
    it(`plans innerKept=${c.innerKept}`, () => {
      const plan = reducePlan(SHAPE, c.axes);
      expect(plan.innerKept).toBe(c.innerKept);
      expect(plan.kept.length).toBe(c.sum.length);
      expect(plan.kept.length * plan.red.length).toBe(X.length);
    });

    for (const { name, Ctor, tol } of DTYPES) {
      it.each(['sum', 'mean', 'max'] as const)(`%s (${name})`, (op) => {
        const plan = reducePlan(SHAPE, c.axes);
        // Stale values in the output must not leak into the result.
        const out = new Ctor(c[op].length + 1).fill(999);
        K.reduce(op, Ctor.from(X), out.subarray(0, c[op].length), plan);
        expectClose(out.subarray(0, c[op].length), c[op], tol);
        expect(out[c[op].length]).toBe(999);
      });
    }
  });

  it('both summation orders agree on a [3, 5] tensor (innerKept true and false)', () => {
    const x = Float64Array.from({ length: 15 }, (_, i) => (i * 3) % 7);
    const cols = new Float64Array(5);
    const rows = new Float64Array(3);
    const pc = reducePlan([3, 5], [0]);
    const pr = reducePlan([3, 5], [1]);
    expect([pc.innerKept, pr.innerKept]).toEqual([true, false]);
    K.reduce('sum', x, cols, pc);
    K.reduce('sum', x, rows, pr);
    // x = [0 3 6 2 5 / 1 4 0 3 6 / 2 5 1 4 0]
    expect([...cols]).toEqual([3, 12, 7, 9, 11]);
    expect([...rows]).toEqual([16, 14, 12]);
  });
});

describe('reduce edge cases', () => {
  it('a rank-0 tensor reduces to itself', () => {
    const plan = reducePlan([], []);
    const out = new Float32Array(1);
    for (const op of ['sum', 'mean', 'max'] as const) {
      K.reduce(op, Float32Array.from([-2.5]), out, plan);
      expect(out[0]).toBe(-2.5);
    }
  });

  it('max propagates NaN wherever it sits and handles -Infinity', () => {
    const plan = reducePlan([4, 3], [1]);
    const x = Float64Array.from([1, NaN, 3, NaN, 1, 2, 5, 6, NaN, -Infinity, -Infinity, -Infinity]);
    const out = new Float64Array(4);
    K.reduce('max', x, out, plan);
    expectClose(out, [NaN, NaN, NaN, -Infinity]);
  });

  it('max over all-negative values is not 0', () => {
    const out = new Float32Array(1);
    K.reduce('max', Float32Array.from([-3, -1, -2]), out, reducePlan([3], [0]));
    expect(out[0]).toBe(-1);
  });
});

describe('gather through transpose and broadcast plans', () => {
  const n24 = Array.from({ length: 24 }, (_, i) => i);
  it.each([
    { label: 'transpose [2, 3] by [1, 0]', plan: () => transposePlan([2, 3], [1, 0]), src: [0, 3, 1, 4, 2, 5] },
    { label: 'identity transpose', plan: () => transposePlan([2, 3, 4], [0, 1, 2]), src: n24 },
    {
      label: 'transpose [2, 3, 4] by [2, 0, 1]',
      plan: () => transposePlan([2, 3, 4], [2, 0, 1]),
      src: [0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23],
    },
    {
      label: 'transpose [2, 3, 4] by [1, 0, 2]',
      plan: () => transposePlan([2, 3, 4], [1, 0, 2]),
      src: [0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23],
    },
    {
      label: 'transpose [2, 3, 4] by [0, 2, 1]',
      plan: () => transposePlan([2, 3, 4], [0, 2, 1]),
      src: [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23],
    },
    { label: 'broadcast [3] to [2, 3]', plan: () => broadcastToPlan([3], [2, 3]), src: [0, 1, 2, 0, 1, 2] },
    { label: 'broadcast [2, 1] to [2, 3]', plan: () => broadcastToPlan([2, 1], [2, 3]), src: [0, 0, 0, 1, 1, 1] },
    { label: 'broadcast [] to [2, 2]', plan: () => broadcastToPlan([], [2, 2]), src: [0, 0, 0, 0] },
    {
      label: 'broadcast [1, 3, 1] to [2, 3, 2]',
      plan: () => broadcastToPlan([1, 3, 1], [2, 3, 2]),
      src: [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2],
    },
  ])('$label', ({ plan, src }) => {
    const p = plan();
    expect([...p.src]).toEqual(src);
    // Distinct values, so the gathered output shows where each element came from.
    const x = Float32Array.from(n24, (i) => 100 + i);
    const out = new Float32Array(src.length);
    K.gather(x, out, p);
    expect([...out]).toEqual(src.map((i) => 100 + i));
  });

  it('gathers a [2, 3] transpose on float64 values', () => {
    const out = new Float64Array(6);
    K.gather(Float64Array.from([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]), out, transposePlan([2, 3], [1, 0]));
    expect([...out]).toEqual([1.5, 4.5, 2.5, 5.5, 3.5, 6.5]);
  });
});
