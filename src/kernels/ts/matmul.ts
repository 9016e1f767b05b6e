// Reference matrix multiply. One register-blocked path serves every transpose combination: the
// operands are read through strides, and a 4×4 tile of the output is accumulated in sixteen
// locals while the shared dimension is walked once. Edges fall back to plain dot products.
import type { Buf } from '../../tensor/buffer.js';
import type { MatmulDims } from '../kernels.js';

export function matmul(a: Buf, b: Buf, out: Buf, d: MatmulDims): void {
  const { batch, m, n, k, transA, transB, strideA, strideB } = d;
  // A(i, p) = a[i*sai + p*sap]; B(p, j) = b[p*sbp + j*sbj].
  const sai = transA ? 1 : k;
  const sap = transA ? m : 1;
  const sbp = transB ? 1 : n;
  const sbj = transB ? k : 1;
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let bt = 0; bt < batch; bt++) {
    const aB = bt * strideA;
    const bB = bt * strideB;
    const cB = bt * m * n;
    for (let i = 0; i < m4; i += 4) {
      const a0Start = aB + i * sai;
      for (let j = 0; j < n4; j += 4) {
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0;
        let c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0;
        let c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        let pa = a0Start;
        let pb = bB + j * sbj;
        for (let p = 0; p < k; p++) {
          const a0 = a[pa],
            a1 = a[pa + sai],
            a2 = a[pa + 2 * sai],
            a3 = a[pa + 3 * sai];
          const b0 = b[pb],
            b1 = b[pb + sbj],
            b2 = b[pb + 2 * sbj],
            b3 = b[pb + 3 * sbj];
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
          pa += sap;
          pb += sbp;
        }
        let o = cB + i * n + j;
        out[o] = c00;
        out[o + 1] = c01;
        out[o + 2] = c02;
        out[o + 3] = c03;
        o += n;
        out[o] = c10;
        out[o + 1] = c11;
        out[o + 2] = c12;
        out[o + 3] = c13;
        o += n;
        out[o] = c20;
        out[o + 1] = c21;
        out[o + 2] = c22;
        out[o + 3] = c23;
        o += n;
        out[o] = c30;
        out[o + 1] = c31;
        out[o + 2] = c32;
        out[o + 3] = c33;
      }
      for (let r = i; r < i + 4; r++) dots(a, b, out, aB + r * sai, sap, bB, sbp, sbj, cB + r * n, n4, n, k);
    }
    for (let r = m4; r < m; r++) dots(a, b, out, aB + r * sai, sap, bB, sbp, sbj, cB + r * n, 0, n, k);
  }
}

/** Output row from column j0 to n-1 as plain dot products. */
function dots(a: Buf, b: Buf, out: Buf, aRow: number, sap: number, bB: number, sbp: number, sbj: number, cRow: number, j0: number, n: number, k: number): void {
  for (let j = j0; j < n; j++) {
    let s = 0;
    let pa = aRow;
    let pb = bB + j * sbj;
    for (let p = 0; p < k; p++, pa += sap, pb += sbp) s += a[pa] * b[pb];
    out[cRow + j] = s;
  }
}
