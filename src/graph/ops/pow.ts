// pow: x^p for a constant exponent p.
import { defineOp } from '../types.js';
import { sameRule } from './_common.js';

export const pow = defineOp<{ exponent: number }>({
  doc: 'x^exponent for a constant exponent',
  visibility: 'public',
  arity: 1,
  shape: (ins, attrs) => {
    if (typeof attrs.exponent !== 'number' || !Number.isFinite(attrs.exponent)) throw new Error('attribute exponent must be a number');
    return sameRule(ins);
  },
  forward: (k, [x], out, s) => k.unary('pow', x, out, s.attrs.exponent),
  vjp: (g, n, grad) => {
    const p = n.attrs.exponent as number;
    const x = n.inputs[0];
    const d = p === 2 ? x : g.apply('pow', [x], { exponent: p - 1 });
    return [g.apply('mul', [grad, g.apply('mul', [d, g.constant(p)])])];
  },
  gradCheck: [
    { shapes: [[3, 4]], attrs: { exponent: 2 } },
    { shapes: [[3, 4]], attrs: { exponent: -1.5 }, domains: ['positive'], label: 'fractional' },
  ],
});
