// Plan-time index arithmetic for the kernels: broadcast, gather and reduction plans computed
// once from static shapes, so that the kernels themselves only loop.
import { type Shape, broadcastStrides, sizeOf, stridesOf } from '../tensor/shape.js';
import type { BroadcastPlan, GatherPlan, ReducePlan } from './kernels.js';

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
  return {
    kind: 'general',
    n,
    aOff: offsets(out, broadcastStrides(a, out)),
    bOff: offsets(out, broadcastStrides(b, out)),
  };
}

/** Gather plan of a transpose: out axis i is input axis perm[i]. */
export function transposePlan(inShape: Shape, perm: readonly number[]): GatherPlan {
  const st = stridesOf(inShape);
  return { src: offsets(perm.map((p) => inShape[p]), perm.map((p) => st[p])) };
}

/** Gather plan of broadcasting `inShape` to `outShape`. */
export function broadcastToPlan(inShape: Shape, outShape: Shape): GatherPlan {
  return { src: offsets(outShape, broadcastStrides(inShape, outShape)) };
}

/** Reduction plan over sorted, unique `axes` of `inShape`. */
export function reducePlan(inShape: Shape, axes: readonly number[]): ReducePlan {
  const st = stridesOf(inShape);
  const keptAxes = inShape.map((_, i) => i).filter((i) => !axes.includes(i));
  const kept = offsets(keptAxes.map((i) => inShape[i]), keptAxes.map((i) => st[i]));
  const red = offsets(axes.map((i) => inShape[i]), axes.map((i) => st[i]));
  const last = inShape.length - 1;
  return { kept, red, innerKept: inShape.length > 0 && !axes.includes(last) };
}
