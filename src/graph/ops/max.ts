// max: maximum over axes (all by default). The gradient flows to the maximal elements, split
// evenly between ties.
import { reducePlan } from '../../kernels/plans.js';
import type { ReducePlan } from '../../kernels/kernels.js';
import { normAxes } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { type ReduceAttrs, reduceBytes, reduceRule } from './_common.js';

export const max = defineOp<ReduceAttrs, ReducePlan>({
  doc: 'maximum over axes (all when absent); attrs axes, keepdims',
  visibility: 'public',
  arity: 1,
  shape: reduceRule,
  prepare: (ins, _out, attrs) => reducePlan(ins[0], normAxes(attrs.axes, ins[0].length)),
  prepareBytes: reduceBytes,
  forward: (k, [x], out, s) => k.reduce('max', x, out, s.prep),
  vjp: (g, n, grad) => {
    const x = n.inputs[0];
    const inShape = g.shapeOf(x);
    const axes = n.attrs.axes as number[] | undefined;
    const kept = [...reduceRule([inShape], { axes, keepdims: true })];
    const up = (v: number) => g.apply('broadcast_to', [g.apply('reshape', [v], { shape: kept })], { shape: [...inShape] });
    const mask = g.apply('eq', [x, up(n.id)]);
    // The count of maxima has the output's shape (kept axes or not), so that it divides grad element by element.
    const count = g.apply('sum', [mask], { axes, keepdims: n.attrs.keepdims === true });
    return [g.apply('mul', [mask, up(g.apply('div', [grad, count]))])];
  },
  gradCheck: [
    { shapes: [[3, 4]], domains: ['distinct'] },
    { shapes: [[2, 3, 4]], attrs: { axes: [1] }, domains: ['distinct'], label: 'middle' },
    { shapes: [[4, 5]], attrs: { axes: [1], keepdims: true }, domains: ['distinct'], label: 'keepdims' },
  ],
});
