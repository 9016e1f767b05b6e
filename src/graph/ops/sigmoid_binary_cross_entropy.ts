// sigmoid_binary_cross_entropy: elementwise cross-entropy of sigmoid(x) against targets t in
// [0, 1], computed from the logits as max(x, 0) - x·t + log(1 + e^-|x|). Fused for numerical
// stability: it never takes the log of a probability that rounded to 0 or 1.
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';

export const sigmoid_binary_cross_entropy = defineOp({
  doc: 'elementwise binary cross-entropy of sigmoid(logits) against targets, from logits',
  visibility: 'public',
  arity: 2,
  shape: ([x, t]) => {
    if (!sameShape(x, t)) throw new Error(`targets ${shapeStr(t)} must have the shape of the logits ${shapeStr(x)}`);
    return x;
  },
  forward: (k, [x, t], out) => k.sigmoidBce(x, t, out),
  vjp: (g, n, grad) => {
    const [x, t] = n.inputs;
    const gx = g.apply('mul', [grad, g.apply('sub', [g.apply('sigmoid', [x]), t])]);
    const gt = g.apply('neg', [g.apply('mul', [grad, x])]);
    return [gx, gt];
  },
  gradCheck: [
    {
      shapes: [
        [4, 3],
        [4, 3],
      ],
      domains: ['any', 'binary'],
    },
  ],
});
