// The naive float64 references for the convolution kernels, shared by the kernel tests: every
// (output cell, channel, tap) term summed in the plainest loop, with the sum of the terms'
// absolute values as the scale of the rounding error a kernel may make.
import type { Conv2dDims } from '../../src/kernels/kernels.js';

type Buf = Float32Array | Float64Array;

/** A convolution test case: input and kernel shapes (NCHW, [F, C, KH, KW]) and the geometry. */
export interface ConvCase {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride?: number | number[];
  padding?: number | number[];
  dilation?: number | number[];
  label: string;
}

/** Naive references in float64, each with the sum of absolute terms (the scale of the rounding error). */
export function naive(kind: 'conv' | 'input' | 'weight', a: Buf, b: Buf, d: Conv2dDims): { value: Float64Array; scale: Float64Array } {
  const { n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl } = d;
  const size = kind === 'conv' ? n * f * oh * ow : kind === 'input' ? n * c * h * w : f * c * kh * kw;
  const value = new Float64Array(size);
  const scale = new Float64Array(size);
  for (let bn = 0; bn < n; bn++)
    for (let fi = 0; fi < f; fi++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          for (let ci = 0; ci < c; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * sh - pt + ky * dh;
                const ix = ox * sw - pl + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const xi = ((bn * c + ci) * h + iy) * w + ix;
                const wi = ((fi * c + ci) * kh + ky) * kw + kx;
                const oi = ((bn * f + fi) * oh + oy) * ow + ox;
                // conv: a = x, b = w; input: a = grad, b = w; weight: a = x, b = grad.
                const [t, v] = kind === 'conv' ? [oi, a[xi] * b[wi]] : kind === 'input' ? [xi, a[oi] * b[wi]] : [wi, a[xi] * b[oi]];
                value[t] += v;
                scale[t] += Math.abs(v);
              }
  return { value, scale };
}

export function worstError(out: Buf, ref: { value: Float64Array; scale: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < out.length; i++) {
    const err = Math.abs(out[i] - ref.value[i]) / Math.max(ref.scale[i], 1e-30);
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

const GUARD = 3;

/** Runs a kernel into an output prefilled with NaN (stale contents) followed by guard cells. */
export function run(Ctor: typeof Float32Array | typeof Float64Array, size: number, kernel: (out: Buf) => void): { out: Buf; guard: number[] } {
  const buf = new Ctor(size + GUARD).fill(NaN);
  buf.fill(-123, size);
  kernel(buf.subarray(0, size));
  return { out: buf.subarray(0, size), guard: [...buf.subarray(size)] };
}
