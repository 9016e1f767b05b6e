// The reference convolution kernels (conv2d and its two gradients) against small literal cases and
// against naive float64 loops over random shapes: odd sizes, strides of 2 and 3, symmetric and
// asymmetric padding (also wider than the kernel), dilation 2, channel and filter counts on and
// off the kernels' blocks of four; plus the adjoint identities that make the two gradients the
// transposes of the convolution.
import { describe, expect, it } from 'vitest';
import { convDims } from '../../src/graph/ops/_window.js';
import type { Conv2dDims } from '../../src/kernels/kernels.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { DTYPES, expectClose } from './close.js';
import { type ConvCase, naive, run, worstError } from './conv-ref.js';

type Buf = Float32Array | Float64Array;
type Ctor = typeof Float32Array | typeof Float64Array;
type Case = ConvCase;

const CASES: Case[] = [
  { x: [2, 3, 7, 5], w: [4, 3, 3, 3], label: 'plain 3×3' },
  { x: [1, 2, 9, 8], w: [3, 2, 3, 3], stride: 2, padding: 1, label: 'stride 2, padding 1, odd sizes' },
  { x: [2, 2, 11, 9], w: [2, 2, 3, 2], dilation: 2, padding: [2, 2, 1, 1], label: 'dilation 2' },
  { x: [1, 3, 6, 7], w: [2, 3, 2, 3], stride: [2, 3], padding: [0, 1, 2, 1], label: 'asymmetric padding, stride [2,3]' },
  { x: [3, 1, 5, 5], w: [1, 1, 1, 1], stride: 2, label: '1×1 kernel, stride 2' },
  { x: [1, 2, 4, 3], w: [3, 2, 4, 3], label: 'kernel as large as the input' },
  { x: [1, 1, 3, 4], w: [2, 1, 2, 2], padding: 3, label: 'padding wider than the kernel' },
  { x: [2, 4, 13, 10], w: [5, 4, 5, 3], stride: [3, 2], dilation: [2, 1], padding: [4, 1, 0, 3], label: 'everything at once' },
  { x: [2, 9, 6, 5], w: [6, 9, 2, 3], stride: 2, padding: [1, 0, 0, 1], label: 'channels and filters past a block of four' },
];

function dimsOf(c: Case): Conv2dDims {
  return convDims(c.x, c.w, { stride: c.stride, padding: c.padding, dilation: c.dilation });
}

function random(Ctor: Ctor, rng: Rng, n: number): Buf {
  const x = new Ctor(n);
  for (let i = 0; i < n; i++) x[i] = 2 * rng.uniform() - 1;
  return x;
}

const prod = (s: readonly number[]) => s.reduce((p, q) => p * q, 1);
function dot(a: Buf, b: Buf): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('conv2d literal cases (x = 1..9 as 3×3, w = [[1, 2], [3, 4]])', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const w = [1, 2, 3, 4];
  for (const { name, Ctor } of DTYPES) {
    it(`valid, stride 1 (${name})`, () => {
      const d = convDims([1, 1, 3, 3], [1, 1, 2, 2], {});
      expect([d.oh, d.ow]).toEqual([2, 2]);
      const out = new Ctor(4);
      K.conv2d(Ctor.from(x), Ctor.from(w), out, d);
      expect([...out]).toEqual([37, 47, 67, 77]);
    });

    it(`padding 1, stride 2: padded cells read 0 (${name})`, () => {
      const d = convDims([1, 1, 3, 3], [1, 1, 2, 2], { stride: 2, padding: 1 });
      expect([d.oh, d.ow]).toEqual([2, 2]);
      const out = new Ctor(4);
      K.conv2d(Ctor.from(x), Ctor.from(w), out, d);
      expect([...out]).toEqual([4, 18, 36, 77]);
    });

    it(`dilation 2 over a 3×3 input takes the corners (${name})`, () => {
      const d = convDims([1, 1, 3, 3], [1, 1, 2, 2], { dilation: 2 });
      expect([d.oh, d.ow]).toEqual([1, 1]);
      const out = new Ctor(1);
      K.conv2d(Ctor.from(x), Ctor.from(w), out, d);
      expect([...out]).toEqual([1 * 1 + 3 * 2 + 7 * 3 + 9 * 4]);
    });

    it(`gradient with respect to the input: w summed where it was applied (${name})`, () => {
      const d = convDims([1, 1, 3, 3], [1, 1, 2, 2], {});
      const out = new Ctor(9).fill(NaN);
      K.conv2dGradInput(Ctor.from([1, 1, 1, 1]), Ctor.from(w), out, d);
      expect([...out]).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    });

    it(`gradient with respect to the weights: windows of x summed (${name})`, () => {
      const d = convDims([1, 1, 3, 3], [1, 1, 2, 2], {});
      const out = new Ctor(4).fill(NaN);
      K.conv2dGradWeight(Ctor.from(x), Ctor.from([1, 1, 1, 1]), out, d);
      expect([...out]).toEqual([12, 16, 24, 28]);
    });
  }

  it('two channels and two filters sum over channels per filter', () => {
    // x: channel 0 = 1..4, channel 1 = 10·(1..4) as 2×2; filters 1×1: f0 = [1, 0], f1 = [1, -1].
    const d = convDims([1, 2, 2, 2], [2, 2, 1, 1], {});
    const out = new Float64Array(8);
    K.conv2d(Float64Array.from([1, 2, 3, 4, 10, 20, 30, 40]), Float64Array.from([1, 0, 1, -1]), out, d);
    expectClose(out, [1, 2, 3, 4, -9, -18, -27, -36]);
  });
});

describe.each(DTYPES)('conv2d kernels against naive float64 loops ($name)', ({ name, Ctor }) => {
  const tol = name === 'f32' ? 1e-5 : 1e-13;

  describe.each(CASES)('$label: x $x, w $w', (c) => {
    const d = dimsOf(c);
    const rng = new Rng(prod(c.x) * 31 + prod(c.w));
    const x = random(Ctor, rng, prod(c.x));
    const w = random(Ctor, rng, prod(c.w));
    const grad = random(Ctor, rng, d.n * d.f * d.oh * d.ow);

    it('conv2d', () => {
      const { out, guard } = run(Ctor, grad.length, (o) => K.conv2d(x, w, o, d));
      expect(worstError(out, naive('conv', x, w, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });

    it('conv2dGradInput', () => {
      const { out, guard } = run(Ctor, x.length, (o) => K.conv2dGradInput(grad, w, o, d));
      expect(worstError(out, naive('input', grad, w, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });

    it('conv2dGradWeight', () => {
      const { out, guard } = run(Ctor, w.length, (o) => K.conv2dGradWeight(x, grad, o, d));
      expect(worstError(out, naive('weight', x, grad, d))).toBeLessThanOrEqual(tol);
      expect(guard).toEqual([-123, -123, -123]);
    });
  });
});

describe('the gradients are the adjoints of the convolution (float64)', () => {
  it.each(CASES)('<conv(x, w), g> = <x, gradInput(g, w)> = <w, gradWeight(x, g)>: $label', (c) => {
    const d = dimsOf(c);
    const rng = new Rng(7);
    const x = random(Float64Array, rng, prod(c.x));
    const w = random(Float64Array, rng, prod(c.w));
    const g = random(Float64Array, rng, d.n * d.f * d.oh * d.ow);
    const y = new Float64Array(g.length);
    const gx = new Float64Array(x.length);
    const gw = new Float64Array(w.length);
    K.conv2d(x, w, y, d);
    K.conv2dGradInput(g, w, gx, d);
    K.conv2dGradWeight(x, g, gw, d);
    const ref = dot(y, g);
    const tol = 1e-12 * Math.max(1, Math.abs(ref));
    expect(Math.abs(dot(x, gx) - ref)).toBeLessThan(tol);
    expect(Math.abs(dot(w, gw) - ref)).toBeLessThan(tol);
  });
});

describe('output sizes', () => {
  it.each([
    { x: [1, 1, 28, 28], w: [8, 1, 3, 3], attrs: {}, out: [26, 26] },
    { x: [1, 1, 28, 28], w: [8, 1, 3, 3], attrs: { padding: 1 }, out: [28, 28] },
    { x: [1, 1, 28, 28], w: [8, 1, 3, 3], attrs: { stride: 2, padding: 1 }, out: [14, 14] },
    { x: [1, 1, 7, 7], w: [1, 1, 3, 3], attrs: { dilation: 2 }, out: [3, 3] },
    { x: [1, 1, 8, 5], w: [1, 1, 2, 2], attrs: { stride: [3, 2], padding: [0, 1, 1, 0] }, out: [3, 3] },
  ])('x $x, w $w, $attrs → $out', ({ x, w, attrs, out }) => {
    const d = convDims(x, w, attrs);
    expect([d.oh, d.ow]).toEqual(out);
  });

  it('rejects a kernel larger than the padded input, a channel mismatch, and bad attributes', () => {
    expect(() => convDims([1, 1, 3, 3], [1, 1, 4, 1], {})).toThrow(/spans 4×1 cells, more than the padded input's 3×3/);
    expect(() => convDims([1, 1, 3, 3], [1, 1, 2, 2], { dilation: 3 })).toThrow(/spans 4×4/);
    expect(() => convDims([1, 2, 3, 3], [1, 3, 2, 2], {})).toThrow(/expect 3 input channels/);
    expect(() => convDims([2, 3, 3], [1, 3, 2, 2], {})).toThrow(/NCHW/);
    expect(() => convDims([1, 1, 3, 3], [1, 1, 2, 2], { stride: 0 })).toThrow(/stride/);
    expect(() => convDims([1, 1, 3, 3], [1, 1, 2, 2], { padding: [1, 2, 3] })).toThrow(/padding/);
  });
});

describe('the kernels overwrite rather than accumulate', () => {
  it('gives the same result into a clean and a dirty buffer', () => {
    const c = CASES[3];
    const d = dimsOf(c);
    const rng = new Rng(3);
    const x = random(Float64Array, rng, prod(c.x));
    const w = random(Float64Array, rng, prod(c.w));
    const g = random(Float64Array, rng, d.n * d.f * d.oh * d.ow);
    for (const [size, k] of [
      [g.length, (o: Buf) => K.conv2d(x, w, o, d)],
      [x.length, (o: Buf) => K.conv2dGradInput(g, w, o, d)],
      [w.length, (o: Buf) => K.conv2dGradWeight(x, g, o, d)],
    ] as const) {
      const clean = new Float64Array(size);
      const dirty = new Float64Array(size).fill(1e6);
      k(clean);
      k(dirty);
      expect([...dirty]).toEqual([...clean]);
    }
  });
});
