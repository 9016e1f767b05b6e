// neg: -x, elementwise.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const neg = defineOp({
  doc: '-x',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.unary('neg', x, out, 0),
  vjp: (g, _node, grad) => [g.apply('neg', [grad])],
  inPlace: true,
  gradCheck: [{ shapes: [[3, 4]], domains: ['any'] }],
});
