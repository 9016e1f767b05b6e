// The lowered (im2col + GEMM) convolutions and the 2-D pooling kernels, written to give the same
// bits as the TypeScript reference (kernels/ts/conv_lowered.ts, im2col.ts, pool.ts) running on the
// native GEMM: the same per-sample choice between the dense product and the sparse row
// combinations (from the same nonzero count and finiteness test), the row combinations summed four
// at a time in double in the same order, and the pooling sums in double like JavaScript numbers.
// The row combinations are compiled per instruction-set level (no FMA contraction, so every level
// rounds alike).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "dlf.h"

namespace dlf {
namespace {

#if defined(__GNUC__)
#define DLF_INLINE inline __attribute__((always_inline))
#else
#define DLF_INLINE inline
#endif

/** floor(a / b) for b > 0. */
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/** First output index o with 0 <= o·s + off. */
inline int64_t lo(int64_t off, int64_t s) { return off >= 0 ? 0 : (-off + s - 1) / s; }

/** One past the last output index o < out_size with o·s + off <= size − 1. */
inline int64_t hi(int64_t off, int64_t s, int64_t size, int64_t out_size) {
  const int64_t last = floor_div(size - 1 - off, s);
  return last + 1 < out_size ? last + 1 : out_size;
}

/** col [K, P] = the column matrix of the sample at x (see im2col.ts); writes every element. */
void im2col(const float* x, float* col, const ConvGeom& d) {
  const int64_t P = (int64_t)d.oh * d.ow, plane = (int64_t)d.h * d.w;
  float* r = col;
  for (int64_t c = 0; c < d.c; c++) {
    const float* xc = x + c * plane;
    for (int64_t ky = 0; ky < d.kh; ky++) {
      const int64_t off_y = ky * d.dh - d.pt;
      const int64_t y0 = std::min<int64_t>(lo(off_y, d.sh), d.oh);
      const int64_t y1 = std::max<int64_t>(hi(off_y, d.sh, d.h, d.oh), y0);
      for (int64_t kx = 0; kx < d.kw; kx++, r += P) {
        const int64_t off_x = kx * d.dw - d.pl;
        const int64_t xa = std::min<int64_t>(lo(off_x, d.sw), d.ow);
        const int64_t xb = std::max<int64_t>(hi(off_x, d.sw, d.w, d.ow), xa);
        if (xa == xb) {
          std::memset(r, 0, sizeof(float) * P);
          continue;
        }
        std::memset(r, 0, sizeof(float) * y0 * d.ow);
        for (int64_t oy = y0; oy < y1; oy++) {
          float* row = r + oy * d.ow;
          for (int64_t o = 0; o < xa; o++) row[o] = 0;
          const float* src = xc + (oy * d.sh + off_y) * d.w + xa * d.sw + off_x;
          if (d.sw == 1) std::memcpy(row + xa, src, sizeof(float) * (xb - xa));
          else
            for (int64_t o = xa; o < xb; o++, src += d.sw) row[o] = *src;
          for (int64_t o = xb; o < d.ow; o++) row[o] = 0;
        }
        std::memset(r + y1 * d.ow, 0, sizeof(float) * (P - y1 * d.ow));
      }
    }
  }
}

/**
 * Visits every (input cell, colT cell) pair of the transposed column matrix [P, K] that reads
 * inside the input, in the order of im2colT/col2imT: f(x_index, colT_index).
 */
template <class F>
DLF_INLINE void each_tap(const ConvGeom& d, F f) {
  const int64_t K = (int64_t)d.c * d.kh * d.kw, plane = (int64_t)d.h * d.w;
  int64_t k = 0;
  for (int64_t c = 0; c < d.c; c++) {
    const int64_t xc = c * plane;
    for (int64_t ky = 0; ky < d.kh; ky++) {
      const int64_t off_y = ky * d.dh - d.pt;
      const int64_t y0 = lo(off_y, d.sh), y1 = hi(off_y, d.sh, d.h, d.oh);
      for (int64_t kx = 0; kx < d.kw; kx++, k++) {
        const int64_t off_x = kx * d.dw - d.pl;
        const int64_t xa = lo(off_x, d.sw), xb = hi(off_x, d.sw, d.w, d.ow);
        if (xa >= xb) continue;
        for (int64_t oy = y0; oy < y1; oy++) {
          int64_t i = xc + (oy * d.sh + off_y) * d.w + xa * d.sw + off_x;
          for (int64_t o = (oy * d.ow + xa) * K + k, e = (oy * d.ow + xb) * K + k; o < e; o += K, i += d.sw) f(i, o);
        }
      }
    }
  }
}

// ---- the row combinations of the sparse paths, four rows per pass, in double ----

/** dst[i] = Σ over t < m of val[t] · src[idx[t] + i], for i < n (rounded to float once per pass of four). */
DLF_INLINE void combine_body(float* __restrict dst, const float* src, const int32_t* idx, const double* val, int64_t m, int64_t n) {
  for (int64_t t = 0; t < m; t += 4) {
    const float* s0 = src + idx[t];
    const double v0 = val[t];
    const float* s1 = t + 1 < m ? src + idx[t + 1] : s0;
    const double v1 = t + 1 < m ? val[t + 1] : 0;
    const float* s2 = t + 2 < m ? src + idx[t + 2] : s0;
    const double v2 = t + 2 < m ? val[t + 2] : 0;
    const float* s3 = t + 3 < m ? src + idx[t + 3] : s0;
    const double v3 = t + 3 < m ? val[t + 3] : 0;
    if (t == 0)
      for (int64_t i = 0; i < n; i++) dst[i] = (float)(v0 * s0[i] + v1 * s1[i] + v2 * s2[i] + v3 * s3[i]);
    else
      for (int64_t i = 0; i < n; i++) dst[i] = (float)((double)dst[i] + (v0 * s0[i] + v1 * s1[i] + v2 * s2[i] + v3 * s3[i]));
  }
}

/** acc[i] += Σ over t < m of val[t] · src[idx[t] + i], for i < n. */
DLF_INLINE void accumulate_body(double* __restrict acc, const float* src, const int32_t* idx, const double* val, int64_t m, int64_t n) {
  for (int64_t t = 0; t < m; t += 4) {
    const float* s0 = src + idx[t];
    const double v0 = val[t];
    const float* s1 = t + 1 < m ? src + idx[t + 1] : s0;
    const double v1 = t + 1 < m ? val[t + 1] : 0;
    const float* s2 = t + 2 < m ? src + idx[t + 2] : s0;
    const double v2 = t + 2 < m ? val[t + 2] : 0;
    const float* s3 = t + 3 < m ? src + idx[t + 3] : s0;
    const double v3 = t + 3 < m ? val[t + 3] : 0;
    for (int64_t i = 0; i < n; i++) acc[i] += v0 * s0[i] + v1 * s1[i] + v2 * s2[i] + v3 * s3[i];
  }
}

DLF_INLINE void add_body(double* __restrict acc, const float* __restrict p, int64_t n) {
  for (int64_t i = 0; i < n; i++) acc[i] += p[i];
}

#define DLF_CONV_INSTANCES(ATTR, SUFFIX)                                                                              \
  ATTR void combine_##SUFFIX(float* dst, const float* src, const int32_t* idx, const double* val, int64_t m, int64_t n) { \
    combine_body(dst, src, idx, val, m, n);                                                                         \
  }                                                                                                                 \
  ATTR void accumulate_##SUFFIX(double* acc, const float* src, const int32_t* idx, const double* val, int64_t m,     \
                                int64_t n) {                                                                        \
    accumulate_body(acc, src, idx, val, m, n);                                                                      \
  }                                                                                                                 \
  ATTR void add_##SUFFIX(double* acc, const float* p, int64_t n) { add_body(acc, p, n); }

DLF_CONV_INSTANCES(, base)
#if DLF_X86
DLF_CONV_INSTANCES(DLF_AVX2, avx2)
DLF_CONV_INSTANCES(DLF_AVX512, avx512)
#endif

void combine_rows(float* dst, const float* src, const int32_t* idx, const double* val, int64_t m, int64_t n) {
  DLF_DISPATCH(combine, dst, src, idx, val, m, n);
}
void accumulate_rows(double* acc, const float* src, const int32_t* idx, const double* val, int64_t m, int64_t n) {
  DLF_DISPATCH(accumulate, acc, src, idx, val, m, n);
}
void add_rows(double* acc, const float* p, int64_t n) { DLF_DISPATCH(add, acc, p, n); }

/** Whether every a[i], i < n, is finite (a − a is 0 exactly for finite values). */
bool all_finite(const float* a, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (a[i] - a[i] != 0.0f) return false;
  return true;
}

int64_t count_nonzero(const float* a, int64_t n) {
  int64_t c = 0;
  for (int64_t i = 0; i < n; i++) c += a[i] != 0.0f;
  return c;
}

/** The reference's density limit for the sparse paths (conv_lowered.ts SPARSE_DENSITY). */
constexpr double SPARSE_DENSITY = 0.5;

}  // namespace

bool conv2d_lowered(const float* x, const float* w, float* out, const ConvGeom& d, float* col) {
  const int64_t K = (int64_t)d.c * d.kh * d.kw, P = (int64_t)d.oh * d.ow;
  const int64_t x_size = (int64_t)d.c * d.h * d.w, o_size = (int64_t)d.f * P;
  for (int64_t b = 0; b < d.n; b++) {
    im2col(x + b * x_size, col, d);
    if (!matmul(w, col, out + b * o_size, 1, d.f, (int)P, (int)K, false, false, 0, 0)) return false;
  }
  return true;
}

bool conv2d_grad_input_lowered(const float* grad, const float* w, float* out, const ConvGeom& d, float* col_t, int32_t* idx,
                               double* val) {
  const int64_t K = (int64_t)d.c * d.kh * d.kw, P = (int64_t)d.oh * d.ow, F = d.f;
  const int64_t x_size = (int64_t)d.c * d.h * d.w, g_size = F * P;
  const bool sparse_ok = all_finite(w, F * K);
  const double limit = SPARSE_DENSITY * (double)g_size;
  std::memset(out, 0, sizeof(float) * d.n * x_size);
  for (int64_t b = 0; b < d.n; b++) {
    const float* g = grad + b * g_size;
    const int64_t nnz = count_nonzero(g, g_size);
    if (sparse_ok && (double)nnz <= limit) {
      for (int64_t p = 0; p < P; p++) {
        int64_t m = 0;
        for (int64_t f = 0; f < F; f++) {
          const float v = g[f * P + p];
          if (v == 0.0f) continue;
          idx[m] = (int32_t)(f * K);
          val[m++] = v;
        }
        if (m == 0) std::memset(col_t + p * K, 0, sizeof(float) * K);
        else combine_rows(col_t + p * K, w, idx, val, m, K);
      }
    } else if (!matmul(g, w, col_t, 1, (int)P, (int)K, (int)F, true, false, 0, 0)) {
      return false;
    }
    float* o = out + b * x_size;
    each_tap(d, [&](int64_t i, int64_t c) { o[i] += col_t[c]; });
  }
  return true;
}

bool conv2d_grad_weight_lowered(const float* x, const float* grad, float* out, const ConvGeom& d, float* col_t, float* prod,
                                double* acc, int32_t* idx, double* val) {
  const int64_t K = (int64_t)d.c * d.kh * d.kw, P = (int64_t)d.oh * d.ow, F = d.f;
  const int64_t x_size = (int64_t)d.c * d.h * d.w, g_size = F * P, w_size = F * K;
  const double limit = SPARSE_DENSITY * (double)g_size;
  for (int64_t i = 0; i < w_size; i++) acc[i] = 0;
  std::memset(col_t, 0, sizeof(float) * P * K);
  for (int64_t b = 0; b < d.n; b++) {
    const float* g = grad + b * g_size;
    const float* xb = x + b * x_size;
    const int64_t nnz = count_nonzero(g, g_size);
    each_tap(d, [&](int64_t i, int64_t c) { col_t[c] = xb[i]; });
    if ((double)nnz <= limit && all_finite(xb, x_size)) {
      for (int64_t f = 0; f < F; f++) {
        int64_t m = 0;
        for (int64_t p = 0; p < P; p++) {
          const float v = g[f * P + p];
          if (v == 0.0f) continue;
          idx[m] = (int32_t)(p * K);
          val[m++] = v;
        }
        if (m > 0) accumulate_rows(acc + f * K, col_t, idx, val, m, K);
      }
    } else {
      if (!matmul(g, col_t, prod, 1, (int)F, (int)K, (int)P, false, false, 0, 0)) return false;
      add_rows(acc, prod, w_size);
    }
  }
  for (int64_t i = 0; i < w_size; i++) out[i] = (float)acc[i];
  return true;
}

// ---- pooling (kernels/ts/pool.ts): windows clipped to the plane, walked in output order ----

namespace {

/** Index of the first maximal cell of the window (a NaN wins as soon as it is seen). */
inline int64_t argmax(const float* x, int64_t base, int64_t W, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
  int64_t best = base + y0 * W + x0;
  float m = x[best];
  if (m != m) return best;
  for (int64_t y = y0; y < y1; y++) {
    const int64_t row = base + y * W;
    for (int64_t i = row + x0, end = row + x1; i < end; i++) {
      const float v = x[i];
      if (v > m) {
        m = v;
        best = i;
      } else if (v != v) {
        return i;
      }
    }
  }
  return best;
}

/**
 * argmax over a full 2×2 window starting at `i`, with the same result as argmax: without a NaN,
 * the first maximal cell (the updates are selects, not branches, since random data mispredicts);
 * with one, the general loop.
 */
inline int64_t argmax2x2(const float* x, int64_t i, int64_t W) {
  const float v0 = x[i], v1 = x[i + 1], v2 = x[i + W], v3 = x[i + W + 1];
  if (v0 != v0 || v1 != v1 || v2 != v2 || v3 != v3) return argmax(x, 0, W, i / W, i / W + 2, i % W, i % W + 2);
  int64_t best = i;
  float m = v0;
  bool u = v1 > m;
  best = u ? i + 1 : best;
  m = u ? v1 : m;
  u = v2 > m;
  best = u ? i + W : best;
  m = u ? v2 : m;
  u = v3 > m;
  return u ? i + W + 1 : best;
}

template <int MODE>
void walk(const float* a, const float* b, float* out, const PoolGeom& d) {
  const int64_t H = d.h, W = d.w;
  const bool full2x2 = d.kh == 2 && d.kw == 2;
  int64_t o = 0;
  for (int64_t p = 0; p < d.planes; p++) {
    const int64_t base = p * H * W;
    for (int64_t oy = 0; oy < d.oh; oy++) {
      const int64_t ys = oy * d.sh - d.pt;
      const int64_t y0 = ys > 0 ? ys : 0, y1 = ys + d.kh < H ? ys + d.kh : H;
      for (int64_t ox = 0; ox < d.ow; ox++, o++) {
        const int64_t xs = ox * d.sw - d.pl;
        const int64_t x0 = xs > 0 ? xs : 0, x1 = xs + d.kw < W ? xs + d.kw : W;
        if ((MODE == POOL_MAX || MODE == POOL_MAX_GRAD) && full2x2 && y1 - y0 == 2 && x1 - x0 == 2) {
          // The common 2×2 window, wholly inside the plane.
          const int64_t at = argmax2x2(a, base + y0 * W + x0, W);
          if (MODE == POOL_MAX) out[o] = a[at];
          else out[at] = (float)((double)out[at] + (double)b[o]);
        } else if (MODE == POOL_MAX) {
          out[o] = a[argmax(a, base, W, y0, y1, x0, x1)];
        } else if (MODE == POOL_MAX_GRAD) {
          float& t = out[argmax(a, base, W, y0, y1, x0, x1)];
          t = (float)((double)t + (double)b[o]);
        } else if (MODE == POOL_MAX_PICK) {
          out[o] = b[argmax(a, base, W, y0, y1, x0, x1)];
        } else if (MODE == POOL_AVG) {
          double s = 0;
          for (int64_t y = y0; y < y1; y++)
            for (int64_t i = base + y * W + x0, end = base + y * W + x1; i < end; i++) s += a[i];
          out[o] = (float)(s / (double)((y1 - y0) * (x1 - x0)));
        } else {
          const double v = (double)a[o] / (double)((y1 - y0) * (x1 - x0));
          for (int64_t y = y0; y < y1; y++)
            for (int64_t i = base + y * W + x0, end = base + y * W + x1; i < end; i++) out[i] = (float)((double)out[i] + v);
        }
      }
    }
  }
}

}  // namespace

void pool2d(int mode, const float* a, const float* b, float* out, const PoolGeom& d) {
  const size_t in_size = (size_t)d.planes * d.h * d.w;
  switch (mode) {
    case POOL_MAX: return walk<POOL_MAX>(a, b, out, d);
    case POOL_MAX_GRAD:
      std::memset(out, 0, sizeof(float) * in_size);
      return walk<POOL_MAX_GRAD>(a, b, out, d);
    case POOL_MAX_PICK: return walk<POOL_MAX_PICK>(a, b, out, d);
    case POOL_AVG: return walk<POOL_AVG>(a, b, out, d);
    default:
      std::memset(out, 0, sizeof(float) * in_size);
      return walk<POOL_AVG_GRAD>(a, b, out, d);
  }
}

}  // namespace dlf
