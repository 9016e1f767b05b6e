// sign: -1, 0 or 1 by the sign of x, elementwise (the gradient of abs). Not differentiable.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const sign = defineOp({
  doc: '-1, 0 or 1 by the sign of x (no gradient)',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out) => k.sign(x, out),
  vjp: () => [null],
  gradCheck: [],
});
