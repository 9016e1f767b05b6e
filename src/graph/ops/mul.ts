// mul: a · b elementwise with numpy broadcasting.
import { unbroadcast } from '../grad.js';
import { defineOp } from '../types.js';
import { broadcastBytes, broadcastRule, prepareBroadcast } from './_common.js';

export const mul = defineOp({
  doc: 'a * b elementwise, broadcasting',
  visibility: 'public',
  arity: 2,
  shape: broadcastRule,
  prepare: prepareBroadcast,
  prepareBytes: broadcastBytes,
  forward: (k, [a, b], out, s) => k.binary('mul', a, b, out, s.prep),
  vjp: (g, n, grad) => {
    const [a, b] = n.inputs;
    return [unbroadcast(g, g.apply('mul', [grad, b]), g.shapeOf(a)), unbroadcast(g, g.apply('mul', [grad, a]), g.shapeOf(b))];
  },
  inPlace: true,
  gradCheck: [
    {
      shapes: [
        [3, 4],
        [3, 4],
      ],
    },
    { shapes: [[5, 3], [3]], label: 'row' },
    { shapes: [[2, 3], []], label: 'scalar' },
  ],
});
