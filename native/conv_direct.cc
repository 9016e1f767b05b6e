// The convolutions computed directly, without column matrices, the two gradients skipping the zero
// entries of the output gradient: behind a relu and a max pooling most of it is exactly 0 (at
// least three in four behind a 2×2 pooling), which a GEMM multiplies all the same.
//
// Each sample is first copied, zero-padded, into channels-last order, pad[(py·Wp + px)·C + c]. With
// stride and dilation 1 along x, the cells one window row reads (its kw taps by its c channels) are
// then kw·C consecutive floats, ⌈kw·C / 16⌉ vectors (V), so a whole window is R = kh·V vectors,
// held in registers (R ≤ 28). The weights are arranged the same way, wt[f][ky][kx·C + c], each
// window row padded to V·16 floats with zeros.
//   weight gradient: for each filter f, the R accumulators of wt[f] are loaded, and for every
//                    sample b and every output cell p where grad[b, f, p] ≠ 0 (in order),
//                    acc += grad[b, f, p] · window(b, p); the threads split the filters.
//   input gradient:  for each sample and output cell p, acc = Σ over the filters f (in order)
//                    where grad[b, f, p] ≠ 0 of grad[b, f, p] · wt[f], then added onto the
//                    window of the padded gradient; the threads split the samples.
// Skipping a zero term leaves a sum unchanged, so the results are those of the same sums taken
// over every term, whatever the data and the thread count: except that 0 · ∞ is NaN, so a sample
// with a non-finite input (weight gradient) or weights with a non-finite value (input gradient)
// take every term.
//
// The forward (stride and dilation 1 along x) works on the zero-padded sample as conv.cc makes it:
// for eight filters and three output vectors (16 cells of an output row each) at a time, 24
// accumulators in registers, every tap in order adds its weight times the 16 cells it reads, one
// load shared by the eight filters; no column matrix is built or packed.
//
// All sums are in float32 with FMA, in another order than the GEMM form's (so within rounding of
// it, not bit for bit), and the same whatever the thread count.
#include "conv_direct.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>
#include <vector>

#if DLF_X86
#include <immintrin.h>
#endif

namespace dlf {

#if DLF_X86
namespace {

/** Most vectors a window may take: they are accumulators held in registers. */
constexpr int kMaxRows = 28;
constexpr int kMaxV = 5, kMaxKh = 7;
/** Most floats of padded samples the weight gradient copies for one call (1 GiB). */
constexpr int64_t kMaxBatchPad = int64_t(1) << 28;

/**
 * f(std::integral_constant<int, r>) for r = 0 … R − 1, unrolled at compile time: the accumulators
 * are indexed by constants and so stay in registers.
 */
template <class F, int... I>
DLF_INLINE void each_row_of(F& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>{}), ...);
}
template <int R, class F>
DLF_INLINE void each_row(F&& f) {
  each_row_of(f, std::make_integer_sequence<int, R>{});
}

struct Layout {
  int64_t C, KH, P, Hp, Wp;
  int64_t pad;   // floats of one padded sample
  int64_t row;   // floats from one window row to the next: dh·Wp·C
  int64_t kwc;   // floats of one window row: kw·C
  int V, R;
  __mmask16 last;  // the lanes of a row's last vector that hold cells
  explicit Layout(const ConvGeom& d)
      : C(d.c), KH(d.kh), P(d.oh * d.ow), Hp((d.oh - 1) * d.sh + (d.kh - 1) * d.dh + 1), Wp(d.ow + d.kw - 1),
        pad(Hp * Wp * C), row(d.dh * Wp * C), kwc(d.kw * d.c), V((int)((kwc + 15) / 16)), R((int)(d.kh * V)),
        last((__mmask16)(kwc % 16 == 0 ? 0xFFFF : (1u << (kwc % 16)) - 1)) {}
  /** The share of vector lanes that hold cells. */
  double lanes_used() const { return (double)kwc / (16.0 * V); }
};

/** Where the window of output cell p starts in a padded sample. */
void window_offsets(const ConvGeom& d, const Layout& L, std::vector<int64_t>& off) {
  off.resize((size_t)L.P);
  for (int64_t oy = 0; oy < d.oh; oy++)
    for (int64_t ox = 0; ox < d.ow; ox++) off[(size_t)(oy * d.ow + ox)] = (oy * d.sh * L.Wp + ox) * L.C;
}

// The kernels below are compiled for AVX-512 (the lambdas inside them too, which a target
// attribute on the enclosing function would not reach); they run only at dispatch level 2.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#endif

/** Whether every one of the n floats at x is finite. */
DLF_AVX512 bool all_finite(const float* x, int64_t n) {
  __mmask16 bad = 0;
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    bad |= _mm512_mask_cmp_ps_mask(m, _mm512_sub_ps(v, v), zero, _CMP_NEQ_UQ);  // ∞ − ∞ and NaN are NaN
  }
  return bad == 0;
}

/** pad (L.pad floats) = sample x [C, H, W] zero-padded, channels last; cells no window reads are left out. */
void pad_channels_last(const float* x, float* pad, const ConvGeom& d, const Layout& L) {
  std::memset(pad, 0, sizeof(float) * (size_t)L.pad);
  const int64_t h = std::min(d.h, L.Hp - d.pt), w = std::min(d.w, L.Wp - d.pl);
  for (int64_t c = 0; c < L.C; c++)
    for (int64_t y = 0; y < h; y++) {
      const float* src = x + (c * d.h + y) * d.w;
      float* dst = pad + ((y + d.pt) * L.Wp + d.pl) * L.C + c;
      for (int64_t i = 0; i < w; i++) dst[i * L.C] = src[i];
    }
}

/** dx [C, H, W] = the interior of the channels-last padded gradient dpad; cells no window read get 0. */
void unpad_channels_last(const float* dpad, float* dx, const ConvGeom& d, const Layout& L) {
  const int64_t w = std::max<int64_t>(0, std::min(d.w, L.Wp - d.pl));
  for (int64_t c = 0; c < L.C; c++)
    for (int64_t y = 0; y < d.h; y++) {
      float* dst = dx + (c * d.h + y) * d.w;
      const int64_t py = y + d.pt;
      const int64_t n = py < L.Hp ? w : 0;
      const float* src = dpad + (py * L.Wp + d.pl) * L.C + c;
      for (int64_t i = 0; i < n; i++) dst[i] = src[i * L.C];
      for (int64_t i = n; i < d.w; i++) dst[i] = 0.0f;
    }
}

/**
 * One filter's weight gradient over one sample: acc (the filter's R vectors at wrow) += g[p] ·
 * window(p) for every p where g[p] ≠ 0 (every p when `all`).
 */
template <int V, int KH>
DLF_AVX512 void gw_filter(float* wrow, const float* pad, const float* g, int64_t P, const int64_t* off, int64_t row,
                          __mmask16 last, bool all) {
  constexpr int R = V * KH;
  __m512 acc[R];
  each_row<R>([&](auto r) { acc[r] = _mm512_loadu_ps(wrow + 16 * r); });
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t p0 = 0; p0 < P; p0 += 16) {
    const __mmask16 m = P - p0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (P - p0)) - 1);
    unsigned nz = all ? m : _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, g + p0), zero, _CMP_NEQ_UQ);
    while (nz) {
      const int i = __builtin_ctz(nz);
      nz &= nz - 1;
      const __m512 gb = _mm512_set1_ps(g[p0 + i]);
      const float* base = pad + off[p0 + i];
      each_row<R>([&](auto r) {
        const float* q = base + (r / V) * row + (r % V) * 16;
        const __m512 x = r % V == V - 1 ? _mm512_maskz_loadu_ps(last, q) : _mm512_loadu_ps(q);
        acc[r] = _mm512_fmadd_ps(gb, x, acc[r]);
      });
    }
  }
  each_row<R>([&](auto r) { _mm512_storeu_ps(wrow + 16 * r, acc[r]); });
}

/**
 * One sample's input gradient onto its channels-last padded form dpad: for each output cell p,
 * Σ over the filters f with gT[p, f] ≠ 0 (every f when `all`) of gT[p, f] · wt[f], added onto
 * the window of p. The last vector of a row is added through the mask `last`, its other lanes
 * written back unchanged (dpad has 16 floats of slack for it).
 */
template <int V, int KH>
DLF_AVX512 void gi_sample(float* dpad, const float* gT, const float* wt, int64_t F, int64_t P, const int64_t* off, int64_t row,
                          __mmask16 last, bool all) {
  constexpr int R = V * KH;
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t p = 0; p < P; p++) {
    const float* gp = gT + p * F;
    __m512 acc[R];
    each_row<R>([&](auto r) { acc[r] = zero; });
    bool any = false;
    for (int64_t f0 = 0; f0 < F; f0 += 16) {
      const __mmask16 m = F - f0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (F - f0)) - 1);
      unsigned nz = all ? m : _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, gp + f0), zero, _CMP_NEQ_UQ);
      any |= nz != 0;
      while (nz) {
        const int i = __builtin_ctz(nz);
        nz &= nz - 1;
        const __m512 gb = _mm512_set1_ps(gp[f0 + i]);
        const float* wf = wt + (f0 + i) * R * 16;
        each_row<R>([&](auto r) { acc[r] = _mm512_fmadd_ps(gb, _mm512_loadu_ps(wf + 16 * r), acc[r]); });
      }
    }
    if (!any) continue;
    float* base = dpad + off[p];
    each_row<R>([&](auto r) {
      float* q = base + (r / V) * row + (r % V) * 16;
      const __m512 v = _mm512_loadu_ps(q);
      _mm512_storeu_ps(q, r % V == V - 1 ? _mm512_mask_add_ps(v, last, v, acc[r]) : _mm512_add_ps(v, acc[r]));
    });
  }
}

/**
 * Output vectors [j0, j0 + NV) of filters [f0, f0 + FB) of one sample: every tap t = (c, ky, kx)
 * in order, acc[i][j] += w[f0 + i, t] · the 16 cells tap t reads for output vector j. Output
 * vector j is cells [16·vx, 16·vx + 16) of output row oy, j = oy·VO + vx; lanes past the row end
 * compute garbage that is never stored. Filter and vector indices past the last (nf, nv) repeat
 * the last one and are not stored.
 */
template <int FB, int NV>
void forward_block(const float* pad, int64_t hp, int64_t wp, const float* w, float* o, const ConvGeom& d, const float* bias, bool relu,
                   int64_t f0, int nf, int64_t j0, int nv, int64_t VO, __mmask16 last) {
  const int64_t K = d.c * d.kh * d.kw, P = d.oh * d.ow;
  const float* wf[FB];
  each_row<FB>([&](auto i) { wf[i] = w + (f0 + (i < nf ? i : nf - 1)) * K; });
  const float* base[NV];
  int64_t at[NV];
  each_row<NV>([&](auto j) {
    const int64_t jj = j0 + (j < nv ? j : nv - 1), oy = jj / VO, vx = jj % VO;
    base[j] = pad + oy * d.sh * wp + vx * 16;
    at[j] = oy * d.ow + vx * 16;
  });
  __m512 acc[FB][NV];
  each_row<FB>([&](auto i) { each_row<NV>([&](auto j) { acc[i][j] = _mm512_setzero_ps(); }); });
  int64_t t = 0;
  for (int64_t c = 0; c < d.c; c++)
    for (int64_t ky = 0; ky < d.kh; ky++) {
      const int64_t row = c * hp * wp + ky * d.dh * wp;
      for (int64_t kx = 0; kx < d.kw; kx++, t++) {
        __m512 x[NV];
        each_row<NV>([&](auto j) { x[j] = _mm512_loadu_ps(base[j] + row + kx); });
        each_row<FB>([&](auto i) {
          const __m512 wv = _mm512_set1_ps(wf[i][t]);
          each_row<NV>([&](auto j) { acc[i][j] = _mm512_fmadd_ps(wv, x[j], acc[i][j]); });
        });
      }
    }
  const __m512 zero = _mm512_setzero_ps();
  each_row<FB>([&](auto i) {
    if (i >= nf) return;
    const int64_t f = f0 + i;
    each_row<NV>([&](auto j) {
      if (j >= nv) return;
      const int64_t jj = j0 + j;
      __m512 v = acc[i][j];
      if (bias) {
        v = _mm512_add_ps(v, _mm512_set1_ps(bias[f]));
        if (relu) v = _mm512_max_ps(v, zero);  // NaN and −0 give +0, as v > 0 ? v : 0 does
      }
      const __mmask16 m = jj % VO == VO - 1 ? last : (__mmask16)0xFFFF;
      _mm512_mask_storeu_ps(o + f * P + at[j], m, v);
    });
  });
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

using GwFn = void (*)(float*, const float*, const float*, int64_t, const int64_t*, int64_t, __mmask16, bool);
using GiFn = void (*)(float*, const float*, const float*, int64_t, int64_t, const int64_t*, int64_t, __mmask16, bool);

/** The instantiations for V vectors a row and kh rows (none past kMaxRows). */
template <int V, int KH>
void pick(GwFn* gw, GiFn* gi) {
  if constexpr (V * KH <= kMaxRows) {
    *gw = &gw_filter<V, KH>;
    *gi = &gi_sample<V, KH>;
  }
}
template <int V>
void pick_kh(int kh, GwFn* gw, GiFn* gi) {
  switch (kh) {
    case 1: return pick<V, 1>(gw, gi);
    case 2: return pick<V, 2>(gw, gi);
    case 3: return pick<V, 3>(gw, gi);
    case 4: return pick<V, 4>(gw, gi);
    case 5: return pick<V, 5>(gw, gi);
    case 6: return pick<V, 6>(gw, gi);
    case 7: return pick<V, 7>(gw, gi);
  }
}
/** The kernels for a layout; null when there are none. */
void kernels_for(const Layout& L, GwFn* gw, GiFn* gi) {
  *gw = nullptr;
  *gi = nullptr;
  switch (L.V) {
    case 1: return pick_kh<1>((int)L.KH, gw, gi);
    case 2: return pick_kh<2>((int)L.KH, gw, gi);
    case 3: return pick_kh<3>((int)L.KH, gw, gi);
    case 4: return pick_kh<4>((int)L.KH, gw, gi);
    case 5: return pick_kh<5>((int)L.KH, gw, gi);
  }
}

/** Splits [0, n) into `parts` ranges as equal as possible; part t is [begin(t), begin(t + 1)). */
struct Split {
  int64_t n, parts;
  int64_t begin(int64_t t) const { return n * t / parts; }
};

thread_local Scratch batch_pad;   // the weight gradient's padded samples (on the calling thread)
thread_local Scratch weights_cl;  // the input gradient's channels-last weights (on the calling thread)
thread_local Scratch band_buf;    // a thread's band of the weight gradient
thread_local Scratch dpad_buf;    // a thread's padded input gradient of one sample
thread_local Scratch gT_buf;      // a thread's transposed output gradient of one sample
thread_local std::vector<int64_t> offsets;
thread_local std::vector<char> finite;

}  // namespace

bool conv_forward_direct_applies(const ConvGeom& d) {
  // Output rows that fill too little of their last vector waste lanes the GEMM form would use.
  const int64_t VO = (d.ow + 15) / 16;
  return cpu().level >= 2 && d.sw == 1 && d.dw == 1 && 4 * d.ow >= 3 * 16 * VO;
}

void conv2d_sample_direct(const float* pad, int64_t hp, int64_t wp, const float* w, float* o, const ConvGeom& d, const float* bias,
                          bool relu) {
  constexpr int FB = 8, NV = 3;
  const int64_t VO = (d.ow + 15) / 16, J = d.oh * VO;
  const __mmask16 last = (__mmask16)(d.ow % 16 == 0 ? 0xFFFF : (1u << (d.ow % 16)) - 1);
  for (int64_t f0 = 0; f0 < d.f; f0 += FB)
    for (int64_t j0 = 0; j0 < J; j0 += NV)
      forward_block<FB, NV>(pad, hp, wp, w, o, d, bias, relu, f0, (int)std::min<int64_t>(FB, d.f - f0), j0,
                            (int)std::min<int64_t>(NV, J - j0), VO, last);
}

bool conv_direct_applies(const ConvGeom& d) {
  if (cpu().level < 2 || d.sw != 1 || d.dw != 1 || d.kw * d.c > 16 * kMaxV || d.kh > kMaxKh) return false;
  const Layout L(d);
  // With most lanes idle (a window row of a few cells: one input channel, say) the GEMM form is
  // faster unless the gradient is very sparse.
  return L.R <= kMaxRows && L.lanes_used() >= 0.5;
}

bool conv2d_grad_weight_direct(const float* x, const float* grad, float* out, const ConvGeom& d, bool* oom) {
  *oom = false;
  const Layout L(d);
  const int64_t F = d.f, N = d.n, P = L.P, x_size = d.c * d.h * d.w, Rw = (int64_t)L.R * 16;
  GwFn kernel;
  GiFn unused;
  kernels_for(L, &kernel, &unused);
  if (!kernel || N * L.pad > kMaxBatchPad) return false;
  float* pads = batch_pad.get((size_t)(N * L.pad));
  if (!pads) {
    *oom = true;
    return false;
  }
  window_offsets(d, L, offsets);
  finite.assign((size_t)N, 1);
  const int64_t* off = offsets.data();
  char* fin = finite.data();
  // The padded samples, split by sample.
  const Split bs{N, std::min<int64_t>(N, threads())};
  auto copy = [&](int t) {
    for (int64_t b = bs.begin(t); b < bs.begin(t + 1); b++) {
      pad_channels_last(x + b * x_size, pads + b * L.pad, d, L);
      fin[b] = all_finite(x + b * x_size, x_size);
    }
  };
  parallel_for((int)bs.parts, copy);
  // The filters, split among the threads.
  const Split fs{F, std::min<int64_t>(F, threads())};
  std::atomic<bool> ok{true};
  auto task = [&](int t) {
    const int64_t f0 = fs.begin(t), f1 = fs.begin(t + 1);
    float* band = band_buf.get((size_t)((f1 - f0) * Rw));
    if (!band) return void(ok.store(false));
    std::memset(band, 0, sizeof(float) * (size_t)((f1 - f0) * Rw));
    for (int64_t b = 0; b < N; b++)
      for (int64_t f = f0; f < f1; f++)
        kernel(band + (f - f0) * Rw, pads + b * L.pad, grad + (b * F + f) * P, P, off, L.row, L.last, !fin[b]);
    for (int64_t f = f0; f < f1; f++)
      for (int64_t c = 0; c < d.c; c++)
        for (int64_t ky = 0; ky < d.kh; ky++)
          for (int64_t kx = 0; kx < d.kw; kx++)
            out[((f * d.c + c) * d.kh + ky) * d.kw + kx] = band[(f - f0) * Rw + ky * L.V * 16 + kx * d.c + c];
  };
  parallel_for((int)fs.parts, task);
  if (!ok) *oom = true;
  return ok;
}

bool conv2d_grad_input_direct(const float* grad, const float* w, float* out, const ConvGeom& d, bool* oom) {
  *oom = false;
  const Layout L(d);
  const int64_t F = d.f, N = d.n, P = L.P, x_size = d.c * d.h * d.w, Rw = (int64_t)L.R * 16;
  GwFn unused;
  GiFn kernel;
  kernels_for(L, &unused, &kernel);
  if (!kernel) return false;
  // The weights channels-last, each window row padded to V vectors with zeros.
  float* wt = weights_cl.get((size_t)(F * Rw));
  if (!wt) {
    *oom = true;
    return false;
  }
  std::memset(wt, 0, sizeof(float) * (size_t)(F * Rw));
  for (int64_t f = 0; f < F; f++)
    for (int64_t c = 0; c < d.c; c++)
      for (int64_t ky = 0; ky < d.kh; ky++)
        for (int64_t kx = 0; kx < d.kw; kx++) wt[f * Rw + ky * L.V * 16 + kx * d.c + c] = w[((f * d.c + c) * d.kh + ky) * d.kw + kx];
  const bool all = !all_finite(w, F * d.c * d.kh * d.kw);
  window_offsets(d, L, offsets);
  const int64_t* off = offsets.data();
  const Split s{N, std::min<int64_t>(N, threads())};
  std::atomic<bool> ok{true};
  auto task = [&](int t) {
    float* dpad = dpad_buf.get((size_t)L.pad + 16);
    float* gT = gT_buf.get((size_t)(P * F));
    if (!dpad || !gT) return void(ok.store(false));
    for (int64_t b = s.begin(t); b < s.begin(t + 1); b++) {
      const float* g = grad + b * F * P;
      for (int64_t f = 0; f < F; f++)
        for (int64_t p = 0; p < P; p++) gT[p * F + f] = g[f * P + p];
      std::memset(dpad, 0, sizeof(float) * (size_t)L.pad);
      kernel(dpad, gT, wt, F, P, off, L.row, L.last, all);
      unpad_channels_last(dpad, out + b * x_size, d, L);
    }
  };
  parallel_for((int)s.parts, task);
  if (!ok) *oom = true;
  return ok;
}

#else

bool conv_direct_applies(const ConvGeom&) { return false; }
bool conv_forward_direct_applies(const ConvGeom&) { return false; }
void conv2d_sample_direct(const float*, int64_t, int64_t, const float*, float*, const ConvGeom&, const float*, bool) {}
bool conv2d_grad_input_direct(const float*, const float*, float*, const ConvGeom&, bool* oom) { return *oom = false; }
bool conv2d_grad_weight_direct(const float*, const float*, float*, const ConvGeom&, bool* oom) { return *oom = false; }

#endif

}  // namespace dlf
