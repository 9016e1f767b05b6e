// exp: e^x, elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const exp = defineOp({
  doc: 'e^x',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('exp', x, out, 0),
  vjp: (g, n, grad) => [g.apply('mul', [grad, n.id])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['any'] }],
});
