// Layout helpers for the lowered convolution kernels: the column matrix of one sample, its
// transpose, and the transpose's adjoint. The column matrix col [C·KH·KW, OH·OW] holds in row
// k = (c·KH + ky)·KW + kx and column p = oy·OW + ox the input cell that tap (ky, kx) of channel c
// reads for output cell (oy, ox), or 0 where that cell is padding; colT [OH·OW, C·KH·KW] is its
// transpose. Every helper walks, per tap, the contiguous run of output columns that read inside
// the input (the same bounds as the direct kernels), so none carries per-element bounds checks.
import type { Buf } from '../../tensor/buffer.js';
import type { Conv2dDims } from '../kernels.js';

/** First output index o with 0 <= o·s + off (the tap reads inside the input). */
export function lo(off: number, s: number): number {
  return off >= 0 ? 0 : Math.ceil(-off / s);
}

/** One past the last output index o < outSize with o·s + off <= size − 1. */
export function hi(off: number, s: number, size: number, outSize: number): number {
  const last = Math.floor((size - 1 - off) / s);
  return last + 1 < outSize ? last + 1 : outSize;
}

/** col = the column matrix of the sample of x starting at `x0`; every element of col[0, K·P) is written. */
export function im2col(x: Buf, x0: number, col: Buf, d: Conv2dDims): void {
  const { c: C, h: H, w: W, kh: KH, kw: KW, oh: OH, ow: OW, sh, sw, dh, dw, pt, pl } = d;
  const P = OH * OW;
  const xPlane = H * W;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = x0 + c * xPlane;
    for (let ky = 0; ky < KH; ky++) {
      const offY = ky * dh - pt;
      const y0 = Math.min(lo(offY, sh), OH);
      const y1 = Math.max(hi(offY, sh, H, OH), y0);
      for (let kx = 0; kx < KW; kx++, r += P) {
        const offX = kx * dw - pl;
        const xa = Math.min(lo(offX, sw), OW);
        const xb = Math.max(hi(offX, sw, W, OW), xa);
        const end = r + P;
        if (xa === xb) {
          for (let o = r; o < end; o++) col[o] = 0;
          continue;
        }
        for (let o = r, e = r + y0 * OW; o < e; o++) col[o] = 0;
        for (let oy = y0; oy < y1; oy++) {
          const row = r + oy * OW;
          for (let o = row, e = row + xa; o < e; o++) col[o] = 0;
          let i = xc + (oy * sh + offY) * W + xa * sw + offX;
          for (let o = row + xa, e = row + xb; o < e; o++, i += sw) col[o] = x[i];
          for (let o = row + xb, e = row + OW; o < e; o++) col[o] = 0;
        }
        for (let o = r + y1 * OW; o < end; o++) col[o] = 0;
      }
    }
  }
}

/**
 * colT = the transposed column matrix [P, K] of the sample of x starting at `x0`, writing only the
 * cells that read inside the input: the padding cells must already hold 0 (they are the same for
 * every sample, so one fill serves a whole batch).
 */
export function im2colT(x: Buf, x0: number, colT: Buf, d: Conv2dDims): void {
  tapRuns(x, x0, colT, d, false);
}

/** The adjoint of im2colT: adds every element of colT [P, K] into the input cell it was read from (sample at `x0`). */
export function col2imT(colT: Buf, out: Buf, x0: number, d: Conv2dDims): void {
  tapRuns(out, x0, colT, d, true);
}

/**
 * Walks every (input cell, colT cell) pair of the transposed column matrix that reads inside the
 * input, run by run (a tap and an output row): copies image cells into colT, or with `toImage`
 * adds colT's cells back onto the image.
 */
function tapRuns(img: Buf, x0: number, colT: Buf, d: Conv2dDims, toImage: boolean): void {
  const { c: C, h: H, w: W, kh: KH, kw: KW, oh: OH, ow: OW, sh, sw, dh, dw, pt, pl } = d;
  const K = C * KH * KW;
  const xPlane = H * W;
  let k = 0;
  for (let c = 0; c < C; c++) {
    const xc = x0 + c * xPlane;
    for (let ky = 0; ky < KH; ky++) {
      const offY = ky * dh - pt;
      const y0 = lo(offY, sh);
      const y1 = hi(offY, sh, H, OH);
      for (let kx = 0; kx < KW; kx++, k++) {
        const offX = kx * dw - pl;
        const xa = lo(offX, sw);
        const xb = hi(offX, sw, W, OW);
        if (xa >= xb) continue;
        for (let oy = y0; oy < y1; oy++) {
          let i = xc + (oy * sh + offY) * W + xa * sw + offX;
          const e = (oy * OW + xb) * K + k;
          if (toImage) for (let o = (oy * OW + xa) * K + k; o < e; o += K, i += sw) img[i] += colT[o];
          else for (let o = (oy * OW + xa) * K + k; o < e; o += K, i += sw) colT[o] = img[i];
        }
      }
    }
  }
}
