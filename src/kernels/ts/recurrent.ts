// Reference recurrent scans (rnn, lstm, gru over a whole sequence) and their backward pass. One
// sample at a time, one step at a time, in double, written for clarity rather than speed (the
// native kernels, native/recurrent.cc, batch each step into a GEMM).
//
// Layouts, with H hidden units and the gate blocks of H values each in this order:
//   cell  input pre-activations xg (G·H)   packed output per step (P·H)   backward output (D·H)
//   rnn   a                                h                              da
//   lstm  i f g o                          i f g o c h  (activations)     di df dg do  (pre-activation gradients)
//   gru   r z n                            r z n hn h                     dr dz dn dhn
// whh is [H, G·H] (h_{t-1}·whh gives the recurrent part of every gate). The cells:
//   rnn   h = tanh(a + h₋·whh)
//   lstm  i, f, o = σ(·), g = tanh(·) of (xg + h₋·whh); c = f·c₋ + i·g; h = o·tanh(c)
//   gru   r, z = σ(xg + h₋·whh); hn = h₋·whh_n + bhn; n = tanh(xg_n + r·hn); h = (1 − z)·n + z·h₋
// The mask is [batch, steps], or [1, steps] for every sample alike. At a step whose mask is not > 0 the state is carried (h = h₋, c = c₋) and the gates are 0.
// The GRU's dhn is the gradient of hn, the recurrent pre-activation of n (that of whh_n and bhn).
import type { Buf } from '../../tensor/buffer.js';
import type { RecurrentCell, RecurrentDims } from '../kernels.js';

/** Gate blocks of the input pre-activations. */
export const GATES: Record<RecurrentCell, number> = { rnn: 1, lstm: 4, gru: 3 };
/** Blocks of the packed forward output per step. */
export const PACKED: Record<RecurrentCell, number> = { rnn: 1, lstm: 6, gru: 5 };
/** Blocks of the backward output per step. */
export const DGATES: Record<RecurrentCell, number> = { rnn: 1, lstm: 4, gru: 4 };

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** h₋ · whh[:, col]: the previous step's h (at `prev` + hOff in out; none when prev < 0) times a column of whh [H, G]. */
function recurrentSum(out: Buf, prev: number, hOff: number, whh: Buf, H: number, G: number, col: number): number {
  if (prev < 0) return 0;
  let acc = 0;
  for (let k = 0; k < H; k++) acc += out[prev + hOff + k] * whh[k * G + col];
  return acc;
}

/** The step processed at position s of the scan. */
const stepAt = (s: number, L: number, reverse: boolean): number => (reverse ? L - 1 - s : s);

export function recurrentForward(xg: Buf, whh: Buf, bhn: Buf | null, mask: Buf, out: Buf, d: RecurrentDims): void {
  const { cell, batch: B, steps: L, hidden: H, reverse } = d;
  const G = GATES[cell] * H;
  const P = PACKED[cell] * H;
  const hOff = P - H;
  const ms = mask.length >= B * L ? L : 0; // between samples' mask rows
  for (let b = 0; b < B; b++) {
    let prev = -1; // offset in out of the previous step's packed row
    for (let s = 0; s < L; s++) {
      const t = stepAt(s, L, reverse);
      const o = (b * L + t) * P;
      const x = (b * L + t) * G;
      if (!(mask[b * ms + t] > 0)) {
        for (let j = 0; j < hOff; j++) out[o + j] = 0;
        for (let j = 0; j < H; j++) out[o + hOff + j] = prev < 0 ? 0 : out[prev + hOff + j];
        if (cell === 'lstm') for (let j = 0; j < H; j++) out[o + 4 * H + j] = prev < 0 ? 0 : out[prev + 4 * H + j];
        prev = o;
        continue;
      }
      if (cell === 'rnn') {
        // Every unit's sum reads h₋ at prev, never the row being written.
        for (let j = 0; j < H; j++) out[o + j] = Math.tanh(xg[x + j] + recurrentSum(out, prev, hOff, whh, H, G, j));
      } else if (cell === 'lstm') {
        for (let j = 0; j < 4 * H; j++) out[o + j] = xg[x + j] + recurrentSum(out, prev, hOff, whh, H, G, j);
        for (let j = 0; j < H; j++) {
          const i = sigmoid(out[o + j]);
          const f = sigmoid(out[o + H + j]);
          const gg = Math.tanh(out[o + 2 * H + j]);
          const og = sigmoid(out[o + 3 * H + j]);
          const cPrev = prev < 0 ? 0 : out[prev + 4 * H + j];
          const c = f * cPrev + i * gg;
          out[o + j] = i;
          out[o + H + j] = f;
          out[o + 2 * H + j] = gg;
          out[o + 3 * H + j] = og;
          out[o + 4 * H + j] = c;
          out[o + 5 * H + j] = og * Math.tanh(c);
        }
      } else {
        const bias = bhn as Buf;
        for (let j = 0; j < 2 * H; j++) out[o + j] = xg[x + j] + recurrentSum(out, prev, hOff, whh, H, G, j);
        for (let j = 0; j < H; j++) out[o + 3 * H + j] = recurrentSum(out, prev, hOff, whh, H, G, 2 * H + j) + bias[j];
        for (let j = 0; j < H; j++) {
          const r = sigmoid(out[o + j]);
          const z = sigmoid(out[o + H + j]);
          const hn = out[o + 3 * H + j];
          const n = Math.tanh(xg[x + 2 * H + j] + r * hn);
          const hPrev = prev < 0 ? 0 : out[prev + 4 * H + j];
          out[o + j] = r;
          out[o + H + j] = z;
          out[o + 2 * H + j] = n;
          out[o + 4 * H + j] = (1 - z) * n + z * hPrev;
        }
      }
      prev = o;
    }
  }
}

export function recurrentBackward(packed: Buf, whh: Buf, mask: Buf, dpacked: Buf, out: Buf, d: RecurrentDims): void {
  const { cell, batch: B, steps: L, hidden: H, reverse } = d;
  const G = GATES[cell] * H;
  const P = PACKED[cell] * H;
  const D = DGATES[cell] * H;
  const hOff = P - H;
  const room = d.carry && d.carry.length >= 2 * H ? d.carry : new Float64Array(2 * H);
  // dh: the gradient reaching h at the current step from later ones, then (in place) the total;
  // dc: LSTM: the same for c; GRU: the direct part z·dh of the gradient of h₋.
  const dh = room.subarray(0, H);
  const dc = room.subarray(H, 2 * H);
  const ms = mask.length >= B * L ? L : 0;
  for (let b = 0; b < B; b++) {
    dh.fill(0);
    dc.fill(0);
    for (let s = L - 1; s >= 0; s--) {
      const t = stepAt(s, L, reverse);
      const o = (b * L + t) * P;
      const q = (b * L + t) * D;
      const prev = s > 0 ? (b * L + stepAt(s - 1, L, reverse)) * P : -1;
      for (let j = 0; j < H; j++) dh[j] += dpacked[o + hOff + j];
      if (cell === 'lstm') for (let j = 0; j < H; j++) dc[j] += dpacked[o + 4 * H + j];
      if (!(mask[b * ms + t] > 0)) {
        // The state was carried: its gradient passes on unchanged; the gates were constants.
        for (let j = 0; j < D; j++) out[q + j] = 0;
        continue;
      }
      if (cell === 'rnn') {
        for (let j = 0; j < H; j++) {
          const h = packed[o + j];
          out[q + j] = dh[j] * (1 - h * h);
        }
      } else if (cell === 'lstm') {
        for (let j = 0; j < H; j++) {
          const i = packed[o + j];
          const f = packed[o + H + j];
          const gg = packed[o + 2 * H + j];
          const og = packed[o + 3 * H + j];
          const c = packed[o + 4 * H + j];
          const cPrev = prev < 0 ? 0 : packed[prev + 4 * H + j];
          const tc = Math.tanh(c);
          const dO = dh[j] * tc + dpacked[o + 3 * H + j];
          const dC = dc[j] + dh[j] * og * (1 - tc * tc);
          const dI = dC * gg + dpacked[o + j];
          const dF = dC * cPrev + dpacked[o + H + j];
          const dG = dC * i + dpacked[o + 2 * H + j];
          out[q + j] = dI * i * (1 - i);
          out[q + H + j] = dF * f * (1 - f);
          out[q + 2 * H + j] = dG * (1 - gg * gg);
          out[q + 3 * H + j] = dO * og * (1 - og);
          dc[j] = dC * f;
        }
      } else {
        for (let j = 0; j < H; j++) {
          const r = packed[o + j];
          const z = packed[o + H + j];
          const n = packed[o + 2 * H + j];
          const hn = packed[o + 3 * H + j];
          const hPrev = prev < 0 ? 0 : packed[prev + 4 * H + j];
          const dN = dh[j] * (1 - z) + dpacked[o + 2 * H + j];
          const dZ = dh[j] * (hPrev - n) + dpacked[o + H + j];
          const an = dN * (1 - n * n);
          const dR = an * hn + dpacked[o + j];
          out[q + j] = dR * r * (1 - r);
          out[q + H + j] = dZ * z * (1 - z);
          out[q + 2 * H + j] = an;
          out[q + 3 * H + j] = an * r + dpacked[o + 3 * H + j];
          dc[j] = dh[j] * z;
        }
      }
      // dh₋[k] = Σ over the recurrent pre-activation gradients of whh[k, col] times them.
      for (let k = 0; k < H; k++) {
        let acc = cell === 'gru' ? dc[k] : 0;
        const w = k * G;
        if (cell === 'gru') {
          for (let j = 0; j < 2 * H; j++) acc += out[q + j] * whh[w + j];
          for (let j = 0; j < H; j++) acc += out[q + 3 * H + j] * whh[w + 2 * H + j];
        } else {
          for (let j = 0; j < G; j++) acc += out[q + j] * whh[w + j];
        }
        dh[k] = acc;
      }
      if (cell === 'gru') dc.fill(0);
    }
  }
}
