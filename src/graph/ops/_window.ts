// Geometry shared by the windowed ops (conv2d, the poolings and their gradients): attribute
// parsing, output sizes, and the split of 'same' padding. Layouts are NCHW.
import type { Conv2dDims, Pool2dDims } from '../../kernels/kernels.js';
import { type Shape, shapeStr } from '../../tensor/shape.js';

/** A size for both spatial axes, or [height, width]. */
export type Pair = number | readonly number[];
/** Zeros on every side, [rows, cols] (each on both sides), or [top, bottom, left, right]. */
export type Padding = number | readonly number[];

export interface ConvAttrs {
  [k: string]: unknown;
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
}

export interface PoolAttrs {
  [k: string]: unknown;
  kernel: Pair;
  /** Default: the kernel. */
  stride?: Pair;
  padding?: Padding;
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** [height, width] from a Pair attribute of integers >= min (`dflt` when absent). */
export function pairOf(v: unknown, name: string, dflt: number | readonly number[], min = 1): [number, number] {
  const p = v ?? dflt;
  const both = typeof p === 'number' ? [p, p] : Array.isArray(p) ? p : [];
  if (both.length !== 2 || !both.every((d) => isInt(d, min))) {
    throw new Error(`attribute ${name} must be an integer >= ${min} or two of them, got ${JSON.stringify(v)}`);
  }
  return [both[0], both[1]];
}

/** [top, bottom, left, right] from a Padding attribute (0 when absent). */
export function padOf(v: unknown): [number, number, number, number] {
  const p = v ?? 0;
  const list = typeof p === 'number' ? [p, p, p, p] : Array.isArray(p) ? (p.length === 2 ? [p[0], p[0], p[1], p[1]] : p) : [];
  if (list.length !== 4 || !list.every((d) => isInt(d, 0))) {
    throw new Error(`attribute padding must be an integer >= 0, [rows, cols] or [top, bottom, left, right], got ${JSON.stringify(v)}`);
  }
  return [list[0], list[1], list[2], list[3]];
}

/** Output size along one axis: windows of `span` cells every `s` cells over `size` + padding. */
export function outSize(size: number, span: number, s: number, before: number, after: number): number {
  return Math.floor((size + before + after - span) / s) + 1;
}

/**
 * The padding [before, after] that makes the output size ceil(size / s) for a window of `k` taps
 * `dil` apart; an odd total puts the extra zero after.
 */
export function samePadding(size: number, k: number, s: number, dil = 1): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + dil * (k - 1) + 1 - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export function needRank4(s: Shape, what: string): void {
  if (s.length !== 4) throw new Error(`${what} must be NCHW [batch, channels, height, width], got ${shapeStr(s)}`);
}

/** The explicit geometry attributes of a convolution, for the ops its VJP builds. */
export function convAttrsOf(attrs: { readonly [k: string]: unknown }): { stride: number[]; padding: number[]; dilation: number[] } {
  return { stride: pairOf(attrs.stride, 'stride', 1), padding: padOf(attrs.padding), dilation: pairOf(attrs.dilation, 'dilation', 1) };
}

/** Geometry of conv2d(x [N, C, H, W], w [F, C, KH, KW]); throws a message when they do not fit. */
export function convDims(x: Shape, w: Shape, attrs: ConvAttrs): Conv2dDims {
  needRank4(x, 'the input');
  needRank4(w, 'the weights');
  if (w[1] !== x[1]) throw new Error(`the weights ${shapeStr(w)} expect ${w[1]} input channels, the input ${shapeStr(x)} has ${x[1]}`);
  const [sh, sw] = pairOf(attrs.stride, 'stride', 1);
  const [dh, dw] = pairOf(attrs.dilation, 'dilation', 1);
  const [pt, pb, pl, pr] = padOf(attrs.padding);
  const [n, c, h, wd] = x;
  const [f, , kh, kw] = w;
  const spanH = dh * (kh - 1) + 1;
  const spanW = dw * (kw - 1) + 1;
  if (spanH > h + pt + pb || spanW > wd + pl + pr) {
    throw new Error(`the kernel spans ${spanH}×${spanW} cells, more than the padded input's ${h + pt + pb}×${wd + pl + pr}`);
  }
  return { n, c, h, w: wd, f, kh, kw, oh: outSize(h, spanH, sh, pt, pb), ow: outSize(wd, spanW, sw, pl, pr), sh, sw, dh, dw, pt, pl };
}

/** The explicit geometry attributes of a pooling, for the ops its VJP builds. */
export function poolAttrsOf(attrs: { readonly [k: string]: unknown }): { kernel: number[]; stride: number[]; padding: number[] } {
  const kernel = pairOf(attrs.kernel, 'kernel', []);
  return { kernel, stride: pairOf(attrs.stride, 'stride', kernel), padding: padOf(attrs.padding) };
}

/** Geometry of a pooling of x [N, C, H, W]; throws a message when it does not fit. */
export function poolDims(x: Shape, attrs: PoolAttrs): Pool2dDims {
  needRank4(x, 'the input');
  const { kernel, stride, padding } = poolAttrsOf(attrs);
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const [pt, pb, pl, pr] = padding;
  if (pt >= kh || pb >= kh || pl >= kw || pr >= kw) {
    throw new Error(`padding [${padding.join(', ')}] must be smaller than the window ${kh}×${kw} on every side`);
  }
  const [n, c, h, w] = x;
  if (kh > h + pt + pb || kw > w + pl + pr) throw new Error(`the window ${kh}×${kw} is larger than the padded input ${h + pt + pb}×${w + pl + pr}`);
  return { planes: n * c, h, w, oh: outSize(h, kh, sh, pt, pb), ow: outSize(w, kw, sw, pl, pr), kh, kw, sh, sw, pt, pl };
}
