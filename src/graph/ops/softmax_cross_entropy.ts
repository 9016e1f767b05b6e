// softmax_cross_entropy: per-row cross-entropy of softmax(logits) against integer class labels,
// out[r] = logsumexp(logits[r]) - logits[r, label[r]]. Fused for numerical stability (no log of a
// rounded-to-zero probability) and because its gradient is simply softmax(logits) - onehot(label).
// Labels get no gradient.
import { shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { rowsOf } from './_common.js';

export const softmax_cross_entropy = defineOp<{ [k: string]: unknown }, { rows: number; cols: number }>({
  doc: 'per-row -log softmax(logits)[label] for logits [..., C] and integer labels [...]',
  visibility: 'public',
  arity: 2,
  shape: ([logits, labels]) => {
    const lead = logits.slice(0, -1);
    if (logits.length < 1 || labels.length !== lead.length || !lead.every((d, i) => d === labels[i])) {
      throw new Error(`labels ${shapeStr(labels)} must have the shape of logits ${shapeStr(logits)} without its last axis`);
    }
    return lead;
  },
  prepare: (ins) => rowsOf(ins[0]),
  forward: (k, [logits, labels], out, s) => k.softmaxXent(logits, labels, out, s.prep),
  vjp: (g, n, grad) => {
    const [logits, labels] = n.inputs;
    const shape = g.shapeOf(logits);
    const p = g.apply('softmax', [logits]);
    const y = g.apply('one_hot', [labels], { depth: shape[shape.length - 1] });
    const gcol = g.apply('reshape', [grad], { shape: [...shape.slice(0, -1), 1] });
    return [g.apply('mul', [g.apply('sub', [p, y]), gcol]), null];
  },
  gradCheck: [{ shapes: [[4, 5], [4]], domains: ['any', 'labels:5'] }],
});
