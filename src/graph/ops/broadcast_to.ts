// broadcast_to: repeats a tensor along broadcast axes to a larger shape (the gradient of sums).
import { broadcastToPlan } from '../../kernels/plans.js';
import type { GatherPlan } from '../../kernels/kernels.js';
import { broadcastShapes, sameShape, shapeStr } from '../../tensor/shape.js';
import { unbroadcast } from '../grad.js';
import { defineOp } from '../types.js';
import { gatherBytes } from './_common.js';

export const broadcast_to = defineOp<{ shape: number[] }, GatherPlan>({
  doc: 'repeat along broadcast axes to a shape; attrs shape',
  visibility: 'public',
  arity: 1,
  shape: (ins, attrs) => {
    const b = broadcastShapes(ins[0], attrs.shape);
    if (!b || !sameShape(b, attrs.shape)) throw new Error(`cannot broadcast ${shapeStr(ins[0])} to ${shapeStr(attrs.shape)}`);
    return attrs.shape;
  },
  prepare: (ins, out) => broadcastToPlan(ins[0], out),
  prepareBytes: (_ins, out) => gatherBytes(out),
  forward: (k, [x], out, s) => k.gather(x, out, s.prep),
  vjp: (g, n, grad) => [unbroadcast(g, grad, g.shapeOf(n.inputs[0]))],
  gradCheck: [{ shapes: [[3, 1]], attrs: { shape: [2, 3, 4] } }],
});
