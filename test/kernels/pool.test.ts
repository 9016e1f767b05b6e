// The reference pooling kernels against literal cases (padded cells never win a maximum nor count
// in a mean; ties go to the first cell) and against naive float64 loops over random shapes: odd
// sizes, stride 2, overlapping windows, symmetric and asymmetric padding; plus the adjoint
// identities of the two gradients.
import { describe, expect, it } from 'vitest';
import { poolDims } from '../../src/graph/ops/_window.js';
import type { Pool2dDims } from '../../src/kernels/kernels.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { DTYPES, expectClose } from './close.js';

type Buf = Float32Array | Float64Array;
type Ctor = typeof Float32Array | typeof Float64Array;

const CASES = [
  { x: [2, 3, 6, 6], attrs: { kernel: 2 }, label: 'kernel 2, even' },
  { x: [1, 2, 7, 9], attrs: { kernel: 3, stride: 2, padding: 1 }, label: 'kernel 3, stride 2, padding 1, odd' },
  { x: [2, 1, 5, 6], attrs: { kernel: [3, 2], stride: 1, padding: [1, 0, 1, 1] }, label: 'overlapping, asymmetric padding' },
  { x: [1, 2, 5, 5], attrs: { kernel: 2 }, label: 'odd, last row and column dropped' },
  { x: [1, 1, 8, 7], attrs: { kernel: [4, 3], stride: [3, 2], padding: [2, 3, 0, 2] }, label: 'uneven everything' },
];

/** Naive window walk: the real cells (flat indices into x) of every window, in output order. */
function windows(d: Pool2dDims): number[][] {
  const out: number[][] = [];
  for (let p = 0; p < d.planes; p++)
    for (let oy = 0; oy < d.oh; oy++)
      for (let ox = 0; ox < d.ow; ox++) {
        const cells: number[] = [];
        for (let ky = 0; ky < d.kh; ky++)
          for (let kx = 0; kx < d.kw; kx++) {
            const y = oy * d.sh - d.pt + ky;
            const x = ox * d.sw - d.pl + kx;
            if (y >= 0 && y < d.h && x >= 0 && x < d.w) cells.push((p * d.h + y) * d.w + x);
          }
        out.push(cells);
      }
  return out;
}

/** The first maximal cell of a window. */
function argmax(x: Buf, cells: number[]): number {
  return cells.reduce((best, i) => (x[i] > x[best] ? i : best), cells[0]);
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

describe('pooling literal cases', () => {
  // A 4×4 plane: 0..15 shuffled with a negative corner.
  const X = [3, -1, 4, 1, -5, 9, 2, 6, 5, 3, 5, 8, -9, 7, 9, 3];
  for (const { name, Ctor, tol } of DTYPES) {
    it(`max and mean over 2×2 windows (${name})`, () => {
      const d = poolDims([1, 1, 4, 4], { kernel: 2 });
      const max = new Ctor(4);
      const avg = new Ctor(4);
      K.maxPool2d(Ctor.from(X), max, d);
      K.avgPool2d(Ctor.from(X), avg, d);
      expect([...max]).toEqual([9, 6, 7, 9]);
      expectClose(avg, [1.5, 3.25, 1.5, 6.25], tol);
    });

    it(`padding: padded cells never win and are not counted (${name})`, () => {
      // All negative, so a padded 0 would win a max and shrink a mean if it were counted.
      const x = Ctor.from([-1, -2, -3, -4]);
      const d = poolDims([1, 1, 2, 2], { kernel: 2, stride: 1, padding: 1 });
      expect([d.oh, d.ow]).toEqual([3, 3]);
      const max = new Ctor(9);
      const avg = new Ctor(9);
      K.maxPool2d(x, max, d);
      K.avgPool2d(x, avg, d);
      expect([...max]).toEqual([-1, -1, -2, -1, -1, -2, -3, -3, -4]);
      expectClose(avg, [-1, -1.5, -2, -2, -2.5, -3, -3, -3.5, -4], tol);
    });

    it(`maxPool2dGrad routes to the first of tied maxima and sums overlapping windows (${name})`, () => {
      // A 1×4 plane [2, 5, 5, 1] with 1×3 windows at stride 1: both windows hold the tie 5, 5 and
      // pick its first cell (index 1), where their gradients add up.
      const d = poolDims([1, 1, 1, 4], { kernel: [1, 3], stride: 1 });
      const out = new Ctor(4).fill(NaN);
      K.maxPool2dGrad(Ctor.from([2, 5, 5, 1]), Ctor.from([10, 100]), out, d);
      expect([...out]).toEqual([0, 110, 0, 0]);
    });

    it(`maxPool2dGrad and maxPool2dPick on the 4×4 plane (${name})`, () => {
      const d = poolDims([1, 1, 4, 4], { kernel: 2 });
      const grad = new Ctor(16).fill(NaN);
      K.maxPool2dGrad(Ctor.from(X), Ctor.from([1, 2, 3, 4]), grad, d);
      // argmaxes: 9 at (1,1), 6 at (1,3), 7 at (3,1), 9 at (3,2).
      expect([...grad]).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 4, 0]);
      const pick = new Ctor(4);
      K.maxPool2dPick(Ctor.from(X), Ctor.from(X.map((_, i) => i)), pick, d);
      expect([...pick]).toEqual([5, 7, 13, 14]);
    });

    it(`avgPool2dGrad spreads over the real cells only (${name})`, () => {
      const d = poolDims([1, 1, 2, 2], { kernel: 2, stride: 1, padding: 1 });
      const out = new Ctor(4).fill(NaN);
      // Only the centre window (index 4) covers all four cells; the corner windows cover one each.
      K.avgPool2dGrad(Ctor.from([1, 0, 0, 0, 4, 0, 0, 0, 0]), out, d);
      expectClose(out, [2, 1, 1, 1], tol);
    });
  }

  it('a NaN wins its windows', () => {
    const d = poolDims([1, 1, 2, 2], { kernel: 2, stride: 1, padding: [0, 0, 0, 1] });
    const out = new Float64Array(2);
    K.maxPool2d(Float64Array.from([1, NaN, 3, 2]), out, d);
    expect([...out]).toEqual([NaN, NaN]);
  });
});

describe.each(DTYPES)('pooling kernels against naive loops ($name)', ({ Ctor, tol }) => {
  describe.each(CASES)('$label: x $x, $attrs', (c) => {
    const d = poolDims(c.x, c.attrs);
    const win = windows(d);
    const rng = new Rng(prod(c.x));
    const x = random(Ctor, rng, prod(c.x));
    const u = random(Ctor, rng, prod(c.x));
    const g = random(Ctor, rng, win.length);

    it('every window holds a real cell', () => {
      expect(win.every((cells) => cells.length > 0)).toBe(true);
    });

    it('maxPool2d and maxPool2dPick', () => {
      const out = new Ctor(win.length).fill(NaN);
      K.maxPool2d(x, out, d);
      expect([...out]).toEqual(win.map((cells) => x[argmax(x, cells)]));
      K.maxPool2dPick(x, u, out, d);
      expect([...out]).toEqual(win.map((cells) => u[argmax(x, cells)]));
    });

    it('maxPool2dGrad', () => {
      const ref = new Float64Array(x.length);
      win.forEach((cells, o) => (ref[argmax(x, cells)] += g[o]));
      const out = new Ctor(x.length).fill(NaN);
      K.maxPool2dGrad(x, g, out, d);
      expectClose(out, ref, tol);
    });

    it('avgPool2d and avgPool2dGrad', () => {
      const out = new Ctor(win.length).fill(NaN);
      K.avgPool2d(x, out, d);
      expectClose(
        out,
        win.map((cells) => cells.reduce((s, i) => s + x[i], 0) / cells.length),
        { rtol: tol.rtol, atol: 1e-6 },
      );
      const ref = new Float64Array(x.length);
      win.forEach((cells, o) => cells.forEach((i) => (ref[i] += g[o] / cells.length)));
      const back = new Ctor(x.length).fill(NaN);
      K.avgPool2dGrad(g, back, d);
      expectClose(back, ref, { rtol: tol.rtol, atol: 1e-6 });
    });
  });
});

describe('the gradients are adjoints (float64)', () => {
  it.each(CASES)('<pick(x, u), g> = <u, maxGrad(x, g)> and <avg(u), g> = <u, avgGrad(g)>: $label', (c) => {
    const d = poolDims(c.x, c.attrs);
    const rng = new Rng(11);
    const x = random(Float64Array, rng, prod(c.x));
    const u = random(Float64Array, rng, prod(c.x));
    const g = random(Float64Array, rng, d.planes * d.oh * d.ow);
    const pick = new Float64Array(g.length);
    const back = new Float64Array(x.length);
    K.maxPool2dPick(x, u, pick, d);
    K.maxPool2dGrad(x, g, back, d);
    expect(Math.abs(dot(pick, g) - dot(u, back))).toBeLessThan(1e-12);
    K.avgPool2d(u, pick, d);
    K.avgPool2dGrad(g, back, d);
    expect(Math.abs(dot(pick, g) - dot(u, back))).toBeLessThan(1e-12);
  });
});

describe('pooling geometry', () => {
  it.each([
    { x: [1, 1, 28, 28], attrs: { kernel: 2 }, out: [14, 14] },
    { x: [1, 1, 7, 7], attrs: { kernel: 2 }, out: [3, 3] },
    { x: [1, 1, 7, 7], attrs: { kernel: 3, stride: 2, padding: 1 }, out: [4, 4] },
    { x: [1, 1, 5, 8], attrs: { kernel: [2, 3], stride: [1, 2], padding: [0, 1, 1, 2] }, out: [5, 5] },
  ])('x $x, $attrs → $out', ({ x, attrs, out }) => {
    const d = poolDims(x, attrs);
    expect([d.oh, d.ow]).toEqual(out);
  });

  it('rejects padding as wide as the window, a window larger than the input, and a missing kernel', () => {
    expect(() => poolDims([1, 1, 4, 4], { kernel: 2, padding: 2 })).toThrow(/smaller than the window/);
    expect(() => poolDims([1, 1, 2, 2], { kernel: 3 })).toThrow(/larger than the padded input/);
    expect(() => poolDims([1, 1, 2, 2], {} as never)).toThrow(/kernel/);
    expect(() => poolDims([1, 4, 4], { kernel: 2 })).toThrow(/NCHW/);
  });
});
