// conv2d_grad_input: the gradient of conv2d with respect to its input x, a transposed
// convolution of grad [N, F, OH, OW] by w [F, C, KH, KW] → [N, C, H, W]. attrs as conv2d's plus
// input_hw [H, W] (several input sizes give one output size when the stride exceeds 1). Linear in
// each input: its VJP is conv2d (for grad) and conv2d_grad_weight (for w).
import type { Conv2dDims } from '../../kernels/kernels.js';
import { convPlan } from '../../kernels/plans.js';
import { shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { type ConvAttrs, convAttrsOf, convDims, needRank4, pairOf } from './_window.js';

interface Attrs extends ConvAttrs {
  input_hw: readonly number[];
}

function dims([grad, w]: readonly (readonly number[])[], attrs: Attrs): Conv2dDims {
  needRank4(grad, 'the gradient');
  needRank4(w, 'the weights');
  const [h, wd] = pairOf(attrs.input_hw, 'input_hw', []);
  const d = convDims([grad[0], w[1], h, wd], w, attrs);
  if (grad[1] !== d.f || grad[2] !== d.oh || grad[3] !== d.ow) {
    throw new Error(`the gradient ${shapeStr(grad)} does not match the convolution's output [${d.n}, ${d.f}, ${d.oh}, ${d.ow}]`);
  }
  return d;
}

export const conv2d_grad_input = defineOp<Attrs, Conv2dDims>({
  doc: 'gradient of conv2d wrt x: transposed convolution of grad [N,F,OH,OW] by w; attrs as conv2d plus input_hw',
  visibility: 'internal',
  arity: 2,
  shape: (ins, attrs) => {
    const d = dims(ins, attrs);
    return [d.n, d.c, d.h, d.w];
  },
  prepare: (ins, _out, attrs) => convPlan('gradInput', dims(ins, attrs)),
  forward: (k, [grad, w], out, s) => k.conv2dGradInput(grad, w, out, s.prep),
  vjp: (g, n, up) => {
    const [grad, w] = n.inputs;
    const geo = convAttrsOf(n.attrs);
    const ws = g.shapeOf(w);
    return [g.apply('conv2d', [up, w], geo), g.apply('conv2d_grad_weight', [up, grad], { ...geo, kernel: [ws[2], ws[3]] })];
  },
  gradCheck: [
    {
      shapes: [
        [2, 3, 2, 4],
        [3, 2, 3, 2],
      ],
      attrs: { input_hw: [4, 5] },
      label: 'plain',
    },
    {
      shapes: [
        [1, 2, 4, 3],
        [2, 2, 3, 3],
      ],
      attrs: { stride: 2, padding: 1, input_hw: [7, 6] },
      label: 'stride 2, padding 1',
    },
    {
      shapes: [
        [1, 2, 3, 3],
        [2, 1, 2, 2],
      ],
      attrs: { stride: 2, dilation: 2, input_hw: [8, 7] },
      label: 'stride 2, dilation 2, unread rows',
    },
    {
      shapes: [
        [1, 2, 3, 3],
        [2, 3, 2, 3],
      ],
      attrs: { stride: [2, 3], padding: [0, 1, 2, 1], input_hw: [5, 6] },
      label: 'asymmetric padding',
    },
    {
      shapes: [
        [2, 4, 3, 3],
        [4, 2, 3, 2],
      ],
      attrs: { stride: 2, padding: [1, 0, 2, 1], dilation: [1, 2], input_hw: [6, 5] },
      label: 'lowered to GEMM and col2im',
    },
  ],
});
