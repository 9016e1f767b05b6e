// add: a + b with numpy broadcasting.
import { unbroadcast } from '../grad.js';
import { defineOp } from '../types.js';
import { broadcastBytes, broadcastRule, prepareBroadcast } from './_common.js';

export const add = defineOp({
  doc: 'a + b, broadcasting',
  visibility: 'public',
  arity: 2,
  shape: broadcastRule,
  prepare: prepareBroadcast,
  prepareBytes: broadcastBytes,
  forward: (k, [a, b], out, s) => k.binary('add', a, b, out, s.prep),
  vjp: (g, n, grad) => [unbroadcast(g, grad, g.shapeOf(n.inputs[0])), unbroadcast(g, grad, g.shapeOf(n.inputs[1]))],
  inPlace: true,
  gradCheck: [
    {
      shapes: [
        [3, 4],
        [3, 4],
      ],
    },
    { shapes: [[2, 3, 4], [4]], label: 'row' },
    {
      shapes: [
        [3, 1],
        [1, 4],
      ],
      label: 'outer',
    },
    { shapes: [[], [2, 3]], label: 'scalar' },
  ],
});
