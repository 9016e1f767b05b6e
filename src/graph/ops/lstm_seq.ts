// lstm_seq: an LSTM run over a whole sequence. Inputs: the input pre-activations xg [B, L, 4H]
// (x·w_ih + b for every step, one matrix product outside the op), the recurrent weights whh
// [H, 4H] and the mask [B, L] (the state is carried through steps where it is 0); attr reverse.
// Output [B, L, 6H]: per step the gate activations i f g o, the cell state c and the hidden state
// h (kernels/ts/recurrent.ts), all of which the backward pass needs; the layer slices h out.
//
// Fused, for speed: the same scan as an unrolled subgraph of primitives (per step a matmul, adds,
// sigmoids, tanhs, products, mask blends and slices: about 30 nodes per step, 1,900 for 64 steps)
// measured on a 1-layer LSTM, H 256, L 64, B 32, forward and backward, native kernels, 2 threads:
// unrolled UNROLLED_MS ms, fused FUSED_MS ms per step (bench/recurrent-fused.ts). The fused op
// keeps every step's small products and elementwise passes in one kernel call over buffers it
// owns; its VJP (recurrent_seq_grad, then one matrix product for whh) is gradient-checked here.
import { defineOp } from '../types.js';
import { PACKED, type ScanAttrs, scanCases, scanDims, scanSizes, scanVjp } from './_recurrent.js';

export const lstm_seq = defineOp<ScanAttrs, ReturnType<typeof scanDims>>({
  doc: 'LSTM over a sequence: xg [B,L,4H], whh [H,4H], mask [B,L] → [B,L,6H] (i f g o c h per step); attr reverse',
  visibility: 'internal',
  arity: 3,
  shape: ([xg, whh, mask]) => {
    const [B, L, H] = scanSizes('lstm', xg, whh, mask);
    return [B, L, PACKED.lstm * H];
  },
  prepare: ([xg, whh, mask], _out, attrs) => scanDims('lstm', scanSizes('lstm', xg, whh, mask), attrs.reverse === true),
  forward: (k, [xg, whh, mask], out, s) => k.recurrentForward(xg, whh, null, mask, out, s.prep),
  vjp: (g, n, grad) => scanVjp('lstm', g, n, grad),
  gradCheck: scanCases('lstm'),
});
