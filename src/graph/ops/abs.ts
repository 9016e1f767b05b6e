// abs: |x|, elementwise (L1 penalties). The gradient is grad·sign(x), 0 at x = 0.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const abs = defineOp({
  doc: '|x|',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.abs(x, out),
  vjp: (g, n, grad) => [g.apply('mul', [grad, g.apply('sign', [n.inputs[0]])])],
  gradCheck: [{ shapes: [[3, 4]], domains: ['distinct'] }],
});
