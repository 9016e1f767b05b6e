// one_hot: integer labels [...] to [..., depth] rows with a single 1. Not differentiable.
import { defineOp } from '../types.js';

export const one_hot = defineOp<{ depth: number }, { rows: number; cols: number }>({
  doc: 'integer labels to one-hot rows; attrs depth; no gradient',
  visibility: 'public',
  arity: 1,
  shape: ([labels], attrs) => {
    if (!Number.isInteger(attrs.depth) || attrs.depth < 1) throw new Error('attribute depth must be a positive integer');
    return [...labels, attrs.depth];
  },
  prepare: ([labels], _out, attrs) => ({ rows: labels.reduce((a, b) => a * b, 1), cols: attrs.depth }),
  forward: (k, [labels], out, s) => k.oneHot(labels, out, s.prep),
  vjp: () => [null],
  gradCheck: [],
});
