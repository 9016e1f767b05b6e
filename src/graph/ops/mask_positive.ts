// mask_positive: g · [x > 0] elementwise (same shapes), relu's gradient. Exists for speed: the
// graph optimiser folds relu's VJP, mul(g, step(x)), into it (one pass, no mask buffer), with
// the same float operation, so the bits are unchanged. No gradient flows to x (a step). Not
// in place: a backend may compose it as step(x) into out, then g · out.
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';

export const mask_positive = defineOp({
  doc: 'g * (x > 0) fused (for speed): the relu gradient; no gradient to x',
  visibility: 'internal',
  arity: 2,
  shape: ([g, x]) => {
    if (!sameShape(g, x)) throw new Error(`shapes differ: ${shapeStr(g)} vs ${shapeStr(x)}`);
    return g;
  },
  forward: (k, [g, x], out) => k.maskPositive(g, x, out),
  vjp: (g, n, grad) => [g.apply('mul', [grad, g.apply('step', [n.inputs[1]])]), null],
  gradCheck: [
    {
      shapes: [
        [3, 4],
        [3, 4],
      ],
      domains: ['any', 'distinct'],
    },
  ],
});
