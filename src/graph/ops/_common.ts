// Shape rules and plan-time preparation shared by several op files.
import { broadcastPlan } from '../../kernels/plans.js';
import type { BroadcastPlan } from '../../kernels/kernels.js';
import { type Shape, broadcastShapes, normAxes, shapeStr, sizeOf } from '../../tensor/shape.js';

/** Shape rule of a broadcasting binary op. */
export function broadcastRule(ins: readonly Shape[]): Shape {
  const out = broadcastShapes(ins[0], ins[1]);
  if (!out) throw new Error(`shapes ${shapeStr(ins[0])} and ${shapeStr(ins[1])} do not broadcast`);
  return out;
}

export function prepareBroadcast(ins: readonly Shape[], out: Shape): BroadcastPlan {
  return broadcastPlan(ins[0], ins[1], out);
}

/**
 * The bytes broadcastPlan (kernels/plans.ts) allocates: none when one input has the output's size
 * and the other is a scalar or a repeated row of its trailing axes, else an Int32 offset per output
 * element for each input.
 */
export function broadcastBytes(ins: readonly Shape[], out: Shape): number {
  const n = sizeOf(out);
  const [a, b] = ins;
  if ((sizeOf(a) === n && isTrailing(b, out)) || (sizeOf(b) === n && isTrailing(a, out))) return 0;
  return 2 * 4 * n;
}

/** Whether `s`, leading ones dropped, equals the trailing axes of `out`. */
function isTrailing(s: Shape, out: Shape): boolean {
  const first = s.findIndex((d) => d !== 1);
  const t = first < 0 ? [] : s.slice(first);
  const off = out.length - t.length;
  return off >= 0 && t.every((d, i) => d === out[off + i]);
}

/** The bytes of an Int32 offset per element of `s` (gather plans: transpose, broadcast_to). */
export function gatherBytes(s: Shape): number {
  return 4 * sizeOf(s);
}

/** The bytes reducePlan (kernels/plans.ts) allocates: an Int32 offset per kept and per reduced position. */
export function reduceBytes(ins: readonly Shape[], _out: Shape, attrs: ReduceAttrs): number {
  const axes = normAxes(attrs.axes, ins[0].length);
  const size = (keep: boolean) => sizeOf(ins[0].filter((_, i) => axes.includes(i) !== keep));
  return 4 * (size(true) + size(false));
}

/** Shape rule of an op whose output has its single input's shape. */
export function sameRule(ins: readonly Shape[]): Shape {
  return ins[0];
}

export interface ReduceAttrs {
  [k: string]: unknown;
  /** Axes to reduce (negative counts from the end); all axes when absent. */
  axes?: number[];
  keepdims?: boolean;
}

export function reduceRule(ins: readonly Shape[], attrs: ReduceAttrs): Shape {
  const axes = normAxes(attrs.axes, ins[0].length);
  if (attrs.keepdims) return ins[0].map((d, i) => (axes.includes(i) ? 1 : d));
  return ins[0].filter((_, i) => !axes.includes(i));
}

/** Rows × cols of a shape whose last axis is the row (softmax-like ops). */
export function rowsOf(s: Shape): { rows: number; cols: number } {
  const cols = s[s.length - 1] ?? 1;
  let rows = 1;
  for (let i = 0; i < s.length - 1; i++) rows *= s[i];
  return { rows, cols };
}
