// Reference 2-D convolution kernels (NCHW). A geometry planned `lowered` (see Conv2dDims.lowered)
// runs the lowered kernels of conv-lowered.ts (im2col and the GEMM, skipping the zeros of sparse
// gradients) on the shared scratch of conv-scratch.ts; otherwise, the direct loops below, which
// need no scratch memory. In those, each (kernel tap, output row) pair touches a contiguous run of output
// columns whose bounds are computed once per tap, so the inner loops carry no bounds checks and
// padding costs nothing. The loops are blocked by four along the summed channel axis (input
// channels for conv2d, filters for its input gradient, filters for its weight gradient) so that
// every read-modify-write of the output, or every read of the shared operand, carries four
// multiply-adds.
import type { Buf } from '../../tensor/buffer.js';
import type { Conv2dDims } from '../kernels.js';
import { conv2dGradInputLowered, conv2dGradWeightLowered, conv2dLowered } from './conv-lowered.js';
import { convScratch } from './conv-scratch.js';
import { hi, lo } from './im2col.js';

export function conv2d(x: Buf, w: Buf, out: Buf, d: Conv2dDims): void {
  if (d.lowered) conv2dLowered(x, w, out, d, convScratch('conv2d', d));
  else conv2dDirect(x, w, out, d);
}

export function conv2dGradInput(grad: Buf, w: Buf, out: Buf, d: Conv2dDims): void {
  if (d.lowered) conv2dGradInputLowered(grad, w, out, d, convScratch('gradInput', d));
  else conv2dGradInputDirect(grad, w, out, d);
}

export function conv2dGradWeight(x: Buf, grad: Buf, out: Buf, d: Conv2dDims): void {
  if (d.lowered) conv2dGradWeightLowered(x, grad, out, d, convScratch('gradWeight', d));
  else conv2dGradWeightDirect(x, grad, out, d);
}

export function conv2dDirect(x: Buf, w: Buf, out: Buf, d: Conv2dDims): void {
  const { n: N, c: C, h: H, w: W, f: F, kh: KH, kw: KW, oh: OH, ow: OW, sh, sw, dh, dw, pt, pl } = d;
  const plane = OH * OW;
  const xPlane = H * W;
  const taps = KH * KW;
  const C4 = C - (C % 4);
  for (let b = 0; b < N; b++) {
    for (let f = 0; f < F; f++) {
      const o0 = (b * F + f) * plane;
      out.fill(0, o0, o0 + plane);
      for (let c = 0; c < C; c += c < C4 ? 4 : 1) {
        const four = c < C4;
        const x0 = (b * C + c) * xPlane;
        const w0 = (f * C + c) * taps;
        for (let ky = 0; ky < KH; ky++) {
          const offY = ky * dh - pt;
          const y0 = lo(offY, sh);
          const y1 = hi(offY, sh, H, OH);
          for (let kx = 0; kx < KW; kx++) {
            const offX = kx * dw - pl;
            const xa = lo(offX, sw);
            const xb = hi(offX, sw, W, OW);
            if (xa >= xb) continue;
            const p = w0 + ky * KW + kx;
            const wa = w[p];
            for (let oy = y0; oy < y1; oy++) {
              let o = o0 + oy * OW + xa;
              const oEnd = o0 + oy * OW + xb;
              let i = x0 + (oy * sh + offY) * W + xa * sw + offX;
              if (four) {
                const wb = w[p + taps];
                const wc = w[p + 2 * taps];
                const wd = w[p + 3 * taps];
                for (; o < oEnd; o++, i += sw) out[o] += wa * x[i] + wb * x[i + xPlane] + wc * x[i + 2 * xPlane] + wd * x[i + 3 * xPlane];
              } else {
                for (; o < oEnd; o++, i += sw) out[o] += wa * x[i];
              }
            }
          }
        }
      }
    }
  }
}

export function conv2dGradInputDirect(grad: Buf, w: Buf, out: Buf, d: Conv2dDims): void {
  const { n: N, c: C, h: H, w: W, f: F, kh: KH, kw: KW, oh: OH, ow: OW, sh, sw, dh, dw, pt, pl } = d;
  const plane = OH * OW;
  const xPlane = H * W;
  const taps = KH * KW;
  const wf = C * taps;
  const F4 = F - (F % 4);
  for (let b = 0; b < N; b++) {
    for (let c = 0; c < C; c++) {
      const x0 = (b * C + c) * xPlane;
      out.fill(0, x0, x0 + xPlane);
      for (let f = 0; f < F; f += f < F4 ? 4 : 1) {
        const four = f < F4;
        const g0 = (b * F + f) * plane;
        const w0 = (f * C + c) * taps;
        for (let ky = 0; ky < KH; ky++) {
          const offY = ky * dh - pt;
          const y0 = lo(offY, sh);
          const y1 = hi(offY, sh, H, OH);
          for (let kx = 0; kx < KW; kx++) {
            const offX = kx * dw - pl;
            const xa = lo(offX, sw);
            const xb = hi(offX, sw, W, OW);
            if (xa >= xb) continue;
            const p = w0 + ky * KW + kx;
            const wa = w[p];
            for (let oy = y0; oy < y1; oy++) {
              let o = g0 + oy * OW + xa;
              const oEnd = g0 + oy * OW + xb;
              let i = x0 + (oy * sh + offY) * W + xa * sw + offX;
              if (four) {
                const wb = w[p + wf];
                const wc = w[p + 2 * wf];
                const wd = w[p + 3 * wf];
                for (; o < oEnd; o++, i += sw) out[i] += wa * grad[o] + wb * grad[o + plane] + wc * grad[o + 2 * plane] + wd * grad[o + 3 * plane];
              } else {
                for (; o < oEnd; o++, i += sw) out[i] += wa * grad[o];
              }
            }
          }
        }
      }
    }
  }
}

export function conv2dGradWeightDirect(x: Buf, grad: Buf, out: Buf, d: Conv2dDims): void {
  const { n: N, c: C, h: H, w: W, f: F, kh: KH, kw: KW, oh: OH, ow: OW, sh, sw, dh, dw, pt, pl } = d;
  const plane = OH * OW;
  const xPlane = H * W;
  const wf = C * KH * KW;
  const F4 = F - (F % 4);
  for (let f = 0; f < F; f += f < F4 ? 4 : 1) {
    const four = f < F4;
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < KH; ky++) {
        const offY = ky * dh - pt;
        const y0 = lo(offY, sh);
        const y1 = hi(offY, sh, H, OH);
        for (let kx = 0; kx < KW; kx++) {
          const offX = kx * dw - pl;
          const xa = lo(offX, sw);
          const xb = hi(offX, sw, W, OW);
          let sa = 0;
          let sb = 0;
          let sc = 0;
          let sd = 0;
          if (xa < xb) {
            for (let b = 0; b < N; b++) {
              const g0 = (b * F + f) * plane;
              const x0 = (b * C + c) * xPlane;
              for (let oy = y0; oy < y1; oy++) {
                let o = g0 + oy * OW + xa;
                const oEnd = g0 + oy * OW + xb;
                let i = x0 + (oy * sh + offY) * W + xa * sw + offX;
                if (four) {
                  for (; o < oEnd; o++, i += sw) {
                    const v = x[i];
                    sa += grad[o] * v;
                    sb += grad[o + plane] * v;
                    sc += grad[o + 2 * plane] * v;
                    sd += grad[o + 3 * plane] * v;
                  }
                } else {
                  for (; o < oEnd; o++, i += sw) sa += grad[o] * x[i];
                }
              }
            }
          }
          const q = ((f * C + c) * KH + ky) * KW + kx;
          out[q] = sa;
          if (four) {
            out[q + wf] = sb;
            out[q + 2 * wf] = sc;
            out[q + 3 * wf] = sd;
          }
        }
      }
    }
  }
}
