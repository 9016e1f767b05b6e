// log_softmax over the last axis: x - logsumexp(x). Fused for numerical stability.
import { defineOp } from '../types.js';
import { rowsOf, sameRule } from './_common.js';

export const log_softmax = defineOp<{ [k: string]: unknown }, { rows: number; cols: number }>({
  doc: 'log of softmax over the last axis, computed stably',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  prepare: (ins) => rowsOf(ins[0]),
  forward: (k, [x], out, s) => k.softmax(x, out, s.prep, true),
  vjp: (g, n, grad) => {
    // g - softmax(x) · Σ g over the row
    const total = g.apply('sum', [grad], { axes: [-1], keepdims: true });
    return [g.apply('sub', [grad, g.apply('mul', [g.apply('exp', [n.id]), total])])];
  },
  gradCheck: [{ shapes: [[3, 5]] }],
});
