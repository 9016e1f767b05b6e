// avgpool2d_grad: the gradient of avgpool2d, spreading each window's gradient of grad
// [N, C, OH, OW] evenly over the window's real cells → [N, C, H, W]; attrs as avgpool2d's plus
// input_hw [H, W]. Linear: its VJP is avgpool2d.
import type { Pool2dDims } from '../../kernels/kernels.js';
import { shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { type PoolAttrs, needRank4, pairOf, poolAttrsOf, poolDims } from './_window.js';
import { POOL_CASES } from './maxpool2d.js';

interface Attrs extends PoolAttrs {
  input_hw: readonly number[];
}

function dims([grad]: readonly (readonly number[])[], attrs: Attrs): Pool2dDims {
  needRank4(grad, 'the gradient');
  const [h, w] = pairOf(attrs.input_hw, 'input_hw', []);
  const d = poolDims([grad[0], grad[1], h, w], attrs);
  if (grad[2] !== d.oh || grad[3] !== d.ow) throw new Error(`the gradient ${shapeStr(grad)} does not match the pooled size ${d.oh}×${d.ow}`);
  return d;
}

export const avgpool2d_grad = defineOp<Attrs, Pool2dDims>({
  doc: 'gradient of avgpool2d: grad [N,C,OH,OW] spread over the real cells of each window; attrs as avgpool2d plus input_hw',
  visibility: 'internal',
  arity: 1,
  shape: ([grad], attrs) => {
    const d = dims([grad], attrs);
    return [grad[0], grad[1], d.h, d.w];
  },
  prepare: (ins, _out, attrs) => dims(ins, attrs),
  forward: (k, [grad], out, s) => k.avgPool2dGrad(grad, out, s.prep),
  vjp: (g, n, up) => [g.apply('avgpool2d', [up], poolAttrsOf(n.attrs))],
  gradCheck: POOL_CASES.map((c) => ({ shapes: [c.out], attrs: { ...c.attrs, input_hw: [c.x[2], c.x[3]] }, label: c.label })),
});
