// lstm_seq: an LSTM run over a whole sequence. Inputs: the input pre-activations xg [B, L, 4H]
// (x·w_ih + b for every step, one matrix product outside the op), the recurrent weights whh
// [H, 4H] and the mask [B, L] (the state is carried through steps where it is 0); attr reverse.
// Output [B, L, 6H]: per step the gate activations i f g o, the cell state c and the hidden state
// h (kernels/ts/recurrent.ts), all of which the backward pass needs; the layer slices h out.
//
// Fused, for speed, measured against the same layer unrolled into existing primitives (per step a
// slice of the input projection, a matmul with whh, four gate slices, sigmoids, tanhs, products,
// sums and a concat of the hidden states: 3,701 planned steps against 21): one layer, H 256,
// L 64, B 32, 128 input features, forward and backward, native kernels, medians of 5 runs taken
// alternately on a shared 2-core machine (`DLF_THREADS=n node bench/recurrent-fused.mjs`):
// 1 thread fused 41 ms, unrolled 165 ms; 2 threads fused 44 ms, unrolled 202 ms. The fused kernel
// keeps each step's small GEMM and its gate arithmetic in one call over buffers it owns; its VJP
// (recurrent_seq_grad, then one matrix product for whh over all steps) is gradient-checked here.
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
