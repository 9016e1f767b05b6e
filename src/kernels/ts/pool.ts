// Reference 2-D pooling kernels over planes of NCHW tensors. A window is clipped to its plane, so
// padded cells never win a maximum and never count in a mean. The argmax of a window is its first
// maximal cell in row-major order; a NaN wins (and so propagates) as soon as it is seen.
// Every kernel walks the windows in output order: plane p, then row oy, then column ox.
import type { Buf } from '../../tensor/buffer.js';
import type { Pool2dDims } from '../kernels.js';

/** Index (into x) of the maximum over rows [y0, y1) × columns [x0, x1) of the plane at `base`. */
function argmax(x: Buf, base: number, W: number, y0: number, y1: number, x0: number, x1: number): number {
  let best = base + y0 * W + x0;
  let m = x[best];
  if (m !== m) return best;
  for (let y = y0; y < y1; y++) {
    const row = base + y * W;
    for (let i = row + x0, end = row + x1; i < end; i++) {
      const v = x[i];
      if (v > m) {
        m = v;
        best = i;
      } else if (v !== v) return i;
    }
  }
  return best;
}

/** Sum over rows [y0, y1) × columns [x0, x1) of the plane at `base`. */
function windowSum(x: Buf, base: number, W: number, y0: number, y1: number, x0: number, x1: number): number {
  let s = 0;
  for (let y = y0; y < y1; y++) {
    const row = base + y * W;
    for (let i = row + x0, end = row + x1; i < end; i++) s += x[i];
  }
  return s;
}

/** What the kernels do per window. */
const MAX = 0;
const MAX_GRAD = 1;
const MAX_PICK = 2;
const AVG = 3;
const AVG_GRAD = 4;
type Mode = typeof MAX | typeof MAX_GRAD | typeof MAX_PICK | typeof AVG | typeof AVG_GRAD;

/** The one window walk: `a` is the input (x or grad), `b` the second input (grad or u) where there is one. */
function walk(mode: Mode, a: Buf, b: Buf | null, out: Buf, d: Pool2dDims): void {
  const { planes, h: H, w: W, oh: OH, ow: OW, kh, kw, sh, sw, pt, pl } = d;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * H * W;
    for (let oy = 0; oy < OH; oy++) {
      const ys = oy * sh - pt;
      const y0 = ys > 0 ? ys : 0;
      const y1 = ys + kh < H ? ys + kh : H;
      for (let ox = 0; ox < OW; ox++, o++) {
        const xs = ox * sw - pl;
        const x0 = xs > 0 ? xs : 0;
        const x1 = xs + kw < W ? xs + kw : W;
        switch (mode) {
          case MAX:
            out[o] = a[argmax(a, base, W, y0, y1, x0, x1)];
            break;
          case MAX_GRAD:
            out[argmax(a, base, W, y0, y1, x0, x1)] += b![o];
            break;
          case MAX_PICK:
            out[o] = b![argmax(a, base, W, y0, y1, x0, x1)];
            break;
          case AVG:
            out[o] = windowSum(a, base, W, y0, y1, x0, x1) / ((y1 - y0) * (x1 - x0));
            break;
          case AVG_GRAD: {
            const v = a[o] / ((y1 - y0) * (x1 - x0));
            for (let y = y0; y < y1; y++) {
              const row = base + y * W;
              for (let i = row + x0, end = row + x1; i < end; i++) out[i] += v;
            }
            break;
          }
        }
      }
    }
  }
}

export function maxPool2d(x: Buf, out: Buf, d: Pool2dDims): void {
  walk(MAX, x, null, out, d);
}

export function maxPool2dGrad(x: Buf, grad: Buf, out: Buf, d: Pool2dDims, mask = false): void {
  const n = d.planes * d.h * d.w;
  out.fill(0, 0, n);
  walk(MAX_GRAD, x, grad, out, d);
  // Then relu's gradient mask, as mask_positive computes it.
  if (mask) for (let i = 0; i < n; i++) out[i] = out[i] * +(x[i] > 0);
}

export function maxPool2dPick(x: Buf, u: Buf, out: Buf, d: Pool2dDims): void {
  walk(MAX_PICK, x, u, out, d);
}

export function avgPool2d(x: Buf, out: Buf, d: Pool2dDims): void {
  walk(AVG, x, null, out, d);
}

export function avgPool2dGrad(grad: Buf, out: Buf, d: Pool2dDims): void {
  out.fill(0, 0, d.planes * d.h * d.w);
  walk(AVG_GRAD, grad, null, out, d);
}
