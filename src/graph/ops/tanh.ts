// tanh: hyperbolic tangent, elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const tanh = defineOp({
  doc: 'hyperbolic tangent',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('tanh', x, out, 0),
  vjp: (g, n, grad) => [g.apply('mul', [grad, g.apply('sub', [g.constant(1), g.apply('mul', [n.id, n.id])])])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['any'] }],
});
