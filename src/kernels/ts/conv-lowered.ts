// The convolution kernels lowered to matrix products, for geometries planned `lowered`
// (Conv2dDims.lowered, set by kernels/plans.ts `convPlan`), on scratch from conv-scratch.ts. Per sample b, with
// K = C·KH·KW, P = OH·OW, W the weights as [F, K], G_b the output gradient as [F, P], and the
// column matrix of x_b as col_b [K, P] or its transpose colT_b [P, K] (im2col.ts):
//   conv2d:           out_b = W · col_b                      (then copied into place)
//   conv2dGradInput:  x-grad_b = col2imT(G_bᵀ · W)
//   conv2dGradWeight: w-grad = Σ_b G_b · colT_b              (summed in float64)
// The products run on the reference GEMM (matmul.ts) or one the caller passes (`Gemm`), one
// sample at a time so that the column matrix stays in cache. matmul writes from index 0, so a sample's operands and products that are
// not at the start of a buffer go through the scratch.
//
// The two gradients skip zeros: behind a ReLU and a max pooling most of the output gradient is
// exactly 0 (about 90% in a conv → relu → maxpool stack). A sample whose gradient is sparse enough
// builds its product from the nonzeros alone: row p of G_bᵀ · W sums the weight rows of the
// filters that are nonzero at p, and row f of G_b · colT_b the colT_b rows of the cells where
// filter f is nonzero. The choice is made per sample from a count of its nonzeros; it only
// reorders the sums, and the data alone decides it, so runs stay deterministic. Zeros are only
// skipped when the other operand is finite, so that 0 · ∞ still gives NaN as in the dense product.
import type { Buf } from '../../tensor/buffer.js';
import type { Conv2dDims, ConvScratch, MatmulDims } from '../kernels.js';
import { col2imT, im2col, im2colT } from './im2col.js';
import { matmul } from './matmul.js';

/**
 * The matrix product the lowered kernels run on: the reference matmul unless a caller (a kernel
 * set with a faster GEMM) passes its own.
 */
export type Gemm = (a: Buf, b: Buf, out: Buf, d: MatmulDims) => void;

/**
 * A sample's gradient is scattered when at most this fraction of it is nonzero: the scatter does
 * the nonzeros' multiply-adds at a lower rate than the GEMM, but skips the rest.
 */
export const SPARSE_DENSITY = 0.5;

function allFinite(a: Buf, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] - a[i] !== 0) return false;
  return true;
}

export function conv2dLowered(x: Buf, w: Buf, out: Buf, d: Conv2dDims, s: ConvScratch, mm: Gemm = matmul): void {
  const { n: N, c: C, h: H, w: W, f: F, oh: OH, ow: OW } = d;
  const wide = out instanceof Float64Array;
  const col = wide ? s.col.f64 : s.col.f32;
  const prod = wide ? s.fp.f64 : s.fp.f32;
  const xSize = C * H * W;
  const oSize = F * OH * OW;
  for (let b = 0; b < N; b++) {
    im2col(x, b * xSize, col, d);
    mm(w, col, prod, s.gemm);
    out.set(prod, b * oSize);
  }
}

export function conv2dGradInputLowered(grad: Buf, w: Buf, out: Buf, d: Conv2dDims, s: ConvScratch, mm: Gemm = matmul): void {
  const { n: N, c: C, h: H, w: W, f: F, kh: KH, kw: KW, oh: OH, ow: OW } = d;
  const wide = out instanceof Float64Array;
  const colT = wide ? s.col.f64 : s.col.f32;
  const g = wide ? s.fp.f64 : s.fp.f32;
  const xSize = C * H * W;
  const P = OH * OW;
  const K = C * KH * KW;
  const gSize = F * P;
  const { idx, val } = s;
  const sparseOk = allFinite(w, 0, F * K);
  const limit = SPARSE_DENSITY * gSize;
  out.fill(0, 0, N * xSize);
  for (let b = 0; b < N; b++) {
    const g0 = b * gSize;
    let nnz = 0;
    for (let i = 0; i < gSize; i++) {
      const v = grad[g0 + i];
      g[i] = v;
      if (v !== 0) nnz++;
    }
    if (sparseOk && nnz <= limit) {
      // colT[p, :] = the sum over the filters f with a nonzero gradient at p of grad[f, p] · w[f, :].
      for (let p = 0; p < P; p++) {
        let m = 0;
        for (let f = 0; f < F; f++) {
          const v = g[f * P + p];
          if (v === 0) continue;
          idx[m] = f * K;
          val[m++] = v;
        }
        if (m === 0) colT.fill(0, p * K, (p + 1) * K);
        else combineRows(colT, p * K, w, idx, val, m, K);
      }
    } else mm(g, w, colT, s.gemm);
    col2imT(colT, out, b * xSize, d);
  }
}

export function conv2dGradWeightLowered(x: Buf, grad: Buf, out: Buf, d: Conv2dDims, s: ConvScratch, mm: Gemm = matmul): void {
  const { n: N, c: C, h: H, w: W, f: F, kh: KH, kw: KW, oh: OH, ow: OW } = d;
  const wide = out instanceof Float64Array;
  const colT = wide ? s.col.f64 : s.col.f32;
  const g = wide ? s.fp.f64 : s.fp.f32;
  const prod = wide ? s.fk.f64 : s.fk.f32;
  const { acc, idx, val } = s;
  const xSize = C * H * W;
  const P = OH * OW;
  const K = C * KH * KW;
  const gSize = F * P;
  const wSize = F * K;
  const limit = SPARSE_DENSITY * gSize;
  acc.fill(0, 0, wSize);
  colT.fill(0, 0, P * K); // the padding cells, which im2colT leaves alone
  for (let b = 0; b < N; b++) {
    const g0 = b * gSize;
    const x0 = b * xSize;
    let nnz = 0;
    for (let i = 0; i < gSize; i++) {
      const v = grad[g0 + i];
      g[i] = v;
      if (v !== 0) nnz++;
    }
    im2colT(x, x0, colT, d);
    if (nnz <= limit && allFinite(x, x0, x0 + xSize)) {
      // acc[f, :] += the sum over the output cells p with a nonzero grad[f, p] of grad[f, p] · colT[p, :].
      for (let f = 0; f < F; f++) {
        let m = 0;
        for (let p = 0; p < P; p++) {
          const v = g[f * P + p];
          if (v === 0) continue;
          idx[m] = p * K;
          val[m++] = v;
        }
        if (m > 0) accumulateRows(acc, f * K, colT, idx, val, m, K);
      }
    } else {
      mm(g, colT, prod, s.gemm);
      for (let i = 0; i < wSize; i++) acc[i] += prod[i];
    }
  }
  for (let i = 0; i < wSize; i++) out[i] = acc[i];
}

// The row combinations below sum their rows four at a time (padding the last group with zero
// weights), so that each store carries four multiply-adds; the operands of a sparse path are
// finite, so a padded term adds exactly 0. They are small functions of their own so that each
// array access sees one array type.

/** dst[d0 + i] = Σ over t < m of val[t] · src[idx[t] + i], for i < n. */
function combineRows(dst: Buf, d0: number, src: Buf, idx: Int32Array, val: Float64Array, m: number, n: number): void {
  for (let t = 0; t < m; t += 4) {
    const q0 = idx[t];
    const v0 = val[t];
    const q1 = t + 1 < m ? idx[t + 1] : q0;
    const v1 = t + 1 < m ? val[t + 1] : 0;
    const q2 = t + 2 < m ? idx[t + 2] : q0;
    const v2 = t + 2 < m ? val[t + 2] : 0;
    const q3 = t + 3 < m ? idx[t + 3] : q0;
    const v3 = t + 3 < m ? val[t + 3] : 0;
    if (t === 0) for (let i = 0; i < n; i++) dst[d0 + i] = v0 * src[q0 + i] + v1 * src[q1 + i] + v2 * src[q2 + i] + v3 * src[q3 + i];
    else for (let i = 0; i < n; i++) dst[d0 + i] += v0 * src[q0 + i] + v1 * src[q1 + i] + v2 * src[q2 + i] + v3 * src[q3 + i];
  }
}

/** acc[a0 + i] += Σ over t < m of val[t] · src[idx[t] + i], for i < n. */
function accumulateRows(acc: Float64Array, a0: number, src: Buf, idx: Int32Array, val: Float64Array, m: number, n: number): void {
  for (let t = 0; t < m; t += 4) {
    const q0 = idx[t];
    const v0 = val[t];
    const q1 = t + 1 < m ? idx[t + 1] : q0;
    const v1 = t + 1 < m ? val[t + 1] : 0;
    const q2 = t + 2 < m ? idx[t + 2] : q0;
    const v2 = t + 2 < m ? val[t + 2] : 0;
    const q3 = t + 3 < m ? idx[t + 3] : q0;
    const v3 = t + 3 < m ? val[t + 3] : 0;
    for (let i = 0; i < n; i++) acc[a0 + i] += v0 * src[q0 + i] + v1 * src[q1 + i] + v2 * src[q2 + i] + v3 * src[q3 + i];
  }
}
