// mean: mean over axes (all by default), optionally keeping them as size 1.
import { reducePlan } from '../../kernels/plans.js';
import type { ReducePlan } from '../../kernels/kernels.js';
import { normAxes, sizeOf } from '../../tensor/shape.js';
import { scale } from '../grad.js';
import { defineOp } from '../types.js';
import { type ReduceAttrs, reduceBytes, reduceRule } from './_common.js';

export const mean = defineOp<ReduceAttrs, ReducePlan>({
  doc: 'mean over axes (all when absent); attrs axes, keepdims',
  visibility: 'public',
  arity: 1,
  shape: reduceRule,
  prepare: (ins, _out, attrs) => reducePlan(ins[0], normAxes(attrs.axes, ins[0].length)),
  prepareBytes: reduceBytes,
  forward: (k, [x], out, s) => k.reduce('mean', x, out, s.prep),
  vjp: (g, n, grad) => {
    const inShape = g.shapeOf(n.inputs[0]);
    const kept = reduceRule([inShape], { axes: n.attrs.axes as number[] | undefined, keepdims: true });
    const r = g.apply('reshape', [scale(g, grad, sizeOf(kept) / sizeOf(inShape))], { shape: [...kept] });
    return [g.apply('broadcast_to', [r], { shape: [...inShape] })];
  },
  gradCheck: [
    { shapes: [[3, 4]] },
    { shapes: [[2, 3, 4]], attrs: { axes: [-1] }, label: 'last' },
    { shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepdims: true }, label: 'keepdims' },
  ],
});
