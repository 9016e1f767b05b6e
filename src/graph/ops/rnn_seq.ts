// rnn_seq: a tanh RNN run over a whole sequence, h = tanh(xg + h₋·whh). Inputs: the input
// pre-activations xg [B, L, H] (x·w_ih + b, one matrix product outside the op), the recurrent
// weights whh [H, H] and the mask [B, L] (the state is carried through steps where it is 0);
// attr reverse. Output [B, L, H]: the hidden state of every step.
//
// Fused for the reasons lstm_seq gives (one kernel call per sequence instead of a subgraph per
// step); it shares the kernels and the backward op (recurrent_seq_grad) with lstm_seq and gru_seq.
import { defineOp } from '../types.js';
import { PACKED, type ScanAttrs, scanCases, scanDims, scanSizes, scanVjp } from './_recurrent.js';

export const rnn_seq = defineOp<ScanAttrs, ReturnType<typeof scanDims>>({
  doc: 'tanh RNN over a sequence: xg [B,L,H], whh [H,H], mask [B,L] → h [B,L,H]; attr reverse',
  visibility: 'internal',
  arity: 3,
  shape: ([xg, whh, mask]) => {
    const [B, L, H] = scanSizes('rnn', xg, whh, mask);
    return [B, L, PACKED.rnn * H];
  },
  prepare: ([xg, whh, mask], _out, attrs) => scanDims('rnn', scanSizes('rnn', xg, whh, mask), attrs.reverse === true),
  forward: (k, [xg, whh, mask], out, s) => k.recurrentForward(xg, whh, null, mask, out, s.prep),
  vjp: (g, n, grad) => scanVjp('rnn', g, n, grad),
  gradCheck: scanCases('rnn'),
});
