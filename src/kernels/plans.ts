// Plan-time index arithmetic for the kernels: broadcast, gather and reduction plans computed
// once from static shapes, so that the kernels themselves only loop.
import { type Shape, broadcastStrides, sizeOf, stridesOf } from '../tensor/shape.js';
import type { BroadcastPlan, ChannelBroadcast, Conv2dDims, CopyRowsPlan, GatherPlan, ReducePlan } from './kernels.js';

/** Offsets into a tensor read with `strides` at every position of `shape` (row-major). */
function offsets(shape: Shape, strides: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** True when `s` equals the trailing axes of `out` (after dropping leading ones), i.e. a repeated row. */
function isTrailing(s: Shape, out: Shape): boolean {
  const t = [...s];
  while (t.length && t[0] === 1) t.shift();
  if (t.length > out.length) return false;
  const off = out.length - t.length;
  return t.every((d, i) => d === out[off + i]);
}

export function broadcastPlan(a: Shape, b: Shape, out: Shape): BroadcastPlan {
  const n = sizeOf(out);
  const na = sizeOf(a);
  const nb = sizeOf(b);
  if (na === n && nb === n) return { kind: 'same', n };
  if (nb === 1 && na === n) return { kind: 'scalarB', n };
  if (na === 1 && nb === n) return { kind: 'scalarA', n };
  if (na === n && isTrailing(b, out)) return { kind: 'rowB', n, row: nb };
  if (nb === n && isTrailing(a, out)) return { kind: 'rowA', n, row: na };
  const channel = na === n ? channelOf(b, out, 'b') : nb === n ? channelOf(a, out, 'a') : undefined;
  return {
    kind: 'general',
    n,
    aOff: offsets(out, broadcastStrides(a, out)),
    bOff: offsets(out, broadcastStrides(b, out)),
    ...(channel ? { channel } : {}),
  };
}

/**
 * The channel form of broadcasting `s` to `out`, when the axes where `s` is not 1 (aligned to the
 * right) are consecutive and equal to the output's there; undefined otherwise.
 */
function channelOf(s: Shape, out: Shape, side: 'a' | 'b'): ChannelBroadcast | undefined {
  const off = out.length - s.length;
  if (off < 0) return undefined;
  let first = -1;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === 1) continue;
    if (first < 0) first = i + off;
    last = i + off;
  }
  if (first < 0) return undefined;
  for (let d = first; d <= last; d++) if (s[d - off] !== out[d]) return undefined;
  return { side, mid: sizeOf(out.slice(first, last + 1)), inner: sizeOf(out.slice(last + 1)) };
}

/** Gather plan of a transpose: out axis i is input axis perm[i]. */
export function transposePlan(inShape: Shape, perm: readonly number[]): GatherPlan {
  const st = stridesOf(inShape);
  return {
    src: offsets(
      perm.map((p) => inShape[p]),
      perm.map((p) => st[p]),
    ),
  };
}

/**
 * The plan of a transpose that keeps its trailing axes in place (perm ends with ..., k, ..., n−1
 * for the last `keep` axes), as copies of runs of their contiguous elements: one source offset
 * per output run (runs are dense in the output). Undefined when the last axis moves or the runs
 * would be shorter than `minLen` (a gather is then as good).
 */
export function transposeRunsPlan(inShape: Shape, perm: readonly number[], minLen: number): CopyRowsPlan | undefined {
  const rank = inShape.length;
  let keep = 0;
  while (keep < rank && perm[rank - 1 - keep] === rank - 1 - keep) keep++;
  if (keep === 0) return undefined;
  const len = sizeOf(inShape.slice(rank - keep));
  if (len < minLen) return undefined;
  const st = stridesOf(inShape);
  const lead = perm.slice(0, rank - keep);
  const src = offsets(
    lead.map((p) => inShape[p]),
    lead.map((p) => st[p]),
  );
  const dst = Int32Array.from({ length: src.length }, (_, r) => r * len);
  return { src, dst, len };
}

/** Gather plan of broadcasting `inShape` to `outShape`. */
export function broadcastToPlan(inShape: Shape, outShape: Shape): GatherPlan {
  return { src: offsets(outShape, broadcastStrides(inShape, outShape)) };
}

/** Reduction plan over sorted, unique `axes` of `inShape`. */
export function reducePlan(inShape: Shape, axes: readonly number[]): ReducePlan {
  const st = stridesOf(inShape);
  const keptAxes = inShape.map((_, i) => i).filter((i) => !axes.includes(i));
  const kept = offsets(
    keptAxes.map((i) => inShape[i]),
    keptAxes.map((i) => st[i]),
  );
  const red = offsets(
    axes.map((i) => inShape[i]),
    axes.map((i) => st[i]),
  );
  const last = inShape.length - 1;
  const innerKept = inShape.length > 0 && !axes.includes(last);
  const plan = { kept, red, innerKept };
  // The block form: kept axes consecutive (and at least one of them), followed by a reduced axis.
  if (innerKept || keptAxes.length === 0 || keptAxes[keptAxes.length - 1] - keptAxes[0] !== keptAxes.length - 1) return plan;
  const first = keptAxes[0];
  const end = keptAxes[keptAxes.length - 1] + 1;
  const block = { outer: sizeOf(inShape.slice(0, first)), mid: sizeOf(inShape.slice(first, end)), inner: sizeOf(inShape.slice(end)) };
  return { ...plan, block };
}

/** Which convolution kernel a geometry is planned for. */
export type ConvKernel = 'conv2d' | 'gradInput' | 'gradWeight';

/** Largest scratch (in elements) a conv step may take; beyond it the kernels run their direct loops. */
const CONV_SCRATCH_LIMIT = 1 << 24;

/**
 * The geometry `d` planned for one conv kernel of the reference set: marked `lowered` when its
 * lowered path (kernels/ts/conv-lowered.ts) is expected to be faster, else unchanged (the direct
 * loops). Chosen from the shapes alone, from timings of both paths: per sample the lowered path
 * builds (or scatters) a column matrix of K = C·KH·KW rows by P = OH·OW columns to run the F·K·P
 * multiply-adds at the GEMM's rate, or skips the zeros of a sparse gradient, which pays off from
 * four filters and a window of eight (channel × tap) cells; below that the direct loops win. The
 * plan allocates nothing for it: the reference kernels take their scratch when they run.
 */
export function convPlan(kernel: ConvKernel, d: Conv2dDims): Conv2dDims {
  const K = d.c * d.kh * d.kw;
  const P = d.oh * d.ow;
  const size = K * P + d.f * P + (kernel === 'gradWeight' ? d.f * K : 0);
  if (d.f < 4 || K < 8 || size > CONV_SCRATCH_LIMIT) return d;
  return lowered(d);
}

/** `d` marked for the lowered path, whatever the shapes. */
export function lowered(d: Conv2dDims): Conv2dDims {
  return { ...d, lowered: true };
}
