// The lowered convolution kernels (im2col and GEMM, and the zero-skipping scatter for sparse
// gradients) that run when a geometry is planned `lowered`, against the naive float64
// references: odd sizes, strides 2 and [2, 3], dilation, symmetric, asymmetric and wide padding,
// one input channel, filter counts on and off blocks of four; gradients dense (the GEMM), sparse
// (the scatter) and mixed within a batch; non-finite operands next to zero gradients; the shared
// scratch reused across calls and geometries; and which geometries convPlan lowers.
import { describe, expect, it } from 'vitest';
import { convDims } from '../../src/graph/ops/_window.js';
import type { Conv2dDims } from '../../src/kernels/kernels.js';
import { type ConvKernel, convPlan, lowered } from '../../src/kernels/plans.js';
import { convScratch, convScratchBytes, convScratchHeld } from '../../src/kernels/ts/conv-scratch.js';
import { SPARSE_DENSITY } from '../../src/kernels/ts/conv-lowered.js';
import { Rng } from '../../src/tensor/rng.js';
import { K } from '../backend.js';
import { DTYPES } from './close.js';
import { type ConvCase, naive, run, worstError } from './conv-ref.js';

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
      const dl = lowered(d);
      const { out, guard } = run(Ctor, d.n * d.f * d.oh * d.ow, (o) => K.conv2d(x, w, o, dl));
      expect(worstError(out, naive('conv', x, w, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });

    it.each(SPARSITY)('conv2dGradInput, $label', ({ zerosOf }) => {
      const grad = gradient(Ctor, new Rng(5), d, zerosOf);
      const dl = lowered(d);
      const { out, guard } = run(Ctor, x.length, (o) => K.conv2dGradInput(grad, w, o, dl));
      expect(worstError(out, naive('input', grad, w, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });

    it.each(SPARSITY)('conv2dGradWeight, $label', ({ zerosOf }) => {
      const grad = gradient(Ctor, new Rng(6), d, zerosOf);
      const dl = lowered(d);
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
    K.conv2dGradInput(grad, w, gi, lowered(d));
    K.conv2dGradWeight(x, grad, gw, lowered(d));
    const nanOf = (a: ArrayLike<number>) => Array.from(a, (v) => Number.isNaN(v));
    expect(nanOf(gi)).toEqual(nanOf(naive('input', grad, w, d).value));
    expect(nanOf(gw)).toEqual(nanOf(naive('weight', x, grad, d).value));
    expect(nanOf(gi).some(Boolean) && nanOf(gw).some(Boolean)).toBe(true);
  });
});

describe('scratch memory', () => {
  it('is shared and reused across calls and geometries without leaking one call into the next: the results repeat bit for bit', () => {
    const rng = new Rng(11);
    const calls: { label: string; run: () => Float32Array }[] = [];
    for (const c of [CASES[7], CASES[9], CASES[1]]) {
      const d = lowered(dimsOf(c));
      const x = random(Float32Array, rng, prod(c.x));
      const w = random(Float32Array, rng, prod(c.w));
      for (const zeros of [0.9, 0, 0.5]) {
        const g = gradient(Float32Array, rng, d, () => zeros);
        const kernels: [ConvKernel, (o: Float32Array) => void, number][] = [
          ['conv2d', (o) => K.conv2d(x, w, o, d), d.n * d.f * d.oh * d.ow],
          ['gradInput', (o) => K.conv2dGradInput(g, w, o, d), prod(c.x)],
          ['gradWeight', (o) => K.conv2dGradWeight(x, g, o, d), prod(c.w)],
        ];
        for (const [kind, call, size] of kernels) {
          calls.push({
            label: `${c.label} ${kind} zeros ${zeros}`,
            run: () => {
              const o = new Float32Array(size);
              call(o);
              return o;
            },
          });
        }
      }
    }
    const first = calls.map((c) => c.run());
    const again = [...calls]
      .reverse()
      .map((c) => c.run())
      .reverse();
    calls.forEach((c, i) => expect([...again[i]], c.label).toEqual([...first[i]]));
    // One buffer, as large as the largest geometry's need.
    const need = Math.max(
      ...[CASES[7], CASES[9], CASES[1]].flatMap((c) => (['conv2d', 'gradInput', 'gradWeight'] as const).map((k) => convScratchBytes(k, dimsOf(c)))),
    );
    expect(convScratchHeld()).toBeGreaterThanOrEqual(need);
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
      for (const kind of ['conv2d', 'gradInput', 'gradWeight'] as const) expect(convPlan(kind, d).lowered, kind).toBe(true);
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
    const s = convScratch('gradWeight', d);
    expect(s.col.f32.length).toBe(400 * 196);
    expect(s.col.f64.length).toBe(400 * 196);
    expect(s.col.f32.buffer).toBe(s.col.f64.buffer);
    expect(s.fp.f32.length).toBe(32 * 196);
    expect(s.fk.f32.length).toBe(32 * 400);
    expect(s.acc.length).toBe(32 * 400);
    expect(s.gemm).toMatchObject({ batch: 1, m: 32, n: 400, k: 196 });
  });
});
