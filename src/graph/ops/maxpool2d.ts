// maxpool2d: maximum over windows of NCHW input [N, C, H, W] → [N, C, OH, OW]; attrs kernel,
// stride (default: the kernel), padding (padded cells never win). The gradient goes to each
// window's argmax (ties: the first), through maxpool2d_grad.
import type { Pool2dDims } from '../../kernels/kernels.js';
import { defineOp } from '../types.js';
import { type PoolAttrs, poolAttrsOf, poolDims } from './_window.js';

/** Pooling gradient cases shared by the pooling ops: odd sizes, stride 2, padding, overlap. */
export const POOL_CASES = [
  { x: [2, 2, 4, 4], out: [2, 2, 2, 2], attrs: { kernel: 2 }, label: 'kernel 2' },
  { x: [1, 2, 5, 7], out: [1, 2, 3, 4], attrs: { kernel: 3, stride: 2, padding: 1 }, label: 'kernel 3, stride 2, padding 1' },
  { x: [1, 1, 5, 6], out: [1, 1, 4, 7], attrs: { kernel: [3, 2], stride: 1, padding: [1, 0, 1, 1] }, label: 'overlapping, asymmetric padding' },
  { x: [1, 3, 5, 5], out: [1, 3, 2, 2], attrs: { kernel: 2 }, label: 'odd size, last row dropped' },
];

export const maxpool2d = defineOp<PoolAttrs, Pool2dDims>({
  doc: 'maximum over windows of x [N,C,H,W]; attrs kernel, stride (default kernel), padding',
  visibility: 'public',
  arity: 1,
  shape: ([x], attrs) => {
    const d = poolDims(x, attrs);
    return [x[0], x[1], d.oh, d.ow];
  },
  prepare: ([x], _out, attrs) => poolDims(x, attrs),
  forward: (k, [x], out, s) => k.maxPool2d(x, out, s.prep),
  vjp: (g, n, grad) => [g.apply('maxpool2d_grad', [n.inputs[0], grad], poolAttrsOf(n.attrs))],
  gradCheck: POOL_CASES.map((c) => ({ shapes: [c.x], attrs: c.attrs, domains: ['distinct'], label: c.label })),
});
