// Reference copy kernels: runs of contiguous elements (slice, pad, concat), row lookups by
// float-encoded integer ids (embedding tables and their gradient), and images stored as bytes read
// as floats through a table (a batch of pixels).
import type { Buf } from '../../tensor/buffer.js';
import type { CopyRowsPlan, GatherRowsDims } from '../kernels.js';

export function copyRows(x: Buf, out: Buf, plan: CopyRowsPlan): void {
  const { src, dst, len } = plan;
  for (let r = 0; r < src.length; r++) {
    const s = src[r];
    const t = dst[r];
    for (let i = 0; i < len; i++) out[t + i] = x[s + i];
  }
}

export function gatherRows(table: Buf, ids: Buf, out: Buf, d: GatherRowsDims): void {
  const { rows, cols, vocab } = d;
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const id = ids[r];
    if (id >= 0 && id < vocab && id === Math.floor(id)) {
      const s = id * cols;
      for (let c = 0; c < cols; c++) out[o + c] = table[s + c];
    } else out.fill(NaN, o, o + cols);
  }
}

export function scatterAddRows(ids: Buf, src: Buf, out: Buf, d: GatherRowsDims): void {
  const { rows, cols, vocab } = d;
  out.fill(0, 0, vocab * cols);
  for (let r = 0, s = 0; r < rows; r++, s += cols) {
    const id = ids[r];
    if (!(id >= 0 && id < vocab && id === Math.floor(id))) continue;
    const t = id * cols;
    for (let c = 0; c < cols; c++) out[t + c] += src[s + c];
  }
}

export function byteRows(bytes: Uint8Array, rows: Int32Array, table: Float32Array, out: Buf, size: number): void {
  for (let r = 0; r < rows.length; r++) {
    const s = rows[r] * size;
    // An index loop rather than set(subarray()): no view object per row.
    for (let c = 0, d = r * size; c < size; c++) out[d + c] = table[bytes[s + c]];
  }
}
