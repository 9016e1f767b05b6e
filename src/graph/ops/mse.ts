// mse: per-row mean squared error over the last axis, out[r] = mean((a - b)²). Fused so a
// regression loss is one pass and one buffer instead of three.
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { scale } from '../grad.js';
import { defineOp } from '../types.js';
import { rowsOf } from './_common.js';

export const mse = defineOp<{ [k: string]: unknown }, { rows: number; cols: number }>({
  doc: 'per-row mean over the last axis of (a - b)^2',
  visibility: 'public',
  arity: 2,
  shape: ([a, b]) => {
    if (!sameShape(a, b) || a.length < 1) throw new Error(`prediction ${shapeStr(a)} and target ${shapeStr(b)} must have the same shape`);
    return a.slice(0, -1);
  },
  prepare: (ins) => rowsOf(ins[0]),
  forward: (k, [a, b], out, s) => k.mse(a, b, out, s.prep),
  vjp: (g, n, grad) => {
    const [a, b] = n.inputs;
    const shape = g.shapeOf(a);
    const cols = shape[shape.length - 1];
    const gcol = g.apply('reshape', [grad], { shape: [...shape.slice(0, -1), 1] });
    const ga = g.apply('mul', [scale(g, g.apply('sub', [a, b]), 2 / cols), gcol]);
    return [ga, g.apply('neg', [ga])];
  },
  gradCheck: [
    {
      shapes: [
        [4, 3],
        [4, 3],
      ],
    },
  ],
});
