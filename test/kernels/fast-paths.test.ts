// The plan forms that let kernels skip their offset tables, and the branch-free unary loops, each
// against the general path they stand in for: the channel form of a 'general' broadcast (a
// per-channel bias [C, 1, 1] against [N, C, H, W]), the block form of a reduction (a per-channel
// sum over [N, C, H, W]), and relu and step on every special value.
import { describe, expect, it } from 'vitest';
import type { BinaryOp, BroadcastPlan, ReducePlan } from '../../src/kernels/kernels.js';
import { broadcastPlan, reducePlan } from '../../src/kernels/plans.js';
import { Rng } from '../../src/tensor/rng.js';
import { type Shape, broadcastShapes, sizeOf } from '../../src/tensor/shape.js';
import { K } from '../backend.js';
import { DTYPES } from './close.js';

function random(n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => Math.round((4 * rng.uniform() - 2) * 8) / 8 || 0.5);
}

/** The same plan without its fast form, so that the kernel walks the offset tables. */
function tablesOnly<P extends BroadcastPlan | ReducePlan>(plan: P): P {
  const { channel: _c, block: _b, ...rest } = plan as P & { channel?: unknown; block?: unknown };
  return rest as P;
}

const CHANNEL_CASES: { a: Shape; b: Shape; channel?: { side: 'a' | 'b'; mid: number; inner: number } }[] = [
  { a: [2, 4, 3, 5], b: [4, 1, 1], channel: { side: 'b', mid: 4, inner: 15 } },
  { a: [4, 1, 1], b: [3, 4, 2, 2], channel: { side: 'a', mid: 4, inner: 4 } },
  { a: [3, 2, 4, 5], b: [1, 2, 4, 1], channel: { side: 'b', mid: 8, inner: 5 } },
  { a: [2, 3, 4], b: [3, 1], channel: { side: 'b', mid: 3, inner: 4 } },
  { a: [2, 3, 4, 5], b: [3, 1, 5] }, // not consecutive
  { a: [2, 3, 1], b: [3, 4] }, // both sides broadcast
];

describe('the channel form of a general broadcast', () => {
  it.each(CHANNEL_CASES)('a $a, b $b', ({ a, b, channel }) => {
    const out = broadcastShapes(a, b)!;
    const plan = broadcastPlan(a, b, out);
    expect(plan.kind).toBe('general');
    expect(plan.kind === 'general' && plan.channel).toEqual(channel ?? undefined);
  });

  for (const { name, Ctor } of DTYPES) {
    it.each(CHANNEL_CASES.filter((c) => c.channel))(`gives what the offset tables give, every op (${name}): a $a, b $b`, ({ a, b }) => {
      const rng = new Rng(sizeOf(a) + 7 * sizeOf(b));
      const out = broadcastShapes(a, b)!;
      const n = sizeOf(out);
      const xa = Ctor.from(random(sizeOf(a), rng));
      const xb = Ctor.from(random(sizeOf(b), rng));
      xa[1] = xb[0]; // something for eq to find
      const plan = broadcastPlan(a, b, out);
      for (const op of ['add', 'sub', 'mul', 'div', 'eq'] as BinaryOp[]) {
        const fast = new Ctor(n + 1).fill(777);
        const slow = new Ctor(n);
        K.binary(op, xa, xb, fast.subarray(0, n), plan);
        K.binary(op, xa, xb, slow, tablesOnly(plan));
        expect([...fast.subarray(0, n)], op).toEqual([...slow]);
        expect(fast[n]).toBe(777);
      }
    });
  }
});

describe('the block form of a reduction', () => {
  const CASES: { shape: Shape; axes: number[]; block?: { outer: number; mid: number; inner: number } }[] = [
    { shape: [3, 4, 2, 5], axes: [0, 2, 3], block: { outer: 3, mid: 4, inner: 10 } },
    { shape: [3, 4, 2, 5], axes: [2, 3], block: { outer: 1, mid: 12, inner: 10 } },
    { shape: [3, 4, 2, 5], axes: [0, 3], block: { outer: 3, mid: 8, inner: 5 } },
    { shape: [3, 4, 5], axes: [2], block: { outer: 1, mid: 12, inner: 5 } },
    { shape: [3, 4, 5], axes: [1] }, // the last axis is kept
    { shape: [3, 4, 5, 2], axes: [1, 3] }, // the kept axes are not consecutive
    { shape: [3, 4], axes: [0, 1] }, // nothing kept
  ];

  it.each(CASES)('shape $shape, axes $axes', ({ shape, axes, block }) => {
    expect(reducePlan(shape, axes).block).toEqual(block);
  });

  for (const { name, Ctor } of DTYPES) {
    it.each(CASES.filter((c) => c.block))(`gives what the offset tables give, sum, mean and max (${name}): $shape over $axes`, ({ shape, axes }) => {
      const rng = new Rng(sizeOf(shape));
      const x = Ctor.from(random(sizeOf(shape), rng));
      const plan = reducePlan(shape, axes);
      const n = plan.kept.length;
      for (const op of ['sum', 'mean', 'max'] as const) {
        const fast = new Ctor(n + 1).fill(777);
        const slow = new Ctor(n);
        K.reduce(op, x, fast.subarray(0, n), plan);
        K.reduce(op, x, slow, tablesOnly(plan));
        expect([...fast.subarray(0, n)], op).toEqual([...slow]);
        expect(fast[n]).toBe(777);
      }
    });
  }

  it('max propagates NaN and handles -Infinity as the tables do', () => {
    const shape = [2, 3, 4];
    const x = Float64Array.from(random(24, new Rng(3)));
    x[5] = NaN;
    x.fill(-Infinity, 16, 20);
    const plan = reducePlan(shape, [0, 2]);
    const fast = new Float64Array(3);
    const slow = new Float64Array(3);
    K.reduce('max', x, fast, plan);
    K.reduce('max', x, slow, tablesOnly(plan));
    expect([...fast]).toEqual([...slow]);
    expect(Number.isNaN(fast[1])).toBe(true);
  });
});

describe('branch-free relu and step keep the value of every special input', () => {
  const X = [-Infinity, -2.5, -1e-30, -0, 0, 1e-30, 0.75, 3, Infinity, NaN];
  for (const { name, Ctor } of DTYPES) {
    it(`relu: x > 0 ? x : +0, NaN → 0 (${name})`, () => {
      const out = new Ctor(X.length);
      K.unary('relu', Ctor.from(X), out, 0);
      const expected = Ctor.from(X.map((v) => (v > 0 ? v : 0)));
      expect([...out]).toEqual([...expected]);
      expect(out.every((v) => !Object.is(v, -0))).toBe(true);
    });

    it.each([0, -1, 0.25, 0.1, -0.3, 1e-9, Infinity, NaN])(`step p=%s: x > 0 ? 1 : p (${name})`, (p) => {
      const out = new Ctor(X.length);
      K.unary('step', Ctor.from(X), out, p);
      expect([...out]).toEqual([...Ctor.from(X.map((v) => (v > 0 ? 1 : p)))]);
    });
  }
});
