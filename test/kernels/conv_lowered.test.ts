// The lowered convolution kernels (im2col and GEMM, and the zero-skipping scatter for sparse
// gradients) that run when a geometry is planned with scratch memory, against the naive float64
// references: odd sizes, strides 2 and [2, 3], dilation, symmetric, asymmetric and wide padding,
// one input channel, filter counts on and off blocks of four; gradients dense (the GEMM), sparse
// (the scatter) and mixed within a batch; non-finite operands next to zero gradients; scratch
// reused across calls; and which geometries convPlan lowers.
import { describe, expect, it } from 'vitest';
import { convDims } from '../../src/graph/ops/_window.js';
import type { Conv2dDims } from '../../src/kernels/kernels.js';
import { type ConvKernel, convPlan, withConvScratch } from '../../src/kernels/plans.js';
import { SPARSE_DENSITY } from '../../src/kernels/ts/conv_lowered.js';
import { Rng } from '../../src/tensor/rng.js';
import { K } from '../backend.js';
import { DTYPES } from './close.js';
import { type ConvCase, naive, run, worstError } from './conv_ref.js';

type Buf = Float32Array | Float64Array;
type Ctor = typeof Float32Array | typeof Float64Array;
type Case = ConvCase;

const CASES: Case[] = [
  { x: [3, 3, 7, 5], w: [4, 3, 3, 3], label: 'plain 3×3, odd sizes' },
  { x: [2, 1, 9, 9], w: [5, 1, 5, 5], padding: 2, label: "one channel, 'same' 5×5" },
  { x: [2, 2, 9, 8], w: [6, 2, 3, 3], stride: 2, padding: 1, label: 'stride 2, padding 1' },
  { x: [2, 2, 11, 9], w: [4, 2, 3, 2], dilation: 2, padding: [2, 2, 1, 1], label: 'dilation 2' },
  { x: [2, 3, 6, 7], w: [5, 3, 2, 3], stride: [2, 3], padding: [0, 1, 2, 1], label: 'asymmetric padding, stride [2,3]' },
  { x: [2, 2, 4, 3], w: [4, 2, 4, 3], label: 'kernel as large as the input' },
  { x: [2, 1, 3, 4], w: [4, 1, 2, 2], padding: 3, label: 'padding wider than the kernel' },
  { x: [3, 4, 13, 10], w: [7, 4, 5, 3], stride: [3, 2], dilation: [2, 1], padding: [4, 1, 0, 3], label: 'everything at once' },
  { x: [2, 9, 6, 5], w: [9, 9, 2, 3], stride: 2, padding: [1, 0, 0, 1], label: 'channels and filters past a block of four' },
  { x: [2, 16, 7, 7], w: [8, 16, 3, 3], padding: 1, label: 'many channels' },
  { x: [2, 3, 8, 7], w: [19, 3, 3, 3], padding: 1, label: 'many filters (several nonzeros per output cell)' },
];

const prod = (s: readonly number[]) => s.reduce((p, q) => p * q, 1);

function dimsOf(c: Case): Conv2dDims {
  return convDims(c.x, c.w, { stride: c.stride, padding: c.padding, dilation: c.dilation });
}

/** Uniform in [-1, 1), each element 0 with probability `zeros`. */
function random(Ctor: Ctor, rng: Rng, n: number, zeros = 0): Buf {
  const x = new Ctor(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    x[i] = zeros > 0 && rng.uniform() < zeros ? 0 : 2 * u - 1;
  }
  return x;
}

/** A gradient [n, f, oh, ow] whose sample b has the zero fraction `zerosOf(b)`. */
function gradient(Ctor: Ctor, rng: Rng, d: Conv2dDims, zerosOf: (b: number) => number): Buf {
  const per = d.f * d.oh * d.ow;
  const g = new Ctor(d.n * per);
  for (let b = 0; b < d.n; b++) g.set(random(Ctor, rng, per, zerosOf(b)), b * per);
  return g;
}


const SPARSITY = [
  { label: 'dense gradient (GEMM)', zerosOf: () => 0 },
  { label: 'sparse gradient (scatter)', zerosOf: () => 0.9 },
  { label: 'a third nonzero (scatter)', zerosOf: () => 0.67 },
  { label: 'sparse and dense samples mixed', zerosOf: (b: number) => (b % 2 === 0 ? 0.95 : 0.2) },
  { label: 'all-zero gradient', zerosOf: () => 1 },
];

describe.each(DTYPES)('lowered conv2d kernels against naive float64 loops ($name)', ({ name, Ctor }) => {
  const tol = name === 'f32' ? 1e-5 : 1e-13;

  describe.each(CASES)('$label: x $x, w $w', (c) => {
    const d = dimsOf(c);
    const rng = new Rng(prod(c.x) * 17 + prod(c.w));
    const x = random(Ctor, rng, prod(c.x));
    const w = random(Ctor, rng, prod(c.w));

    it('conv2d', () => {
      const dl = withConvScratch('conv2d', d);
      const { out, guard } = run(Ctor, d.n * d.f * d.oh * d.ow, (o) => K.conv2d(x, w, o, dl));
      expect(worstError(out, naive('conv', x, w, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });

    it.each(SPARSITY)('conv2dGradInput, $label', ({ zerosOf }) => {
      const grad = gradient(Ctor, new Rng(5), d, zerosOf);
      const dl = withConvScratch('gradInput', d);
      const { out, guard } = run(Ctor, x.length, (o) => K.conv2dGradInput(grad, w, o, dl));
      expect(worstError(out, naive('input', grad, w, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });

    it.each(SPARSITY)('conv2dGradWeight, $label', ({ zerosOf }) => {
      const grad = gradient(Ctor, new Rng(6), d, zerosOf);
      const dl = withConvScratch('gradWeight', d);
      const { out, guard } = run(Ctor, w.length, (o) => K.conv2dGradWeight(x, grad, o, dl));
      expect(worstError(out, naive('weight', x, grad, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });
  });
});

describe('the sparse paths', () => {
  it('are taken below SPARSE_DENSITY, which the sparse cases above stay well under', () => {
    expect(SPARSE_DENSITY).toBeGreaterThan(0.25);
    expect(SPARSE_DENSITY).toBeLessThan(0.8);
  });

  // 0 · ∞ is NaN: a zero gradient next to a non-finite operand must give what the dense product gives.
  it('keep 0 · ∞ = NaN: a non-finite weight or input turns off the zero skipping', () => {
    const c = CASES[0];
    const d = dimsOf(c);
    const rng = new Rng(9);
    const x = random(Float64Array, rng, prod(c.x));
    const w = random(Float64Array, rng, prod(c.w));
    w[5] = Infinity;
    x[7] = NaN;
    x[prod(c.x) - 2] = -Infinity;
    const grad = gradient(Float64Array, rng, d, () => 0.9);
    const gi = new Float64Array(x.length);
    const gw = new Float64Array(w.length);
    K.conv2dGradInput(grad, w, gi, withConvScratch('gradInput', d));
    K.conv2dGradWeight(x, grad, gw, withConvScratch('gradWeight', d));
    const nanOf = (a: ArrayLike<number>) => Array.from(a, (v) => Number.isNaN(v));
    expect(nanOf(gi)).toEqual(nanOf(naive('input', grad, w, d).value));
    expect(nanOf(gw)).toEqual(nanOf(naive('weight', x, grad, d).value));
    expect(nanOf(gi).some(Boolean) && nanOf(gw).some(Boolean)).toBe(true);
  });
});

describe('scratch memory', () => {
  it('is reused across calls without leaking one call into the next, and the results repeat bit for bit', () => {
    const c = CASES[7];
    const d = dimsOf(c);
    const rng = new Rng(11);
    const kernels: [ConvKernel, (dl: Conv2dDims, a: Buf, b: Buf, o: Buf) => void, number][] = [
      ['conv2d', (dl, a, b, o) => K.conv2d(a, b, o, dl), d.n * d.f * d.oh * d.ow],
      ['gradInput', (dl, a, b, o) => K.conv2dGradInput(a, b, o, dl), prod(c.x)],
      ['gradWeight', (dl, a, b, o) => K.conv2dGradWeight(a, b, o, dl), prod(c.w)],
    ];
    const operands = (kind: ConvKernel, zeros: number): [Buf, Buf] => {
      const x = random(Float32Array, rng, prod(c.x));
      const w = random(Float32Array, rng, prod(c.w));
      const g = gradient(Float32Array, rng, d, () => zeros);
      return kind === 'conv2d' ? [x, w] : kind === 'gradInput' ? [g, w] : [x, g];
    };
    for (const [kind, call, size] of kernels) {
      const shared = withConvScratch(kind, d);
      const first = operands(kind, 0.9);
      const second = operands(kind, 0);
      const third = operands(kind, 0.5);
      const outs = [first, second, third, first].map(([a, b]) => {
        const o = new Float32Array(size);
        call(shared, a, b, o);
        return o;
      });
      // Each call on shared scratch equals a call on fresh scratch, and a repeated call repeats.
      [first, second, third].forEach(([a, b], i) => {
        const fresh = new Float32Array(size);
        call(withConvScratch(kind, d), a, b, fresh);
        expect([...outs[i]], `${kind} call ${i}`).toEqual([...fresh]);
      });
      expect([...outs[3]]).toEqual([...outs[0]]);
    }
  });
});

describe('convPlan', () => {
  it("lowers the CNN's convolutions and their gradients", () => {
    for (const [x, w] of [
      [
        [64, 1, 28, 28],
        [16, 1, 5, 5],
      ],
      [
        [64, 16, 14, 14],
        [32, 16, 5, 5],
      ],
    ]) {
      const d = convDims(x, w, { padding: 2 });
      for (const kind of ['conv2d', 'gradInput', 'gradWeight'] as const) expect(convPlan(kind, d).scratch, kind).toBeDefined();
    }
  });

  it('keeps the direct loops for fewer than four filters or a tiny window', () => {
    const few = convDims([8, 8, 16, 16], [2, 8, 3, 3], { padding: 1 });
    const tiny = convDims([8, 4, 16, 16], [8, 4, 1, 1], {});
    for (const kind of ['conv2d', 'gradInput', 'gradWeight'] as const) {
      expect(convPlan(kind, few)).toBe(few);
      expect(convPlan(kind, tiny)).toBe(tiny);
    }
  });

  it('sizes the scratch for one sample', () => {
    const d = convDims([64, 16, 14, 14], [32, 16, 5, 5], { padding: 2 });
    const s = withConvScratch('gradWeight', d).scratch!;
    expect(s.col.f32.length).toBe(400 * 196);
    expect(s.col.f64.length).toBe(400 * 196);
    expect(s.col.f32.buffer).toBe(s.col.f64.buffer);
    expect(s.fp.f32.length).toBe(32 * 196);
    expect(s.fk.f32.length).toBe(32 * 400);
    expect(s.acc.length).toBe(32 * 400);
    expect(s.gemm).toMatchObject({ batch: 1, m: 32, n: 400, k: 196 });
  });
});
