// maxpool2d_grad: the gradient of maxpool2d. From x [N, C, H, W] and grad [N, C, OH, OW], routes
// each window's gradient to the window's argmax in x (ties: the first) → [N, C, H, W]; attrs as
// maxpool2d's. Piecewise constant in x (no gradient) and linear in grad, whose VJP is
// maxpool2d_pick, so this op is gradient-checked like any other. With attr mask_positive (set by
// the graph optimiser, for speed: one pass instead of two over a conv layer's largest gradient)
// the result is then multiplied by [x > 0], relu's gradient when x is a relu's output.
import type { Pool2dDims } from '../../kernels/kernels.js';
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { type GradCase, defineOp } from '../types.js';
import { type PoolAttrs, poolAttrsOf, poolDims } from './_window.js';
import { POOL_CASES } from './maxpool2d.js';

export interface MaxPoolGradAttrs extends PoolAttrs {
  mask_positive?: boolean;
}

export const maxpool2d_grad = defineOp<MaxPoolGradAttrs, Pool2dDims>({
  doc: 'gradient of maxpool2d: grad [N,C,OH,OW] routed to the argmax of each window of x [N,C,H,W]',
  visibility: 'internal',
  arity: 2,
  shape: ([x, grad], attrs) => {
    const d = poolDims(x, attrs);
    const pooled = [x[0], x[1], d.oh, d.ow];
    if (!sameShape(grad, pooled)) throw new Error(`the gradient ${shapeStr(grad)} must have the pooled shape ${shapeStr(pooled)}`);
    return x;
  },
  prepare: ([x], _out, attrs) => poolDims(x, attrs),
  forward: (k, [x, grad], out, s) => k.maxPool2dGrad(x, grad, out, s.prep, s.attrs.mask_positive === true),
  vjp: (g, n, up) => {
    const x = n.inputs[0];
    const u = n.attrs.mask_positive === true ? g.apply('mul', [up, g.apply('step', [x])]) : up;
    return [null, g.apply('maxpool2d_pick', [x, u], poolAttrsOf(n.attrs))];
  },
  gradCheck: [
    ...POOL_CASES.map((c): GradCase => ({ shapes: [c.x, c.out], attrs: c.attrs, domains: ['distinct', 'any'], label: c.label })),
    ...POOL_CASES.slice(0, 3).map(
      (c): GradCase => ({ shapes: [c.x, c.out], attrs: { ...c.attrs, mask_positive: true }, domains: ['distinct', 'any'], label: `${c.label}, masked` }),
    ),
  ],
});
