// The 2-D convolutions, lowered to the GEMM through column matrices (im2col): for sample b, the
// column matrix col [K, P] holds at row k = (c·KH + ky)·KW + kx the input cells that tap (c, ky, kx)
// reads for each of the P = OH·OW output positions (0 where the window is in the padding). It is
// copied from a zero-padded copy of the sample, so every (tap, output row) is one run of cells.
//   forward:          out_b [F, P]  = W [F, K] · col_b   (then, fused, + bias[f] and relu)
//   input gradient:   col   [K, P]  = Wᵀ · G_b [F, P], scattered back onto the input (col2im)
//   weight gradient:  dW    [F, K] += G_b · col_bᵀ, samples in order
// all in float32 on the packed GEMM. The forward and input gradient split the batch among the
// threads, the weight gradient splits K (each thread builds only its rows of col) or F, so every
// value is computed the same way whatever the thread count. The results agree with the TypeScript
// reference (kernels/ts/conv*.ts) to rounding, not bit for bit: the reference sums in another order.
// Where conv_direct.cc's direct forms apply (AVX-512, stride and dilation 1 along x, shapes that
// fill their vectors), they run instead: the forward on the same padded sample, per sample.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv_direct.h"
#include "dlf.h"

#if DLF_X86
#include <immintrin.h>
#endif

namespace dlf {
namespace {

/**
 * The zero-padded sample: the rows and columns the taps read, from −pt and −pl on, so that every
 * window lies inside it; Hp × Wp per channel.
 */
struct Padded {
  int64_t hp, wp;
  explicit Padded(const ConvGeom& d) : hp((d.oh - 1) * d.sh + (d.kh - 1) * d.dh + 1), wp((d.ow - 1) * d.sw + (d.kw - 1) * d.dw + 1) {}
  int64_t size(const ConvGeom& d) const { return d.c * hp * wp; }
};

/** a · b, or UINT64_MAX when that overflows: beyond every limit. */
inline uint64_t mul_sat(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/** The extent (Hp or Wp) of the padded sample along one axis, as Padded computes it. */
inline uint64_t padded_extent(int64_t out, int64_t stride, int64_t k, int64_t dilation) {
  // Each product is of two values below 2^31, so below 2^62: the sum cannot overflow.
  return (uint64_t)(out - 1) * (uint64_t)stride + (uint64_t)(k - 1) * (uint64_t)dilation + 1;
}

/** pad (c × Hp × Wp) = the sample x with zeros around it (and without the cells no tap reads). */
void pad_sample(const float* x, float* pad, const ConvGeom& d, const Padded& P) {
  for (int64_t c = 0; c < d.c; c++)
    for (int64_t py = 0; py < P.hp; py++) {
      float* row = pad + (c * P.hp + py) * P.wp;
      const int64_t y = py - d.pt;
      if (y < 0 || y >= d.h) {
        std::memset(row, 0, sizeof(float) * P.wp);
        continue;
      }
      const int64_t x0 = std::min<int64_t>(d.pl, P.wp), x1 = std::min<int64_t>(d.pl + d.w, P.wp);
      std::memset(row, 0, sizeof(float) * x0);
      std::memcpy(row + x0, x + (c * d.h + y) * d.w, sizeof(float) * (x1 - x0));
      std::memset(row + x1, 0, sizeof(float) * (P.wp - x1));
    }
}

/** dx (one sample) = the interior of the padded gradient dpad; cells no tap read get 0. */
void unpad_sample(const float* dpad, float* dx, const ConvGeom& d, const Padded& P) {
  for (int64_t c = 0; c < d.c; c++)
    for (int64_t y = 0; y < d.h; y++) {
      float* row = dx + (c * d.h + y) * d.w;
      const int64_t py = y + d.pt;
      const int64_t n = py < P.hp ? std::max<int64_t>(0, std::min<int64_t>(d.w, P.wp - d.pl)) : 0;
      if (n > 0) std::memcpy(row, dpad + (c * P.hp + py) * P.wp + d.pl, sizeof(float) * n);
      std::memset(row + n, 0, sizeof(float) * (d.w - n));
    }
}

/** Where tap row k of the column matrix starts in the padded sample. */
inline int64_t tap_offset(const ConvGeom& d, const Padded& P, int64_t k) {
  const int64_t kx = k % d.kw, ky = (k / d.kw) % d.kh, c = k / (d.kw * d.kh);
  return (c * P.hp + ky * d.dh) * P.wp + kx * d.dw;
}

#if DLF_X86
/**
 * n floats from src to dst, or added to dst, 16 at a time. Masked stores are slow on some CPUs, so
 * a last partial step of an add stores all 16 lanes, the lanes past n unchanged (they hold what was
 * loaded); the buffers have kSlack floats of slack for it. A copy's last step is masked.
 */
DLF_AVX512 inline void row_avx512(const float* src, float* dst, int64_t n, bool add) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, src + i);
    if (add) {
      const __m512 d = _mm512_loadu_ps(dst + i);
      _mm512_storeu_ps(dst + i, _mm512_mask_add_ps(d, m, d, v));
    } else {
      _mm512_mask_storeu_ps(dst + i, m, v);
    }
  }
}

/** 16 floats from src to dst, unmasked. */
DLF_AVX512 inline void copy16_avx512(const float* src, float* dst) { _mm512_storeu_ps(dst, _mm512_loadu_ps(src)); }
#endif

/** The same row step without AVX-512 (the compiler vectorises what it can). */
DLF_INLINE void row_plain(const float* src, float* dst, int64_t n, bool add) {
  if (add)
    for (int64_t i = 0; i < n; i++) dst[i] += src[i];
  else
    for (int64_t i = 0; i < n; i++) dst[i] = src[i];
}

/**
 * Rows [k0, k1) of the column matrix from the padded sample (im2col, add = false) into col, or the
 * column matrix's rows added back onto the padded gradient (col2im, add = true). With stride 1
 * along x each (tap, output row) is one contiguous run of OW cells.
 */
template <bool WIDE>
DLF_INLINE void columns_body(float* pad, float* col, const ConvGeom& d, const Padded& P, int64_t k0, int64_t k1, bool add) {
  const int64_t OW = d.ow, OH = d.oh, Pn = OH * OW;
  for (int64_t k = k0; k < k1; k++) {
    float* r = col + (k - k0) * Pn;
    float* base = pad + tap_offset(d, P, k);
    for (int64_t oy = 0; oy < OH; oy++) {
      float* src = base + oy * d.sh * P.wp;
      float* row = r + oy * OW;
      if (d.sw != 1) {
        if (add)
          for (int64_t o = 0; o < OW; o++) src[o * d.sw] += row[o];
        else
          for (int64_t o = 0; o < OW; o++) row[o] = src[o * d.sw];
        continue;
      }
#if DLF_X86
      if constexpr (WIDE) {
        if (add) {
          row_avx512(row, src, OW, true);
        } else if (OW <= 16) {
          // One whole 16-float step: the cells past OW land where the next run (or the buffers'
          // slack, kSlack) starts and are written over by it, since runs are copied in order.
          copy16_avx512(src, row);
        } else {
          row_avx512(src, row, OW, false);
        }
        continue;
      }
#endif
      if (add) row_plain(row, src, OW, true);
      else row_plain(src, row, OW, false);
    }
  }
}

void columns_base(float* pad, float* col, const ConvGeom& d, const Padded& P, int64_t k0, int64_t k1, bool add) {
  columns_body<false>(pad, col, d, P, k0, k1, add);
}
#if DLF_X86
DLF_AVX2 void columns_avx2(float* pad, float* col, const ConvGeom& d, const Padded& P, int64_t k0, int64_t k1, bool add) {
  columns_body<false>(pad, col, d, P, k0, k1, add);
}
DLF_AVX512 void columns_avx512(float* pad, float* col, const ConvGeom& d, const Padded& P, int64_t k0, int64_t k1, bool add) {
  columns_body<true>(pad, col, d, P, k0, k1, add);
}
#endif

/** col [(k1 − k0), P] = rows [k0, k1) of the column matrix of the padded sample. */
void im2col(const float* pad, float* col, const ConvGeom& d, const Padded& P, int64_t k0, int64_t k1) {
  DLF_DISPATCH(columns, const_cast<float*>(pad), col, d, P, k0, k1, false);
}

/** dpad (zeroed by the caller) += the column matrix col [K, P] scattered back onto the padded sample. */
void col2im(const float* col, float* dpad, const ConvGeom& d, const Padded& P) {
  DLF_DISPATCH(columns, dpad, const_cast<float*>(col), d, P, 0, d.c * d.kh * d.kw, true);
}

/** Floats of slack after the column and padded buffers, for whole 16-float steps past a last run. */
constexpr size_t kSlack = 16;

thread_local Scratch col_buf;
thread_local Scratch pad_buf;

/** Splits [0, n) into `parts` ranges as equal as possible; part t is [begin(t), begin(t + 1)). */
struct Split {
  int64_t n, parts;
  int64_t begin(int64_t t) const { return n * t / parts; }
};

}  // namespace

bool conv_scratch_fits(const ConvGeom& d) {
  if (d.oh < 1 || d.ow < 1 || d.kh < 1 || d.kw < 1) return true;  // an empty convolution takes no scratch
  const uint64_t col = mul_sat(mul_sat((uint64_t)d.c, (uint64_t)(d.kh * d.kw)), (uint64_t)(d.oh * d.ow));
  const uint64_t pad = mul_sat(mul_sat((uint64_t)d.c, padded_extent(d.oh, d.sh, d.kh, d.dh)), padded_extent(d.ow, d.sw, d.kw, d.dw));
  return col <= kMaxConvScratch && pad <= kMaxConvScratch;
}

namespace {

/** One sample's output o [F, P] = act(o + bias[f]), each element as the add and relu kernels compute it. */
DLF_INLINE void bias_act_body(float* o, const float* bias, int64_t F, int64_t P, bool relu) {
  for (int64_t f = 0; f < F; f++) {
    float* r = o + f * P;
    const float b = bias[f];
    if (relu)
      for (int64_t p = 0; p < P; p++) {
        const float v = r[p] + b;
        r[p] = v > 0.0f ? v : 0.0f;
      }
    else
      for (int64_t p = 0; p < P; p++) r[p] += b;
  }
}
void bias_act_base(float* o, const float* bias, int64_t F, int64_t P, bool relu) { bias_act_body(o, bias, F, P, relu); }
#if DLF_X86
DLF_AVX2 void bias_act_avx2(float* o, const float* bias, int64_t F, int64_t P, bool relu) { bias_act_body(o, bias, F, P, relu); }
DLF_AVX512 void bias_act_avx512(float* o, const float* bias, int64_t F, int64_t P, bool relu) { bias_act_body(o, bias, F, P, relu); }
#endif
void bias_act(float* o, const float* bias, int64_t F, int64_t P, bool relu) { DLF_DISPATCH(bias_act, o, bias, F, P, relu); }

}  // namespace

bool conv2d(const float* x, const float* w, float* out, const ConvGeom& d, const float* bias, bool relu) {
  const int64_t K = d.c * d.kh * d.kw, P = d.oh * d.ow;
  const int64_t x_size = d.c * d.h * d.w, o_size = d.f * P;
  const Split s{d.n, std::min<int64_t>(d.n, threads())};
  std::atomic<bool> ok{true};
  const Padded pd(d);
  const bool direct = conv_forward_direct_applies(d);
  auto task = [&](int t) {
    float* col = direct ? nullptr : col_buf.get((size_t)(K * P) + kSlack);
    float* pad = pad_buf.get((size_t)pd.size(d) + kSlack);
    if ((!direct && !col) || !pad) return void(ok.store(false));
    for (int64_t b = s.begin(t); b < s.begin(t + 1); b++) {
      pad_sample(x + b * x_size, pad, d, pd);
      if (direct) {
        conv2d_sample_direct(pad, pd.hp, pd.wp, w, out + b * o_size, d, bias, relu);
        continue;
      }
      im2col(pad, col, d, pd, 0, K);
      if (!gemm_strided((int)d.f, (int)P, (int)K, w, K, 1, col, P, 1, out + b * o_size, P, false)) return void(ok.store(false));
      if (bias) bias_act(out + b * o_size, bias, d.f, P, relu);  // while the sample's output is in cache
    }
  };
  parallel_for((int)s.parts, task);
  return ok;
}

bool conv2d_grad_input(const float* grad, const float* w, float* out, const ConvGeom& d) {
  bool oom = false;
  if (conv_direct_applies(d) && (conv2d_grad_input_direct(grad, w, out, d, &oom) || oom)) return !oom;
  const int64_t K = d.c * d.kh * d.kw, P = d.oh * d.ow, F = d.f;
  const int64_t x_size = d.c * d.h * d.w, g_size = F * P;
  const Split s{d.n, std::min<int64_t>(d.n, threads())};
  std::atomic<bool> ok{true};
  const Padded pd(d);
  auto task = [&](int t) {
    float* col = col_buf.get((size_t)(K * P) + kSlack);
    float* dpad = pad_buf.get((size_t)pd.size(d) + kSlack);
    if (!col || !dpad) return void(ok.store(false));
    for (int64_t b = s.begin(t); b < s.begin(t + 1); b++) {
      // col (K×P) = Wᵀ · G_b: A(i, p) = w[p·K + i], B(p, j) = g[p·P + j].
      if (!gemm_strided((int)K, (int)P, (int)F, w, 1, K, grad + b * g_size, P, 1, col, P, false)) return void(ok.store(false));
      std::memset(dpad, 0, sizeof(float) * pd.size(d));
      col2im(col, dpad, d, pd);
      unpad_sample(dpad, out + b * x_size, d, pd);
    }
  };
  parallel_for((int)s.parts, task);
  return ok;
}

bool conv2d_grad_weight(const float* x, const float* grad, float* out, const ConvGeom& d) {
  bool oom = false;
  if (conv_direct_applies(d) && (conv2d_grad_weight_direct(x, grad, out, d, &oom) || oom)) return !oom;
  const int64_t K = d.c * d.kh * d.kw, P = d.oh * d.ow, F = d.f;
  const int64_t x_size = d.c * d.h * d.w, g_size = F * P;
  // Split the weight's columns (taps: each thread builds only its rows of col) when there are
  // many, else its rows (filters, in blocks of eight, each thread building all of col): a band of
  // a few taps would leave most of a 32-wide micro-tile empty.
  const int64_t T = threads();
  const bool by_taps = K >= 64 * T || F < 16;
  const Split s = by_taps ? Split{K, std::min<int64_t>(K, T)} : Split{(F + 7) / 8, std::min<int64_t>((F + 7) / 8, T)};
  std::atomic<bool> ok{true};
  const Padded pd(d);
  auto task = [&](int t) {
    const int64_t k0 = by_taps ? s.begin(t) : 0, k1 = by_taps ? s.begin(t + 1) : K;
    const int64_t f0 = by_taps ? 0 : std::min(F, 8 * s.begin(t)), f1 = by_taps ? F : std::min(F, 8 * s.begin(t + 1));
    if (k1 <= k0 || f1 <= f0) return;
    float* col = col_buf.get((size_t)((k1 - k0) * P) + kSlack);
    float* pad = pad_buf.get((size_t)pd.size(d) + kSlack);
    if (!col || !pad) return void(ok.store(false));
    for (int64_t b = 0; b < d.n; b++) {
      pad_sample(x + b * x_size, pad, d, pd);
      im2col(pad, col, d, pd, k0, k1);
      // out[f0:f1, k0:k1] (+)= G_b[f0:f1] · colᵀ: A(i, p) = g[i·P + p], B(p, j) = col[j·P + p].
      if (!gemm_strided((int)(f1 - f0), (int)(k1 - k0), (int)P, grad + b * g_size + f0 * P, P, 1, col, 1, P, out + f0 * K + k0, K, b > 0))
        return void(ok.store(false));
    }
  };
  parallel_for((int)s.parts, task);
  return ok;
}

}  // namespace dlf
