// gru_seq: a GRU run over a whole sequence. Inputs: the input pre-activations xg [B, L, 3H]
// (x·w_ih + b for every step, the r and z parts holding both biases), the recurrent weights whh
// [H, 3H], the recurrent bias of the candidate bhn [H] (it sits inside r ⊙ (h₋·whh_n + bhn), so
// it cannot be folded into xg) and the mask [B, L] (the state is carried through steps where it
// is 0); attr reverse. Output [B, L, 5H]: per step r z n, hn = h₋·whh_n + bhn and h
// (kernels/ts/recurrent.ts); the layer slices h out.
//
// Fused for the reasons lstm_seq gives; it shares the kernels and the backward op
// (recurrent_seq_grad, whose output also carries the gradient of hn, for whh_n and bhn).
import { defineOp } from '../types.js';
import { PACKED, type ScanAttrs, scanCases, scanDims, scanSizes, scanVjp } from './_recurrent.js';

export const gru_seq = defineOp<ScanAttrs, ReturnType<typeof scanDims>>({
  doc: 'GRU over a sequence: xg [B,L,3H], whh [H,3H], bhn [H], mask [B,L] → [B,L,5H] (r z n hn h per step); attr reverse',
  visibility: 'internal',
  arity: 4,
  shape: ([xg, whh, bhn, mask]) => {
    const [B, L, H] = scanSizes('gru', xg, whh, mask);
    if (bhn.length !== 1 || bhn[0] !== H) throw new Error(`the recurrent bias must be [${H}], got [${bhn.join(', ')}]`);
    return [B, L, PACKED.gru * H];
  },
  prepare: ([xg, whh, _bhn, mask], _out, attrs) => scanDims('gru', scanSizes('gru', xg, whh, mask), attrs.reverse === true),
  forward: (k, [xg, whh, bhn, mask], out, s) => k.recurrentForward(xg, whh, bhn, mask, out, s.prep),
  vjp: (g, n, grad) => scanVjp('gru', g, n, grad),
  gradCheck: scanCases('gru'),
});
