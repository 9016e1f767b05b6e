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
 * One row of 2×2 windows (stride 2, no padding) over input rows r0 and r1: the maxima into `out`,
 * or, given the row's gradient g, the gradient into the input rows d0 and d1: the window's gradient
 * (plus 0, as the general path's 0 + g turns −0 into +0) at the argmax and 0 at the other cells.
 * Eight windows a step as vectors (the comparisons are selects: random data would mispredict
 * branches); the last few are read by masked loads with AVX-512 (WIDE), else through zero-padded
 * copies (which the vector loads after them cannot take from the store buffer: slow where every
 * row ends in such a group). Results go out through a copy when the group is short.
 */
template <bool WIDE>
DLF_INLINE void max2x2_row_body(const float* r0, const float* r1, const float* g, float* out, float* d0, float* d1, int64_t OW,
                                bool mask) {
  const v8i even = {0, 2, 4, 6, 8, 10, 12, 14}, odd = {1, 3, 5, 7, 9, 11, 13, 15};
  const v8i lo = {0, 8, 1, 9, 2, 10, 3, 11}, hi = {4, 12, 5, 13, 6, 14, 7, 15};
  for (int64_t ox = 0; ox < OW; ox += 8) {
    // A last group of fewer than eight windows goes through zero-padded copies.
    const int64_t k = OW - ox < 8 ? OW - ox : 8;
    alignas(32) float u0[16], u1[16];
    const float *p0 = r0 + 2 * ox, *p1 = r1 + 2 * ox, *pg = g ? g + ox : nullptr;
    v8f a0, a1, b0, b1, gv;
    if (k == 8) {
      a0 = load8(p0), a1 = load8(p0 + 8), b0 = load8(p1), b1 = load8(p1 + 8);
      if (g) gv = load8(pg);
    } else {
#if DLF_X86
      if constexpr (WIDE) {
        const int64_t n0 = 2 * k < 8 ? 2 * k : 8, n1 = 2 * k - n0;
        a0 = load8_first(p0, n0), a1 = load8_first(p0 + 8, n1), b0 = load8_first(p1, n0), b1 = load8_first(p1 + 8, n1);
        if (g) gv = load8_first(pg, k);
      } else
#endif
      {
        alignas(32) float t0[16] = {}, t1[16] = {}, tg[8] = {};
        std::memcpy(t0, p0, sizeof(float) * 2 * k);
        std::memcpy(t1, p1, sizeof(float) * 2 * k);
        if (g) std::memcpy(tg, pg, sizeof(float) * k);
        a0 = load8(t0), a1 = load8(t0 + 8), b0 = load8(t1), b1 = load8(t1 + 8);
        if (g) gv = load8(tg);
      }
    }
    const v8f c0 = __builtin_shuffle(a0, a1, even), c1 = __builtin_shuffle(a0, a1, odd);
    const v8f c2 = __builtin_shuffle(b0, b1, even), c3 = __builtin_shuffle(b0, b1, odd);
    v8i at;
    const v8f m = pick4v(c0, c1, c2, c3, &at);
    if (!g) {
      if (k == 8) store8(out + ox, m);
      else {
        store8(u0, m);
        std::memcpy(out + ox, u0, sizeof(float) * k);
      }
      continue;
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
    float* q0 = k == 8 ? d0 + 2 * ox : u0;
    float* q1 = k == 8 ? d1 + 2 * ox : u1;
    store8(q0, __builtin_shuffle(e0, e1, lo));
    store8(q0 + 8, __builtin_shuffle(e0, e1, hi));
    store8(q1, __builtin_shuffle(e2, e3, lo));
    store8(q1 + 8, __builtin_shuffle(e2, e3, hi));
    if (k < 8) {
      std::memcpy(d0 + 2 * ox, u0, sizeof(float) * 2 * k);
      std::memcpy(d1 + 2 * ox, u1, sizeof(float) * 2 * k);
    }
  }
}

void max2x2_row_base(const float* r0, const float* r1, const float* g, float* out, float* d0, float* d1, int64_t OW, bool mask) {
  max2x2_row_body<false>(r0, r1, g, out, d0, d1, OW, mask);
}
#if DLF_X86
DLF_AVX2 void max2x2_row_avx2(const float* r0, const float* r1, const float* g, float* out, float* d0, float* d1, int64_t OW, bool mask) {
  max2x2_row_body<false>(r0, r1, g, out, d0, d1, OW, mask);
}
DLF_AVX512 void max2x2_row_avx512(const float* r0, const float* r1, const float* g, float* out, float* d0, float* d1, int64_t OW, bool mask) {
  max2x2_row_body<true>(r0, r1, g, out, d0, d1, OW, mask);
}
#endif

void max2x2_row(const float* r0, const float* r1, const float* g, float* out, float* d0, float* d1, int64_t OW, bool mask) {
  DLF_DISPATCH(max2x2_row, r0, r1, g, out, d0, d1, OW, mask);
}

/**
 * Max pooling (g null) or its gradient (g given) for 2×2 windows with stride 2 and no padding, by
 * far the most common case. The windows do not overlap, so the gradient writes each input cell
 * once; cells no window covers (the last row or column of an odd size) are 0.
 */
void max2x2(const float* x, const float* g, float* out, const PoolGeom& d, bool mask) {
  const int64_t H = d.h, W = d.w, OH = d.oh, OW = d.ow;
  if (g && !(H == 2 * OH && W == 2 * OW)) std::memset(out, 0, sizeof(float) * d.planes * H * W);
  for (int64_t p = 0; p < d.planes; p++)
    for (int64_t oy = 0; oy < OH; oy++) {
      const int64_t in = p * H * W + 2 * oy * W, o = (p * OH + oy) * OW;
      if (g) max2x2_row(x + in, x + in + W, g + o, nullptr, out + in, out + in + W, OW, mask);
      else max2x2_row(x + in, x + in + W, nullptr, out + o, nullptr, nullptr, OW, false);
    }
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
  if (simple2x2 && (mode == POOL_MAX || mode == POOL_MAX_GRAD || masked))
    return max2x2(a, mode == POOL_MAX ? nullptr : b, out, d, masked);
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
