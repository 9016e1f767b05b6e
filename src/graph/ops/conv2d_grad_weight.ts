// conv2d_grad_weight: the gradient of conv2d with respect to its weights, from x [N, C, H, W] and
// grad [N, F, OH, OW] → [F, C, KH, KW]. attrs as conv2d's plus kernel [KH, KW]. Linear in each
// input: its VJP is conv2d_grad_input (for x) and conv2d (for grad).
import type { Conv2dDims } from '../../kernels/kernels.js';
import { convPlan } from '../../kernels/plans.js';
import { shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { type ConvAttrs, convAttrsOf, convDims, needRank4, pairOf } from './_window.js';

interface Attrs extends ConvAttrs {
  kernel: readonly number[];
}

function dims([x, grad]: readonly (readonly number[])[], attrs: Attrs): Conv2dDims {
  needRank4(x, 'the input');
  needRank4(grad, 'the gradient');
  const [kh, kw] = pairOf(attrs.kernel, 'kernel', []);
  const d = convDims(x, [grad[1], x[1], kh, kw], attrs);
  if (grad[0] !== d.n || grad[2] !== d.oh || grad[3] !== d.ow) {
    throw new Error(`the gradient ${shapeStr(grad)} does not match the convolution's output [${d.n}, ${d.f}, ${d.oh}, ${d.ow}]`);
  }
  return d;
}

export const conv2d_grad_weight = defineOp<Attrs, Conv2dDims>({
  doc: 'gradient of conv2d wrt w from x and grad [N,F,OH,OW]; attrs as conv2d plus kernel',
  visibility: 'internal',
  arity: 2,
  shape: (ins, attrs) => {
    const d = dims(ins, attrs);
    return [d.f, d.c, d.kh, d.kw];
  },
  prepare: (ins, _out, attrs) => convPlan('gradWeight', dims(ins, attrs)),
  forward: (k, [x, grad], out, s) => k.conv2dGradWeight(x, grad, out, s.prep),
  vjp: (g, n, up) => {
    const [x, grad] = n.inputs;
    const geo = convAttrsOf(n.attrs);
    const xs = g.shapeOf(x);
    return [g.apply('conv2d_grad_input', [grad, up], { ...geo, input_hw: [xs[2], xs[3]] }), g.apply('conv2d', [x, up], geo)];
  },
  gradCheck: [
    {
      shapes: [
        [2, 2, 4, 5],
        [2, 3, 2, 4],
      ],
      attrs: { kernel: [3, 2] },
      label: 'plain',
    },
    {
      shapes: [
        [1, 2, 7, 6],
        [1, 2, 4, 3],
      ],
      attrs: { stride: 2, padding: 1, kernel: 3 },
      label: 'stride 2, padding 1',
    },
    {
      shapes: [
        [2, 1, 7, 7],
        [2, 2, 5, 9],
      ],
      attrs: { dilation: 2, padding: [1, 2], kernel: [3, 2] },
      label: 'dilation 2',
    },
    {
      shapes: [
        [1, 3, 5, 6],
        [1, 2, 3, 3],
      ],
      attrs: { stride: [2, 3], padding: [0, 1, 2, 1], kernel: [2, 3] },
      label: 'asymmetric padding',
    },
    {
      shapes: [
        [2, 2, 6, 5],
        [2, 4, 3, 3],
      ],
      attrs: { stride: 2, padding: [1, 0, 2, 1], dilation: [1, 2], kernel: [3, 2] },
      label: 'lowered to im2col and GEMM',
    },
  ],
});
