// Reference row-wise kernels: softmax, log-softmax, the fused softmax-cross-entropy, one-hot,
// sigmoid binary cross-entropy and per-row mean squared error.
import type { Buf } from '../../tensor/buffer.js';
import type { RowsDims } from '../kernels.js';

export function softmax(x: Buf, out: Buf, d: RowsDims, log: boolean): void {
  const { rows, cols } = d;
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c] > m) m = x[o + c];
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[o + c] - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let c = 0; c < cols; c++) out[o + c] = x[o + c] - lse;
    } else {
      const inv = 1 / s;
      for (let c = 0; c < cols; c++) out[o + c] = Math.exp(x[o + c] - m) * inv;
    }
  }
}

export function softmaxXent(logits: Buf, labels: Buf, out: Buf, d: RowsDims): void {
  const { rows, cols } = d;
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (logits[o + c] > m) m = logits[o + c];
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(logits[o + c] - m);
    const y = labels[r];
    out[r] = y >= 0 && y < cols && y === Math.floor(y) ? m + Math.log(s) - logits[o + y] : NaN;
  }
}

export function oneHot(labels: Buf, out: Buf, d: RowsDims): void {
  const { rows, cols } = d;
  out.fill(0, 0, rows * cols);
  for (let r = 0; r < rows; r++) {
    const y = labels[r];
    if (y >= 0 && y < cols) out[r * cols + y] = 1;
  }
}

export function sigmoidBce(x: Buf, t: Buf, out: Buf): void {
  // max(x, 0) - x·t + log(1 + exp(-|x|)): no overflow for any x.
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = (v > 0 ? v : 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
}

export function mse(a: Buf, b: Buf, out: Buf, d: RowsDims): void {
  const { rows, cols } = d;
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const e = a[o + c] - b[o + c];
      s += e * e;
    }
    out[r] = s / cols;
  }
}
