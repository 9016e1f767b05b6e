// Helpers that VJPs share: undoing broadcasting (in exactly this one place) and small compositions.
import { type Shape, broadcastAxes, sameShape } from '../tensor/shape.js';
import type { GraphBuilder } from './builder.js';

/**
 * Sums a gradient of the broadcast output shape back to the shape of the input that was
 * broadcast: sum over the broadcast axes, then reshape to the input's shape.
 */
export function unbroadcast(g: GraphBuilder, grad: number, to: Shape): number {
  const from = g.shapeOf(grad);
  if (sameShape(from, to)) return grad;
  const axes = broadcastAxes(to, from);
  const summed = axes.length ? g.apply('sum', [grad], { axes, keepdims: true }) : grad;
  return sameShape(g.shapeOf(summed), to) ? summed : g.apply('reshape', [summed], { shape: [...to] });
}

/** grad · c for a constant scalar c. */
export function scale(g: GraphBuilder, x: number, c: number): number {
  return g.apply('mul', [x, g.constant(c)]);
}
