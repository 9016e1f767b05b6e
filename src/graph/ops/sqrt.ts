// sqrt: square root of x, elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const sqrt = defineOp({
  doc: 'square root of x',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('sqrt', x, out, 0),
  vjp: (g, n, grad) => [g.apply('div', [grad, g.apply('mul', [n.id, g.constant(2)])])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['positive'] }],
});
