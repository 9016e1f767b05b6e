// Shape rules and plan-time preparation shared by several op files.
import { broadcastPlan } from '../../kernels/plans.js';
import type { BroadcastPlan } from '../../kernels/kernels.js';
import { type Shape, broadcastShapes, normAxes, shapeStr } from '../../tensor/shape.js';

/** Shape rule of a broadcasting binary op. */
export function broadcastRule(ins: readonly Shape[]): Shape {
  const out = broadcastShapes(ins[0], ins[1]);
  if (!out) throw new Error(`shapes ${shapeStr(ins[0])} and ${shapeStr(ins[1])} do not broadcast`);
  return out;
}

export function prepareBroadcast(ins: readonly Shape[], out: Shape): BroadcastPlan {
  return broadcastPlan(ins[0], ins[1], out);
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
