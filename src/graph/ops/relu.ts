// relu: max(x, 0), elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const relu = defineOp({
  doc: 'max(x, 0)',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('relu', x, out, 0),
  vjp: (g, n, grad) => [g.apply('mul', [grad, g.apply('step', [n.inputs[0]])])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['distinct'] }],
});
