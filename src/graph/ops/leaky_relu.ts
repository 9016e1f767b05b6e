// leaky_relu: x where x > 0, else alpha·x.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const leaky_relu = defineOp<{ alpha?: number }>({
  doc: 'x where x > 0 else alpha*x (alpha default 0.01)',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  forward: (k, [x], out, s) => k.unary('leaky_relu', x, out, s.attrs.alpha ?? 0.01),
  vjp: (g, n, grad) => [g.apply('mul', [grad, g.apply('step', [n.inputs[0]], { low: (n.attrs.alpha as number | undefined) ?? 0.01 })])],
  gradCheck: [{ shapes: [[3, 4]], attrs: { alpha: 0.1 }, domains: ['distinct'] }],
});
