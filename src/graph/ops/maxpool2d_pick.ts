// maxpool2d_pick: u [N, C, H, W] read at the argmax (in x [N, C, H, W]) of each window →
// [N, C, OH, OW]; attrs as maxpool2d's. The adjoint of maxpool2d_grad, so maxpool2d is twice
// differentiable; maxpool2d(x) equals maxpool2d_pick(x, x). Its VJP is maxpool2d_grad (for u);
// x gets none (the argmax is piecewise constant).
import type { Pool2dDims } from '../../kernels/kernels.js';
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { type PoolAttrs, poolAttrsOf, poolDims } from './_window.js';
import { POOL_CASES } from './maxpool2d.js';

export const maxpool2d_pick = defineOp<PoolAttrs, Pool2dDims>({
  doc: 'u [N,C,H,W] read at the argmax of each window of x [N,C,H,W] (the adjoint of maxpool2d_grad)',
  visibility: 'internal',
  arity: 2,
  shape: ([x, u], attrs) => {
    const d = poolDims(x, attrs);
    if (!sameShape(u, x)) throw new Error(`u ${shapeStr(u)} must have the shape of x ${shapeStr(x)}`);
    return [x[0], x[1], d.oh, d.ow];
  },
  prepare: ([x], _out, attrs) => poolDims(x, attrs),
  forward: (k, [x, u], out, s) => k.maxPool2dPick(x, u, out, s.prep),
  vjp: (g, n, up) => [null, g.apply('maxpool2d_grad', [n.inputs[0], up], poolAttrsOf(n.attrs))],
  gradCheck: POOL_CASES.map((c) => ({ shapes: [c.x, c.x], attrs: c.attrs, domains: ['distinct', 'any'], label: c.label })),
});
