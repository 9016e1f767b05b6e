// step: 1 where x > 0, else `low` (0 by default). Not differentiable; the mask in relu's and
// leaky_relu's gradients.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const step = defineOp<{ low?: number }>({
  doc: '1 where x > 0 else low (default 0); no gradient',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out, s) => k.unary('step', x, out, s.attrs.low ?? 0),
  vjp: () => [null],
  inPlace: true,
  gradCheck: [],
});
