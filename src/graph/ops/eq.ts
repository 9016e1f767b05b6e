// eq: 1 where a == b, else 0, broadcasting. Not differentiable; used for masks (max's gradient).
import { defineOp } from '../types.js';
import { broadcastBytes, broadcastRule, prepareBroadcast } from './_common.js';

export const eq = defineOp({
  doc: '1 where a == b else 0, broadcasting (no gradient)',
  visibility: 'public',
  arity: 2,
  shape: broadcastRule,
  prepare: prepareBroadcast,
  prepareBytes: broadcastBytes,
  forward: (k, [a, b], out, s) => k.binary('eq', a, b, out, s.prep),
  vjp: () => [null, null],
  gradCheck: [],
});
