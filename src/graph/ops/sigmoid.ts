// sigmoid: 1 / (1 + e^-x), computed without overflow, elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const sigmoid = defineOp({
  doc: '1 / (1 + e^-x), computed without overflow',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('sigmoid', x, out, 0),
  vjp: (g, n, grad) => [g.apply('mul', [grad, g.apply('mul', [n.id, g.apply('sub', [g.constant(1), n.id])])])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['any'] }],
});
