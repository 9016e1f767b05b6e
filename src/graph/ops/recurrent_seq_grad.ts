// recurrent_seq_grad: the backward pass of a recurrent scan (rnn_seq, lstm_seq, gru_seq; attr cell
// and the scan's reverse). From the scan's output packed [B, L, P·H], its recurrent weights whh,
// its mask and the gradient of packed (on every part of it), gives the gradients of the
// pre-activations [B, L, D·H] (kernels/ts/recurrent.ts), from which the scan's VJP makes the
// gradients of xg, whh (one matrix product over all steps) and GRU's bhn as graph nodes.
// Fused with its scan: the recurrence of the gradient runs step by step like the scan's.
// A second derivative through it is not implemented (its vjp throws); it is gradient-checked
// through the cases of the three scans.
import { InternalError } from '../../errors.js';
import type { RecurrentCell, RecurrentDims } from '../../kernels/kernels.js';
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { DGATES, GATES, PACKED, scanDims } from './_recurrent.js';

interface GradAttrs {
  [k: string]: unknown;
  cell: RecurrentCell;
  reverse?: boolean;
}

function sizes([packed, whh, mask, dpacked]: readonly (readonly number[])[], attrs: GradAttrs): [number, number, number] {
  const cell = attrs.cell;
  if (!Object.hasOwn(GATES, cell)) throw new Error(`attribute cell must be rnn, lstm or gru, got ${JSON.stringify(cell)}`);
  if (whh.length !== 2 || whh[1] !== GATES[cell] * whh[0]) throw new Error(`the recurrent weights must be [H, ${GATES[cell]}·H], got ${shapeStr(whh)}`);
  const H = whh[0];
  if (packed.length !== 3 || packed[2] !== PACKED[cell] * H)
    throw new Error(`the scan output must be [batch, steps, ${PACKED[cell] * H}], got ${shapeStr(packed)}`);
  if (!sameShape(dpacked, packed)) throw new Error(`the gradient ${shapeStr(dpacked)} must have the scan output's shape ${shapeStr(packed)}`);
  if (!sameShape(mask, [packed[0], packed[1]]) && !sameShape(mask, [1, packed[1]]))
    throw new Error(`the mask must be [${packed[0]}, ${packed[1]}] or [1, ${packed[1]}], got ${shapeStr(mask)}`);
  return [packed[0], packed[1], H];
}

export const recurrent_seq_grad = defineOp<GradAttrs, RecurrentDims>({
  doc: 'backward pass of a recurrent scan: packed, whh, mask, dpacked → pre-activation gradients [B,L,D·H]; attrs cell, reverse',
  visibility: 'internal',
  arity: 4,
  shape: (ins, attrs) => {
    const [B, L, H] = sizes(ins, attrs);
    return [B, L, DGATES[attrs.cell] * H];
  },
  prepare: (ins, _out, attrs) => {
    const s = sizes(ins, attrs);
    return scanDims(attrs.cell, s, attrs.reverse === true, new Float64Array(2 * s[2]));
  },
  prepareBytes: (ins, _out, attrs) => 16 * sizes(ins, attrs)[2],
  forward: (k, [packed, whh, mask, dpacked], out, s) => k.recurrentBackward(packed, whh, mask, dpacked, out, s.prep),
  vjp: (_g, n) => {
    throw new InternalError('second derivatives through a recurrent scan are not implemented', { node: n.name });
  },
  gradCheck: [],
  gradientOf: ['rnn_seq', 'lstm_seq', 'gru_seq'],
});
