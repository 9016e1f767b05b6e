// div: a / b elementwise with numpy broadcasting.
import { unbroadcast } from '../grad.js';
import { defineOp } from '../types.js';
import { broadcastBytes, broadcastRule, prepareBroadcast } from './_common.js';

export const div = defineOp({
  doc: 'a / b elementwise, broadcasting',
  visibility: 'public',
  arity: 2,
  shape: broadcastRule,
  prepare: prepareBroadcast,
  prepareBytes: broadcastBytes,
  forward: (k, [a, b], out, s) => k.binary('div', a, b, out, s.prep),
  vjp: (g, n, grad) => {
    const [a, b] = n.inputs;
    // d/da = grad / b; d/db = -grad · out / b  (out = a / b)
    const ga = g.apply('div', [grad, b]);
    const gb = g.apply('neg', [g.apply('mul', [ga, n.id])]);
    return [unbroadcast(g, ga, g.shapeOf(a)), unbroadcast(g, gb, g.shapeOf(b))];
  },
  inPlace: true,
  gradCheck: [
    {
      shapes: [
        [3, 4],
        [3, 4],
      ],
      domains: ['any', 'positive'],
    },
    { shapes: [[2, 3], [3]], domains: ['any', 'positive'], label: 'row' },
  ],
});
