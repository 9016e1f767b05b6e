// The 2-D pooling kernels, with the results of kernels/ts/pool.ts bit for bit: windows clipped to
// the plane and walked in output order, the first maximal cell (or the first NaN) as the argmax, and
// the average pool's sums in double like JavaScript numbers. Max pooling over 2×2 windows with
// stride 2 takes a branch-free path of its own.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "dlf.h"

#if DLF_X86
#include <immintrin.h>
#endif

namespace dlf {
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

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

/**
 * For eight 2×2 windows (lanes), whose cells are v0 v1 (top) and v2 v3 (bottom): the value argmax
 * picks, the first maximal cell or the first NaN, and in `at` which cell it is (0 to 3). Each step
 * takes the new cell when it is greater, or NaN while the best so far is not.
 */
DLF_INLINE v8f pick4v(v8f v0, v8f v1, v8f v2, v8f v3, v8i* at) {
  v8f m = v0;
  v8i a = v8i{} + 0;
  v8i t = (v1 > m) | ((v1 != v1) & (m == m));
  m = t ? v1 : m;
  a = t ? v8i{} + 1 : a;
  t = (v2 > m) | ((v2 != v2) & (m == m));
  m = t ? v2 : m;
  a = t ? v8i{} + 2 : a;
  t = (v3 > m) | ((v3 != v3) & (m == m));
  m = t ? v3 : m;
  a = t ? v8i{} + 3 : a;
  *at = a;
  return m;
}

DLF_INLINE v8f load8(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
DLF_INLINE void store8(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }

#if DLF_X86
/** The first n (0 to 8) floats at p and zeros after them, by a masked load that reads nothing past p + n. */
DLF_AVX512 inline v8f load8_first(const float* p, int64_t n) { return (v8f)_mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1), p); }
#endif

/**
 * The cells of k (1 to 8) 2×2 windows side by side, 2k floats at p0 (top) and at p1 (bottom), as
 * a0 a1 and b0 b1, with zeros after them when k < 8: by masked loads with AVX-512 (WIDE), else
 * through zero-padded copies.
 */
template <bool WIDE>
DLF_INLINE void load_cells(const float* p0, const float* p1, int64_t k, v8f* a0, v8f* a1, v8f* b0, v8f* b1) {
  if (k == 8) {
    *a0 = load8(p0), *a1 = load8(p0 + 8), *b0 = load8(p1), *b1 = load8(p1 + 8);
    return;
  }
#if DLF_X86
  if constexpr (WIDE) {
    const int64_t n0 = 2 * k < 8 ? 2 * k : 8, n1 = 2 * k - n0;
    *a0 = load8_first(p0, n0), *a1 = load8_first(p0 + 8, n1), *b0 = load8_first(p1, n0), *b1 = load8_first(p1 + 8, n1);
    return;
  }
#endif
  alignas(32) float t0[16] = {}, t1[16] = {};
  std::memcpy(t0, p0, sizeof(float) * 2 * k);
  std::memcpy(t1, p1, sizeof(float) * 2 * k);
  *a0 = load8(t0), *a1 = load8(t0 + 8), *b0 = load8(t1), *b1 = load8(t1 + 8);
}

/** The first k (1 to 8) floats at p, and zeros after them when k < 8. */
template <bool WIDE>
DLF_INLINE v8f load_first(const float* p, int64_t k) {
  if (k == 8) return load8(p);
#if DLF_X86
  if constexpr (WIDE) return load8_first(p, k);
#endif
  alignas(32) float t[8] = {};
  std::memcpy(t, p, sizeof(float) * k);
  return load8(t);
}

/**
 * Eight 2×2 windows (stride 2, no padding) side by side, their top cells from p0 and bottom cells
 * from p1: the maxima into `out`, or, given u's cells at u0 and u1, u at the argmaxes into `out`,
 * or, given the windows' gradients pg, the gradients into the input cells at q0 and q1: the
 * window's gradient (plus 0, as the general path's 0 + g turns −0 into +0) at the argmax and 0 at
 * the other cells. The comparisons are selects (random data would mispredict branches). A group of
 * k < 8 windows reads and writes only its own cells (load_cells), its results going out through a
 * copy.
 */
template <bool WIDE>
DLF_INLINE void max2x2_group(const float* p0, const float* p1, const float* u0, const float* u1, const float* pg, float* out, float* q0,
                             float* q1, int64_t k, bool mask) {
  const v8i even = {0, 2, 4, 6, 8, 10, 12, 14}, odd = {1, 3, 5, 7, 9, 11, 13, 15};
  const v8i lo = {0, 8, 1, 9, 2, 10, 3, 11}, hi = {4, 12, 5, 13, 6, 14, 7, 15};
  alignas(32) float t0[16], t1[16];
  v8f a0, a1, b0, b1, gv;
  load_cells<WIDE>(p0, p1, k, &a0, &a1, &b0, &b1);
  if (pg) gv = load_first<WIDE>(pg, k);
  const v8f c0 = __builtin_shuffle(a0, a1, even), c1 = __builtin_shuffle(a0, a1, odd);
  const v8f c2 = __builtin_shuffle(b0, b1, even), c3 = __builtin_shuffle(b0, b1, odd);
  v8i at;
  const v8f m = pick4v(c0, c1, c2, c3, &at);
  if (!pg) {
    v8f r = m;
    if (u0) {
      v8f w0, w1, w2, w3;
      load_cells<WIDE>(u0, u1, k, &w0, &w1, &w2, &w3);
      const v8f e0 = __builtin_shuffle(w0, w1, even), e1 = __builtin_shuffle(w0, w1, odd);
      const v8f e2 = __builtin_shuffle(w2, w3, even), e3 = __builtin_shuffle(w2, w3, odd);
      r = at == 0 ? e0 : at == 1 ? e1 : at == 2 ? e2 : e3;
    }
    if (k == 8) store8(out, r);
    else {
      store8(t0, r);
      std::memcpy(out, t0, sizeof(float) * k);
    }
    return;
  }
  const v8f v = gv + 0.0f, zero = v8f{} + 0.0f;
  v8f e0 = at == 0 ? v : zero, e1 = at == 1 ? v : zero, e2 = at == 2 ? v : zero, e3 = at == 3 ? v : zero;
  if (mask) {
    // relu's mask over every cell, as maskPositive computes it: the value times 1 or 0.
    const v8f one = zero + 1.0f;
    e0 *= c0 > zero ? one : zero;
    e1 *= c1 > zero ? one : zero;
    e2 *= c2 > zero ? one : zero;
    e3 *= c3 > zero ? one : zero;
  }
  // The top row's cells are stored before the bottom row's (a full group of a short row spills
  // into the bottom row, which the second pair of stores then writes).
  float* d0 = k == 8 ? q0 : t0;
  float* d1 = k == 8 ? q1 : t1;
  store8(d0, __builtin_shuffle(e0, e1, lo));
  store8(d0 + 8, __builtin_shuffle(e0, e1, hi));
  store8(d1, __builtin_shuffle(e2, e3, lo));
  store8(d1 + 8, __builtin_shuffle(e2, e3, hi));
  if (k < 8) {
    std::memcpy(q0, t0, sizeof(float) * 2 * k);
    std::memcpy(q1, t1, sizeof(float) * 2 * k);
  }
}

/**
 * Max pooling, its gradient (b the pooled gradient, into out) or its pick (b is u) for 2×2 windows
 * with stride 2 and no padding over `planes` planes, row of windows after row of windows. A row
 * takes its windows eight at a time, and the last few as one more full group: one overlapping the
 * group before it when the row holds eight or more (it computes those windows again, to the same
 * bits), else one that runs past the row when what it then reads lies in the buffers and what it
 * writes is written again later with its own values: outputs are a dense run, and so is the
 * gradient when the windows cover every cell. So only a band's last rows, and the short rows of
 * odd-sized planes' gradients, take the short groups.
 */
template <bool WIDE, int MODE>
DLF_INLINE void max2x2_rows(const float* x, const float* b, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW) {
  constexpr bool grad = MODE == POOL_MAX_GRAD || MODE == POOL_MAX_GRAD_MASKED, mask = MODE == POOL_MAX_GRAD_MASKED;
  const float* g = grad ? b : nullptr;
  const float* u = MODE == POOL_MAX_PICK ? b : nullptr;
  const int64_t in_end = planes * H * W, out_end = planes * OH * OW;
  // Whether a group may spill past its row: always into the pooled outputs, and into the gradient
  // when the windows cover the planes (no 0 cell left to keep).
  const bool spill = !grad || (H == 2 * OH && W == 2 * OW);
  for (int64_t p = 0; p < planes; p++)
    for (int64_t oy = 0; oy < OH; oy++) {
      const int64_t in = p * H * W + 2 * oy * W, o = (p * OH + oy) * OW;
      const float *r0 = x + in, *r1 = r0 + W;
      const float *s0 = u ? u + in : nullptr, *s1 = u ? s0 + W : nullptr;
      const float* gr = grad ? g + o : nullptr;
      float* d0 = grad ? out + in : nullptr;
      float* d1 = grad ? d0 + W : nullptr;
      float* orow = grad ? nullptr : out + o;
      auto group = [&](int64_t ox, int64_t k) {
        max2x2_group<WIDE>(r0 + 2 * ox, r1 + 2 * ox, u ? s0 + 2 * ox : nullptr, u ? s1 + 2 * ox : nullptr, grad ? gr + ox : nullptr,
                           grad ? nullptr : orow + ox, grad ? d0 + 2 * ox : nullptr, grad ? d1 + 2 * ox : nullptr, k, mask);
      };
      int64_t ox = 0;
      for (; ox + 8 <= OW; ox += 8) group(ox, 8);
      if (ox == OW) continue;
      if (OW >= 8) group(OW - 8, 8);
      else group(0, spill && in + W + 16 <= in_end && o + 8 <= out_end ? 8 : OW);
    }
}

template <bool WIDE>
DLF_INLINE void max2x2_body(int mode, const float* x, const float* b, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH,
                            int64_t OW) {
  switch (mode) {
    case POOL_MAX: return max2x2_rows<WIDE, POOL_MAX>(x, b, out, planes, H, W, OH, OW);
    case POOL_MAX_GRAD: return max2x2_rows<WIDE, POOL_MAX_GRAD>(x, b, out, planes, H, W, OH, OW);
    case POOL_MAX_PICK: return max2x2_rows<WIDE, POOL_MAX_PICK>(x, b, out, planes, H, W, OH, OW);
    default: return max2x2_rows<WIDE, POOL_MAX_GRAD_MASKED>(x, b, out, planes, H, W, OH, OW);
  }
}

void max2x2_base(int mode, const float* x, const float* b, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW) {
  max2x2_body<false>(mode, x, b, out, planes, H, W, OH, OW);
}
#if DLF_X86
DLF_AVX2 void max2x2_avx2(int mode, const float* x, const float* b, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH,
                          int64_t OW) {
  max2x2_body<false>(mode, x, b, out, planes, H, W, OH, OW);
}
DLF_AVX512 void max2x2_avx512(int mode, const float* x, const float* b, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH,
                              int64_t OW) {
  max2x2_body<true>(mode, x, b, out, planes, H, W, OH, OW);
}
#endif

/**
 * Max pooling, its gradient or its pick (a max-pooling mode other than POOL_MAX_GRAD's with b null)
 * for 2×2 windows with stride 2 and no padding, by far the most common case. The windows do not
 * overlap, so the gradient writes each input cell once; cells no window covers (the last row or
 * column of an odd size) are 0.
 */
void max2x2(int mode, const float* x, const float* b, float* out, const PoolGeom& d) {
  const bool grad = mode == POOL_MAX_GRAD || mode == POOL_MAX_GRAD_MASKED;
  if (grad && !(d.h == 2 * d.oh && d.w == 2 * d.ow)) std::memset(out, 0, sizeof(float) * d.planes * d.h * d.w);
  DLF_DISPATCH(max2x2, mode, x, b, out, d.planes, d.h, d.w, d.oh, d.ow);
}

template <int MODE>
void walk(const float* a, const float* b, float* out, const PoolGeom& d) {
  const int64_t H = d.h, W = d.w;
  int64_t o = 0;
  for (int64_t p = 0; p < d.planes; p++) {
    const int64_t base = p * H * W;
    for (int64_t oy = 0; oy < d.oh; oy++) {
      const int64_t ys = oy * d.sh - d.pt;
      const int64_t y0 = ys > 0 ? ys : 0, y1 = ys + d.kh < H ? ys + d.kh : H;
      for (int64_t ox = 0; ox < d.ow; ox++, o++) {
        const int64_t xs = ox * d.sw - d.pl;
        const int64_t x0 = xs > 0 ? xs : 0, x1 = xs + d.kw < W ? xs + d.kw : W;
        if (MODE == POOL_MAX) {
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

namespace {

void pool_planes(int mode, const float* a, const float* b, float* out, const PoolGeom& d) {
  const size_t in_size = (size_t)d.planes * d.h * d.w;
  const bool simple2x2 = d.kh == 2 && d.kw == 2 && d.sh == 2 && d.sw == 2 && d.pt == 0 && d.pl == 0 &&
                         d.oh == d.h / 2 && d.ow == d.w / 2;
  const bool masked = mode == POOL_MAX_GRAD_MASKED;
  if (simple2x2 && (mode == POOL_MAX || mode == POOL_MAX_GRAD || mode == POOL_MAX_PICK || masked)) return max2x2(mode, a, b, out, d);
  switch (mode) {
    case POOL_MAX_GRAD_MASKED:
      std::memset(out, 0, sizeof(float) * in_size);
      walk<POOL_MAX_GRAD>(a, b, out, d);
      for (size_t i = 0; i < in_size; i++) out[i] = out[i] * (a[i] > 0.0f ? 1.0f : 0.0f);
      return;
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

/** Below this many input cells a pooling stays on the calling thread. */
constexpr int64_t kParallelMin = 1 << 15;

}  // namespace

void pool2d(int mode, const float* a, const float* b, float* out, const PoolGeom& d) {
  // Planes are independent: each thread takes a band of them, computed exactly as on one thread.
  const int64_t in = d.h * d.w, pooled = d.oh * d.ow;
  const int parts = d.planes * in >= kParallelMin ? (int)std::min<int64_t>(d.planes, threads()) : 1;
  // Per mode, the plane size of a (x, or the pooled gradient), of b and of out.
  const int64_t sa = mode == POOL_AVG_GRAD ? pooled : in;
  const bool max_grad = mode == POOL_MAX_GRAD || mode == POOL_MAX_GRAD_MASKED;
  const int64_t sb = max_grad ? pooled : in;
  const int64_t so = max_grad || mode == POOL_AVG_GRAD ? in : pooled;
  auto task = [&](int t) {
    const int64_t p0 = d.planes * t / parts, p1 = d.planes * (t + 1) / parts;
    PoolGeom part = d;
    part.planes = p1 - p0;
    pool_planes(mode, a + p0 * sa, b ? b + p0 * sb : nullptr, out + p0 * so, part);
  };
  parallel_for(parts, task);
}

}  // namespace dlf
