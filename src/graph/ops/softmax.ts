// softmax over the last axis. Fused (max-subtracted) for numerical stability.
import { defineOp } from '../types.js';
import { rowsOf, sameRule } from './_common.js';

export const softmax = defineOp<{ [k: string]: unknown }, { rows: number; cols: number }>({
  doc: 'softmax over the last axis',
  visibility: 'public',
  arity: 1,
  shape: sameRule,
  prepare: (ins) => rowsOf(ins[0]),
  forward: (k, [x], out, s) => k.softmax(x, out, s.prep, false),
  vjp: (g, n, grad) => {
    // y ⊙ (g - Σ g⊙y over the row)
    const y = n.id;
    const dot = g.apply('sum', [g.apply('mul', [grad, y])], { axes: [-1], keepdims: true });
    return [g.apply('mul', [y, g.apply('sub', [grad, dot])])];
  },
  gradCheck: [{ shapes: [[3, 5]] }, { shapes: [[2, 3, 4]], label: 'rank 3' }],
});
