// log: natural logarithm of x, elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const log = defineOp({
  doc: 'natural logarithm of x',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('log', x, out, 0),
  vjp: (g, n, grad) => [g.apply('div', [grad, n.inputs[0]])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['positive'] }],
});
