// Reference elementwise kernels against hand-computed literals: every binary op on every
// BroadcastPlan kind, every unary op, copy and fill, on float32 and float64 buffers.
import { describe, expect, it } from 'vitest';
import type { BinaryOp, BroadcastPlan, UnaryOp } from '../../src/kernels/kernels.js';
import { withOverrides } from '../../src/kernels/overrides.js';
import { broadcastPlan } from '../../src/kernels/plans.js';
import { BACKEND, K } from '../backend.js';
import { broadcastShapes, sizeOf } from '../../src/tensor/shape.js';
import { DTYPES, expectClose } from './close.js';

interface BinaryCase {
  readonly label: string;
  readonly a: { shape: number[]; data: number[] };
  readonly b: { shape: number[]; data: number[] };
  readonly out: number[];
  readonly kind: BroadcastPlan['kind'];
  readonly row?: number;
  readonly expected: Record<BinaryOp, number[]>;
}

const BINARY: BinaryCase[] = [
  {
    label: 'same shapes',
    a: { shape: [2, 2], data: [1, 2, 3, 4] },
    b: { shape: [2, 2], data: [4, 2, -1, 4] },
    out: [2, 2],
    kind: 'same',
    expected: {
      add: [5, 4, 2, 8],
      sub: [-3, 0, 4, 0],
      mul: [4, 4, -3, 16],
      div: [0.25, 1, -3, 1],
      eq: [0, 1, 0, 1],
    },
  },
  {
    label: 'b is a scalar',
    a: { shape: [3], data: [2, -4, 6] },
    b: { shape: [], data: [2] },
    out: [3],
    kind: 'scalarB',
    expected: {
      add: [4, -2, 8],
      sub: [0, -6, 4],
      mul: [4, -8, 12],
      div: [1, -2, 3],
      eq: [1, 0, 0],
    },
  },
  {
    label: 'a is a [1, 1] scalar',
    a: { shape: [1, 1], data: [8] },
    b: { shape: [2, 2], data: [2, -4, 8, 0.5] },
    out: [2, 2],
    kind: 'scalarA',
    expected: {
      add: [10, 4, 16, 8.5],
      sub: [6, 12, 0, 7.5],
      mul: [16, -32, 64, 4],
      div: [4, -2, 1, 16],
      eq: [0, 0, 1, 0],
    },
  },
  {
    label: 'b is a bias row',
    a: { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    b: { shape: [3], data: [1, 2, 4] },
    out: [2, 3],
    kind: 'rowB',
    row: 3,
    expected: {
      add: [2, 4, 7, 5, 7, 10],
      sub: [0, 0, -1, 3, 3, 2],
      mul: [1, 4, 12, 4, 10, 24],
      div: [1, 1, 0.75, 4, 2.5, 1.5],
      eq: [1, 1, 0, 0, 0, 0],
    },
  },
  {
    label: 'b is a [1, 2, 2] block repeated along the leading axis',
    a: { shape: [2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] },
    b: { shape: [1, 2, 2], data: [1, 2, 4, 8] },
    out: [2, 2, 2],
    kind: 'rowB',
    row: 4,
    expected: {
      add: [2, 4, 7, 12, 6, 8, 11, 16],
      sub: [0, 0, -1, -4, 4, 4, 3, 0],
      mul: [1, 4, 12, 32, 5, 12, 28, 64],
      div: [1, 1, 0.75, 0.5, 5, 3, 1.75, 1],
      eq: [1, 1, 0, 0, 0, 0, 0, 1],
    },
  },
  {
    label: 'a is a row',
    a: { shape: [3], data: [1, 2, 4] },
    b: { shape: [2, 3], data: [2, 2, 2, 1, 4, 8] },
    out: [2, 3],
    kind: 'rowA',
    row: 3,
    expected: {
      add: [3, 4, 6, 2, 6, 12],
      sub: [-1, 0, 2, 0, -2, -4],
      mul: [2, 4, 8, 1, 8, 32],
      div: [0.5, 1, 2, 1, 0.5, 0.5],
      eq: [0, 1, 0, 1, 0, 0],
    },
  },
  {
    label: 'column times row (both broadcast)',
    a: { shape: [2, 1], data: [1, 2] },
    b: { shape: [1, 3], data: [1, 2, 4] },
    out: [2, 3],
    kind: 'general',
    expected: {
      add: [2, 3, 5, 3, 4, 6],
      sub: [0, -1, -3, 1, 0, -2],
      mul: [1, 2, 4, 2, 4, 8],
      div: [1, 0.5, 0.25, 2, 1, 0.5],
      eq: [1, 0, 0, 0, 1, 0],
    },
  },
  {
    label: 'b is a column (not a trailing row)',
    a: { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    b: { shape: [2, 1], data: [2, 4] },
    out: [2, 3],
    kind: 'general',
    expected: {
      add: [3, 4, 5, 8, 9, 10],
      sub: [-1, 0, 1, 0, 1, 2],
      mul: [2, 4, 6, 16, 20, 24],
      div: [0.5, 1, 1.5, 1, 1.25, 1.5],
      eq: [0, 1, 0, 1, 0, 0],
    },
  },
  {
    label: '3-D, both broadcast on different axes',
    a: { shape: [2, 1, 2], data: [1, 2, 3, 4] },
    b: { shape: [3, 1], data: [1, 2, 4] },
    out: [2, 3, 2],
    kind: 'general',
    expected: {
      add: [2, 3, 3, 4, 5, 6, 4, 5, 5, 6, 7, 8],
      sub: [0, 1, -1, 0, -3, -2, 2, 3, 1, 2, -1, 0],
      mul: [1, 2, 2, 4, 4, 8, 3, 4, 6, 8, 12, 16],
      div: [1, 2, 0.5, 1, 0.25, 0.5, 3, 4, 1.5, 2, 0.75, 1],
      eq: [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
    },
  },
];

const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'eq'];
const SENTINEL = 777;

describe('binary kernels over broadcast plans', () => {
  it('the cases cover every plan kind', () => {
    expect(new Set(BINARY.map((c) => c.kind))).toEqual(new Set(['same', 'scalarA', 'scalarB', 'rowA', 'rowB', 'general']));
  });

  describe.each(BINARY)('$label', (c) => {
    it(`plans as ${c.kind}`, () => {
      expect(broadcastShapes(c.a.shape, c.b.shape)).toEqual(c.out);
      const plan = broadcastPlan(c.a.shape, c.b.shape, c.out);
      expect(plan.kind).toBe(c.kind);
      expect(plan.n).toBe(sizeOf(c.out));
      if (c.row !== undefined) expect(plan).toMatchObject({ row: c.row });
    });

    for (const { name, Ctor, tol } of DTYPES) {
      it.each(OPS)(`%s (${name})`, (op) => {
        const plan = broadcastPlan(c.a.shape, c.b.shape, c.out);
        const n = sizeOf(c.out);
        const out = new Ctor(n + 2).fill(SENTINEL);
        K.binary(op, Ctor.from(c.a.data), Ctor.from(c.b.data), out.subarray(0, n), plan);
        expectClose(out.subarray(0, n), c.expected[op], tol);
        expect([...out.subarray(n)]).toEqual([SENTINEL, SENTINEL]);
      });
    }
  });

  it('div follows IEEE for zero divisors', () => {
    const out = new Float32Array(3);
    K.binary('div', Float32Array.from([1, -1, 0]), Float32Array.from([0]), out, broadcastPlan([3], [], [3]));
    expect([...out]).toEqual([Infinity, -Infinity, NaN]);
  });
});

interface UnaryCase {
  readonly p: number;
  readonly x: number[];
  readonly expected: number[];
}

const X = [-3, -0.5, 0, 0.5, 2];

/** Keyed by every UnaryOp, so the compiler rejects a table that misses one. */
const UNARY: Record<UnaryOp, UnaryCase[]> = {
  neg: [{ p: 0, x: X, expected: [3, 0.5, 0, -0.5, -2] }],
  exp: [{ p: 0, x: X, expected: [0.049787068367863944, 0.6065306597126334, 1, 1.6487212707001282, 7.38905609893065] }],
  log: [{ p: 0, x: [0.25, 1, 2, 10, 0], expected: [-1.3862943611198906, 0, 0.6931471805599453, 2.302585092994046, -Infinity] }],
  sqrt: [{ p: 0, x: [0, 0.25, 4, 2], expected: [0, 0.5, 2, 1.4142135623730951] }],
  pow: [
    { p: 2, x: X, expected: [9, 0.25, 0, 0.25, 4] },
    { p: 3, x: X, expected: [-27, -0.125, 0, 0.125, 8] },
    { p: 0.5, x: [0.25, 1, 2, 9], expected: [0.5, 1, 1.4142135623730951, 3] },
    { p: -1, x: [0.25, 1, 2, -4], expected: [4, 1, 0.5, -0.25] },
  ],
  relu: [{ p: 0, x: X, expected: [0, 0, 0, 0.5, 2] }],
  leaky_relu: [
    { p: 0.1, x: X, expected: [-0.3, -0.05, 0, 0.5, 2] },
    { p: 0.25, x: X, expected: [-0.75, -0.125, 0, 0.5, 2] },
  ],
  sigmoid: [
    {
      p: 0,
      x: [-1000, -100, -3, -0.5, 0, 0.5, 2, 100, 1000],
      expected: [0, 3.720075976020836e-44, 0.04742587317756679, 0.37754066879814546, 0.5, 0.6224593312018546, 0.8807970779778823, 1, 1],
    },
  ],
  tanh: [{ p: 0, x: X, expected: [-0.9950547536867305, -0.46211715726000974, 0, 0.46211715726000974, 0.9640275800758169] }],
  step: [
    { p: 0, x: X, expected: [0, 0, 0, 1, 1] },
    { p: -1, x: X, expected: [-1, -1, -1, 1, 1] },
    { p: 0.5, x: X, expected: [0.5, 0.5, 0.5, 1, 1] },
  ],
};

describe('unary kernels', () => {
  const cases = (Object.entries(UNARY) as [UnaryOp, UnaryCase[]][]).flatMap(([op, cs]) => cs.map((c) => ({ op, ...c })));
  for (const { name, Ctor, tol } of DTYPES) {
    it.each(cases)(`$op p=$p (${name})`, ({ op, p, x, expected }) => {
      const out = new Ctor(x.length + 1).fill(SENTINEL);
      K.unary(op, Ctor.from(x), out.subarray(0, x.length), p);
      expectClose(out.subarray(0, x.length), expected, tol);
      expect(out[x.length]).toBe(SENTINEL);
    });
  }

  it('sigmoid never gives NaN or leaves [0, 1], even at ±1e30', () => {
    const x = Float32Array.from([-1e30, -1000, -88, -50, 50, 88, 1000, 1e30]);
    const out = new Float32Array(x.length);
    K.unary('sigmoid', x, out, 0);
    for (const v of out) {
      expect(Number.isNaN(v)).toBe(false);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(out[0]).toBe(0);
    expect(out[out.length - 1]).toBe(1);
  });

  it('step at exactly 0 takes the low value', () => {
    const out = new Float64Array(2);
    K.unary('step', Float64Array.from([0, -0]), out, 0.25);
    expect([...out]).toEqual([0.25, 0.25]);
  });
});

describe('copy, fill and withOverrides', () => {
  it('copy copies and fill fills', () => {
    const out = new Float32Array(3);
    K.copy(Float32Array.from([1, 2, 3]), out);
    expect([...out]).toEqual([1, 2, 3]);
    K.fill(out, -2.5);
    expect([...out]).toEqual([-2.5, -2.5, -2.5]);
  });

  it('withOverrides replaces only the given kernels and renames the set', () => {
    const calls: string[] = [];
    const k = withOverrides(K, 'test', { fill: (out, v) => (calls.push('fill'), out.fill(v + 1)) });
    expect(k.name).toBe('test');
    expect(k.copy).toBe(K.copy);
    const out = new Float32Array(2);
    k.fill(out, 1);
    expect([...out]).toEqual([2, 2]);
    expect(calls).toEqual(['fill']);
    expect(K.name).toBe(BACKEND);
  });
});
