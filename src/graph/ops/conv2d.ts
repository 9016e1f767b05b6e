// conv2d: 2-D convolution (cross-correlation, as in every framework) of NCHW input x [N, C, H, W]
// by weights w [F, C, KH, KW] → [N, F, OH, OW]; attrs stride, padding (explicit, possibly
// asymmetric), dilation. No bias: layers add one. Its gradients are the two ops
// conv2d_grad_input and conv2d_grad_weight.
import type { Conv2dDims } from '../../kernels/kernels.js';
import { convPlan } from '../../kernels/plans.js';
import { defineOp } from '../types.js';
import { type ConvAttrs, convAttrsOf, convDims } from './_window.js';

export const conv2d = defineOp<ConvAttrs, Conv2dDims>({
  doc: '2-D convolution of x [N,C,H,W] by w [F,C,KH,KW]; attrs stride, padding ([t,b,l,r] or [h,w]), dilation',
  visibility: 'public',
  arity: 2,
  shape: ([x, w], attrs) => {
    const d = convDims(x, w, attrs);
    return [d.n, d.f, d.oh, d.ow];
  },
  prepare: ([x, w], _out, attrs) => convPlan('conv2d', convDims(x, w, attrs)),
  forward: (k, [x, w], out, s) => k.conv2d(x, w, out, s.prep),
  vjp: (g, n, grad) => {
    const [x, w] = n.inputs;
    const geo = convAttrsOf(n.attrs);
    const xs = g.shapeOf(x);
    const ws = g.shapeOf(w);
    return [
      g.apply('conv2d_grad_input', [grad, w], { ...geo, input_hw: [xs[2], xs[3]] }),
      g.apply('conv2d_grad_weight', [x, grad], { ...geo, kernel: [ws[2], ws[3]] }),
    ];
  },
  gradCheck: [
    {
      shapes: [
        [2, 2, 4, 5],
        [3, 2, 3, 2],
      ],
      label: 'plain',
    },
    {
      shapes: [
        [1, 2, 7, 6],
        [2, 2, 3, 3],
      ],
      attrs: { stride: 2, padding: 1 },
      label: 'stride 2, padding 1',
    },
    {
      shapes: [
        [2, 1, 7, 7],
        [2, 1, 3, 2],
      ],
      attrs: { dilation: [2, 3], padding: [1, 2] },
      label: 'dilation [2,3]',
    },
    {
      shapes: [
        [1, 3, 5, 6],
        [2, 3, 2, 3],
      ],
      attrs: { stride: [2, 3], padding: [0, 1, 2, 1] },
      label: 'asymmetric padding, stride [2,3]',
    },
    {
      shapes: [
        [1, 1, 3, 3],
        [1, 1, 3, 3],
      ],
      attrs: { padding: 3 },
      label: 'padding wider than the input',
    },
    {
      shapes: [
        [1, 5, 4, 3],
        [5, 5, 2, 2],
      ],
      attrs: { padding: [1, 0, 0, 1] },
      label: 'channels and filters past a block of four',
    },
    {
      shapes: [
        [2, 2, 6, 5],
        [4, 2, 3, 2],
      ],
      attrs: { stride: 2, padding: [1, 0, 2, 1], dilation: [1, 2] },
      label: 'lowered to im2col and GEMM',
    },
  ],
});
