// Reference elementwise kernels: broadcasting binary ops and unary maps.
import type { Buf } from '../../tensor/buffer.js';
import type { BinaryOp, BroadcastPlan, ChannelBroadcast, UnaryOp } from '../kernels.js';

function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case 'add':
      return x + y;
    case 'sub':
      return x - y;
    case 'mul':
      return x * y;
    case 'div':
      return x / y;
    case 'eq':
      return x === y ? 1 : 0;
  }
}

/** out[i] = a[i] op b[i] for i < n, with index steps of 0 or 1 for each side (broadcast a scalar). */
function sameLoop(op: BinaryOp, a: Buf, ai: number, b: Buf, bi: number, out: Buf, o: number, n: number, sa: 0 | 1, sb: 0 | 1): void {
  let p = ai;
  let q = bi;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++, p += sa, q += sb) out[o + i] = a[p] + b[q];
      return;
    case 'sub':
      for (let i = 0; i < n; i++, p += sa, q += sb) out[o + i] = a[p] - b[q];
      return;
    case 'mul':
      for (let i = 0; i < n; i++, p += sa, q += sb) out[o + i] = a[p] * b[q];
      return;
    case 'div':
      for (let i = 0; i < n; i++, p += sa, q += sb) out[o + i] = a[p] / b[q];
      return;
    case 'eq':
      for (let i = 0; i < n; i++, p += sa, q += sb) out[o + i] = a[p] === b[q] ? 1 : 0;
      return;
  }
}

/** A channel broadcast (see ChannelBroadcast): runs of `inner` elements against one value of the small side. */
function channelLoop(op: BinaryOp, a: Buf, b: Buf, out: Buf, n: number, { side, mid, inner }: ChannelBroadcast): void {
  const block = mid * inner;
  for (let o = 0; o < n; o += block) {
    for (let m = 0; m < mid; m++) {
      const start = o + m * inner;
      if (side === 'b') sameLoop(op, a, start, b, m, out, start, inner, 1, 0);
      else sameLoop(op, a, m, b, start, out, start, inner, 0, 1);
    }
  }
}

export function binary(op: BinaryOp, a: Buf, b: Buf, out: Buf, plan: BroadcastPlan): void {
  switch (plan.kind) {
    case 'same':
      return sameLoop(op, a, 0, b, 0, out, 0, plan.n, 1, 1);
    case 'scalarB':
      return sameLoop(op, a, 0, b, 0, out, 0, plan.n, 1, 0);
    case 'scalarA':
      return sameLoop(op, a, 0, b, 0, out, 0, plan.n, 0, 1);
    case 'rowB':
      for (let o = 0; o < plan.n; o += plan.row) sameLoop(op, a, o, b, 0, out, o, plan.row, 1, 1);
      return;
    case 'rowA':
      for (let o = 0; o < plan.n; o += plan.row) sameLoop(op, a, 0, b, o, out, o, plan.row, 1, 1);
      return;
    case 'general': {
      const { aOff, bOff, n, channel } = plan;
      if (channel) return channelLoop(op, a, b, out, n, channel);
      for (let i = 0; i < n; i++) out[i] = apply(op, a[aOff[i]], b[bOff[i]]);
      return;
    }
  }
}

export function unary(op: UnaryOp, x: Buf, out: Buf, p: number): void {
  const n = x.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case 'pow':
      if (p === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] ** p;
      return;
    case 'relu':
      // Without a data-dependent branch (signs are unpredictable): v · [v > 0] is v or ±0, or NaN
      // for v = NaN or −∞, which the rarely taken test maps to 0; + 0 turns −0 into 0.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const r = v * +(v > 0);
        out[i] = r === r ? r + 0 : 0;
      }
      return;
    case 'leaky_relu':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : p * x[i];
      return;
    case 'sigmoid':
      // Two branches so that exp never overflows.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case 'step':
      // Branch-free for a finite p: with t = [x > 0], t + (1 − t)·p is exactly 1 or p.
      if (p === 0) for (let i = 0; i < n; i++) out[i] = +(x[i] > 0);
      else if (Number.isFinite(p)) {
        for (let i = 0; i < n; i++) {
          const t = +(x[i] > 0);
          out[i] = t + (1 - t) * p;
        }
      } else for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : p;
      return;
  }
}

export function copy(x: Buf, out: Buf): void {
  out.set(x);
}

export function fill(out: Buf, value: number): void {
  out.fill(value);
}
