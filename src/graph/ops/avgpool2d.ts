// avgpool2d: mean over windows of NCHW input [N, C, H, W] → [N, C, OH, OW]; attrs kernel, stride
// (default: the kernel), padding. Padded cells are not counted: each window divides by its number
// of real cells. Its gradient is avgpool2d_grad.
import type { Pool2dDims } from '../../kernels/kernels.js';
import { defineOp } from '../types.js';
import { type PoolAttrs, poolAttrsOf, poolDims } from './_window.js';
import { POOL_CASES } from './maxpool2d.js';

export const avgpool2d = defineOp<PoolAttrs, Pool2dDims>({
  doc: 'mean over windows of x [N,C,H,W] (padded cells not counted); attrs kernel, stride (default kernel), padding',
  visibility: 'public',
  arity: 1,
  shape: ([x], attrs) => {
    const d = poolDims(x, attrs);
    return [x[0], x[1], d.oh, d.ow];
  },
  prepare: ([x], _out, attrs) => poolDims(x, attrs),
  forward: (k, [x], out, s) => k.avgPool2d(x, out, s.prep),
  vjp: (g, n, grad) => {
    const xs = g.shapeOf(n.inputs[0]);
    return [g.apply('avgpool2d_grad', [grad], { ...poolAttrsOf(n.attrs), input_hw: [xs[2], xs[3]] })];
  },
  gradCheck: POOL_CASES.map((c) => ({ shapes: [c.x], attrs: c.attrs, label: c.label })),
});
