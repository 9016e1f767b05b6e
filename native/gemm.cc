// Single-precision GEMM: BLIS-style blocking (NC columns of B, KC of the shared dimension, MC rows
// of A), operands packed into zero-padded micro-panels so that every transpose combination runs
// the same register-blocked micro-kernel, and a kernel chosen at run time for the CPU: AVX-512
// (8×32: 16 accumulators, two B vectors and eight broadcasts of A per step), AVX2+FMA (6×16) or
// portable C (4×8). Edge tiles run the full kernel into a scratch tile and copy the valid part, so
// any m, n, k works. Large products split C's columns among the threads (each element is summed
// the same way on any thread count); the packing buffers are per thread and only grow. A dense
// layer's bias and relu can run on each band as its product completes: the kernel matmulBiasAct,
// whose body (its kernels.def line's DLF_ENTRY) ends this file.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "entry.h"

#if DLF_X86
#include <immintrin.h>
#endif

namespace dlf {
namespace {

/** An operand panel source: element (r, p) sits at ptr[r*rs + p*ks] (r along the panel width, p along k). */
struct Operand {
  const float* ptr;
  ptrdiff_t rs;
  ptrdiff_t ks;
};

using Ukernel = void (*)(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int accumulate);

thread_local Scratch pack_a_buf;
thread_local Scratch pack_b_buf;

#if DLF_X86
/** dst[p*W + r] = src[r*rs + p] for r < w, p < kc: 8×8 blocks transposed in registers. */
DLF_AVX2 void pack_transpose_avx2(const float* src, ptrdiff_t rs, int w, int kc, float* dst, int W) {
  int r0 = 0;
  for (; r0 + 8 <= w; r0 += 8) {
    const float* s = src + r0 * rs;
    int p = 0;
    for (; p + 8 <= kc; p += 8) {
      __m256 r[8], t[8], u[8];
      for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(s + i * rs + p);
      // Rows pairwise interleaved, then 4-row groups, then the 128-bit halves exchanged:
      // u[i] ends as column p+i of the block.
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      float* d = dst + (ptrdiff_t)p * W + r0;
      for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps(d + (ptrdiff_t)i * W, _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
        _mm256_storeu_ps(d + (ptrdiff_t)(i + 4) * W, _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
      }
    }
    for (; p < kc; p++)
      for (int i = 0; i < 8; i++) dst[(ptrdiff_t)p * W + r0 + i] = s[i * rs + p];
  }
  for (; r0 < w; r0++)
    for (int p = 0; p < kc; p++) dst[(ptrdiff_t)p * W + r0] = src[r0 * rs + p];
}
#endif

/** Whether the packing may use AVX2 (set with the dispatch level). */
bool pack_avx2 = false;

/**
 * Packs w ≤ W panel rows × kc into dst[p*W + r], rows w..W-1 zero. Reads contiguously along
 * whichever of the two directions has unit stride; the transposing case goes through 8×8 register
 * transposes when AVX2 is there.
 */
template <int W>
void pack(Operand s, int w, int kc, float* dst) {
  if (s.rs == 1) {
    const float* src = s.ptr;
    if (w == W) {
      for (int p = 0; p < kc; p++, src += s.ks, dst += W) std::memcpy(dst, src, sizeof(float) * W);
      return;
    }
    for (int p = 0; p < kc; p++, src += s.ks, dst += W) {
      int r = 0;
      for (; r < w; r++) dst[r] = src[r];
      for (; r < W; r++) dst[r] = 0.0f;
    }
    return;
  }
#if DLF_X86
  if (pack_avx2 && s.ks == 1) {
    pack_transpose_avx2(s.ptr, s.rs, w, kc, dst, W);
  } else
#endif
  {
    // Strips of 8 rows, so that the writes of a strip stay within a few cache lines.
    for (int r0 = 0; r0 < w; r0 += 8) {
      const int r1 = std::min(w, r0 + 8);
      for (int p = 0; p < kc; p++) {
        float* d = dst + (ptrdiff_t)p * W;
        const float* src = s.ptr + p * s.ks;
        for (int r = r0; r < r1; r++) d[r] = src[r * s.rs];
      }
    }
  }
  if (w < W)
    for (int p = 0; p < kc; p++)
      for (int r = w; r < W; r++) dst[(ptrdiff_t)p * W + r] = 0.0f;
}

struct Blocking {
  int mc, kc, nc;
};

/** The k block: equal blocks (784 = 4 × 196 rather than 3 × 256 + 16), a multiple of 8 where possible. */
inline int block_k(int k, int kc) {
  const int blocks = (k + kc - 1) / kc;
  return std::min(k, (((k + blocks - 1) / blocks) + 7) / 8 * 8);
}

/**
 * C (m×n, row stride ldc) = A (m×k) · B (k×n). Every output element is summed in the same order
 * whatever m, n and its place in a tile (k blocks in order, each accumulated from zero in its
 * own order and then added to C), so a row's result does not depend on the batch it is in.
 */
template <int MR, int NR, Ukernel K>
bool gemm(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, Blocking bl, bool accumulate) {
  const int MC = std::max(MR, (bl.mc / MR) * MR);
  const int NC = std::max(NR, (bl.nc / NR) * NR);
  const int KC = block_k(k, bl.kc);
  const int ncMax = std::min(NC, ((n + NR - 1) / NR) * NR);
  const int mcMax = std::min(MC, ((m + MR - 1) / MR) * MR);
  const int kcMax = std::min(KC, k);
  float* bp = pack_b_buf.get((size_t)kcMax * ncMax);
  float* ap = pack_a_buf.get((size_t)kcMax * mcMax);
  if (!bp || !ap) return false;
  alignas(64) float tmp[MR * NR];
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      const int acc = accumulate || pc > 0;
      for (int jr = 0; jr < nc; jr += NR) {
        Operand src{B.ptr + (jc + jr) * B.rs + pc * B.ks, B.rs, B.ks};
        pack<NR>(src, std::min(NR, nc - jr), kc, bp + (ptrdiff_t)jr * kc);
      }
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = std::min(MC, m - ic);
        for (int ir = 0; ir < mc; ir += MR) {
          Operand src{A.ptr + (ic + ir) * A.rs + pc * A.ks, A.rs, A.ks};
          pack<MR>(src, std::min(MR, mc - ir), kc, ap + (ptrdiff_t)ir * kc);
        }
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          const float* bpan = bp + (ptrdiff_t)jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            const float* apan = ap + (ptrdiff_t)ir * kc;
            float* c = C + (ptrdiff_t)(ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) {
              K(kc, apan, bpan, c, ldc, acc);
            } else {
              K(kc, apan, bpan, tmp, NR, 0);
              for (int i = 0; i < mr; i++)
                for (int j = 0; j < nr; j++) c[i * ldc + j] = acc ? c[i * ldc + j] + tmp[i * NR + j] : tmp[i * NR + j];
            }
          }
        }
      }
    }
  }
  return true;
}

// ---- micro-kernels: C tile (MR×NR) = [C +] packed A panel (kc×MR) · packed B panel (kc×NR) ----

#if defined(__GNUC__)
// GCC/clang vector extensions: SSE2 on x86-64, NEON on arm64, scalar code elsewhere.
typedef float v4f __attribute__((vector_size(16)));

template <int MR, int NV>
void ukr_c(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int accumulate) {
  constexpr int NR = NV * 4;
  v4f t[MR][NV];
  DLF_UNROLL for (int i = 0; i < MR; i++) DLF_UNROLL for (int v = 0; v < NV; v++) t[i][v] = v4f{0, 0, 0, 0};
  for (int p = 0; p < kc; p++, a += MR, b += NR) {
    v4f bv[NV];
    DLF_UNROLL for (int v = 0; v < NV; v++) std::memcpy(&bv[v], b + 4 * v, sizeof(v4f));
    DLF_UNROLL for (int i = 0; i < MR; i++) {
      const float s = a[i];
      const v4f av = {s, s, s, s};
      DLF_UNROLL for (int v = 0; v < NV; v++) t[i][v] += av * bv[v];
    }
  }
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++)
      for (int j = 0; j < 4; j++) {
        float* cp = c + i * ldc + 4 * v + j;
        *cp = accumulate ? *cp + t[i][v][j] : t[i][v][j];
      }
}
#else
template <int MR, int NV>
void ukr_c(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int accumulate) {
  constexpr int NR = NV * 4;
  float t[MR][NR] = {};
  for (int p = 0; p < kc; p++, a += MR, b += NR)
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) t[i][j] += a[i] * b[j];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + t[i][j] : t[i][j];
}
#endif

#if DLF_X86
template <int MR, int NV>
DLF_AVX2 void ukr_avx2(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int accumulate) {
  constexpr int NR = NV * 8;
  __m256 t[MR][NV];
  DLF_UNROLL for (int i = 0; i < MR; i++) DLF_UNROLL for (int v = 0; v < NV; v++) t[i][v] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++, a += MR, b += NR) {
    __m256 bv[NV];
    DLF_UNROLL for (int v = 0; v < NV; v++) bv[v] = _mm256_load_ps(b + 8 * v);
    DLF_UNROLL for (int i = 0; i < MR; i++) {
      const __m256 av = _mm256_broadcast_ss(a + i);
      DLF_UNROLL for (int v = 0; v < NV; v++) t[i][v] = _mm256_fmadd_ps(av, bv[v], t[i][v]);
    }
  }
  DLF_UNROLL for (int i = 0; i < MR; i++) DLF_UNROLL for (int v = 0; v < NV; v++) {
    float* cp = c + i * ldc + 8 * v;
    _mm256_storeu_ps(cp, accumulate ? _mm256_add_ps(_mm256_loadu_ps(cp), t[i][v]) : t[i][v]);
  }
}

template <int MR, int NV>
DLF_AVX512 void ukr_avx512(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int accumulate) {
  constexpr int NR = NV * 16;
  __m512 t[MR][NV];
  DLF_UNROLL for (int i = 0; i < MR; i++) DLF_UNROLL for (int v = 0; v < NV; v++) t[i][v] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++, a += MR, b += NR) {
    __m512 bv[NV];
    DLF_UNROLL for (int v = 0; v < NV; v++) bv[v] = _mm512_load_ps(b + 16 * v);
    DLF_UNROLL for (int i = 0; i < MR; i++) {
      const __m512 av = _mm512_set1_ps(a[i]);
      DLF_UNROLL for (int v = 0; v < NV; v++) t[i][v] = _mm512_fmadd_ps(av, bv[v], t[i][v]);
    }
  }
  DLF_UNROLL for (int i = 0; i < MR; i++) DLF_UNROLL for (int v = 0; v < NV; v++) {
    float* cp = c + i * ldc + 16 * v;
    _mm512_storeu_ps(cp, accumulate ? _mm512_add_ps(_mm512_loadu_ps(cp), t[i][v]) : t[i][v]);
  }
}
#endif

// ---- few rows (a matrix-vector product, a batch of one or two) with B's rows contiguous: no
// packing, B read once per row. Each element is summed exactly as the packed path sums it (the
// same k blocks, fused multiply-adds where the micro-kernel fuses them), so results do not depend
// on which path a row takes.

thread_local Scratch few_rows_buf;

template <bool FUSED>
DLF_INLINE float madd(float a, float b, float c) {
  if (FUSED) return __builtin_fmaf(a, b, c);
  return c + a * b;
}

template <bool FUSED>
DLF_INLINE bool few_rows_body(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, int kc_target) {
  const int KC = block_k(k, kc_target);
  float* t = k > KC ? few_rows_buf.get((size_t)n) : nullptr;
  if (k > KC && !t) return false;
  for (int i = 0; i < m; i++) {
    float* c = C + i * ldc;
    const float* a = A.ptr + i * A.rs;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      float* acc = pc == 0 ? c : t;
      for (int j = 0; j < n; j++) acc[j] = 0.0f;
      for (int p = pc; p < pc + kc; p++) {
        const float ap = a[p * A.ks];
        const float* b = B.ptr + p * B.ks;
        for (int j = 0; j < n; j++) acc[j] = madd<FUSED>(ap, b[j], acc[j]);
      }
      if (pc > 0)
        for (int j = 0; j < n; j++) c[j] += t[j];
    }
  }
  return true;
}

bool few_rows_base(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, int kc) {
  return few_rows_body<false>(m, n, k, A, B, C, ldc, kc);
}
#if DLF_X86
DLF_AVX2 bool few_rows_avx2(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, int kc) {
  return few_rows_body<true>(m, n, k, A, B, C, ldc, kc);
}
DLF_AVX512 bool few_rows_avx512(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, int kc) {
  return few_rows_body<true>(m, n, k, A, B, C, ldc, kc);
}
#endif

using FewRowsFn = bool (*)(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, int kc);

using GemmFn = bool (*)(int m, int n, int k, Operand A, Operand B, float* C, ptrdiff_t ldc, Blocking bl, bool accumulate);

struct GemmImpl {
  const char* name;
  /** The micro-tile's width (columns of C). */
  int nr;
  GemmFn fn;
  Blocking blocking;
  FewRowsFn few_rows;
  /** Up to this many rows take the unpacked path (under half a micro-tile's rows). */
  int few_rows_max;
};

const GemmImpl kPortable{"portable C 4x8", 8, gemm<4, 8, ukr_c<4, 2>>, {128, 256, 4096}, few_rows_base, 1};
#if DLF_X86
const GemmImpl kAvx2{"avx2+fma 6x16", 16, gemm<6, 16, ukr_avx2<6, 2>>, {144, 256, 4096}, few_rows_avx2, 2};
const GemmImpl kAvx512{"avx512 8x32", 32, gemm<8, 32, ukr_avx512<8, 2>>, {128, 256, 4096}, few_rows_avx512, 3};
#endif

const GemmImpl* selected = nullptr;

}  // namespace

void gemm_select(int level) {
  pack_avx2 = level >= 1;
#if DLF_X86
  selected = level >= 2 ? &kAvx512 : level == 1 ? &kAvx2 : &kPortable;
#else
  (void)level;
  selected = &kPortable;
#endif
}

const char* gemm_kernel_name() { return selected ? selected->name : "none"; }

namespace {

/** Products of at least this many multiply-adds are split among the threads (below, waking a worker costs more than it saves). */
constexpr double kThreadedMacs = 1 << 21;

/**
 * What runs over a band of C's columns once the band's product is complete: C(i, j) = C(i, j) +
 * bias[j], then relu when asked, each as the separate add and relu kernels compute it. A null bias
 * is no epilogue.
 */
struct Epilogue {
  const float* bias;
  bool relu;
};

DLF_INLINE void bias_act_body(float* __restrict c, ptrdiff_t ldc, int m, int j0, int j1, const float* __restrict bias, bool relu) {
  for (int i = 0; i < m; i++) {
    float* r = c + (ptrdiff_t)i * ldc;
    if (relu)
      for (int j = j0; j < j1; j++) {
        const float v = r[j] + bias[j];
        r[j] = v > 0.0f ? v : 0.0f;
      }
    else
      for (int j = j0; j < j1; j++) r[j] = r[j] + bias[j];
  }
}

void bias_act_base(float* c, ptrdiff_t ldc, int m, int j0, int j1, const float* bias, bool relu) { bias_act_body(c, ldc, m, j0, j1, bias, relu); }
#if DLF_X86
DLF_AVX2 void bias_act_avx2(float* c, ptrdiff_t ldc, int m, int j0, int j1, const float* bias, bool relu) {
  bias_act_body(c, ldc, m, j0, j1, bias, relu);
}
DLF_AVX512 void bias_act_avx512(float* c, ptrdiff_t ldc, int m, int j0, int j1, const float* bias, bool relu) {
  bias_act_body(c, ldc, m, j0, j1, bias, relu);
}
#endif

void bias_act(float* c, ptrdiff_t ldc, int m, int j0, int j1, const Epilogue& ep) {
  if (ep.bias) DLF_DISPATCH_CALL(bias_act, c, ldc, m, j0, j1, ep.bias, ep.relu);
}

/**
 * C (m×n, row stride n) = A · B on up to threads() threads, each taking a band of C's columns
 * (whole micro-tiles): every element is summed in the same order as on one thread. The epilogue
 * runs on each band right after its product, while the band is still in cache.
 */
bool gemm_threads(int m, int n, int k, Operand A, Operand B, float* C, const Epilogue& ep) {
  const int nr = selected->nr;
  const int tiles = (n + nr - 1) / nr;
  const int parts = (double)m * n * k >= kThreadedMacs ? std::min(threads(), tiles) : 1;
  if (parts <= 1) {
    if (!selected->fn(m, n, k, A, B, C, n, selected->blocking, false)) return false;
    bias_act(C, n, m, 0, n, ep);
    return true;
  }
  std::atomic<bool> ok{true};
  if (m > n) {
    // A tall C (a dense layer over batch·length rows): bands of rows, so that each thread packs
    // only its own rows of A and shares nothing but B, which is the smaller operand. An element's
    // sum does not depend on its row's place (gemm), so the bits are those of the column bands.
    constexpr int kRowUnit = 24;  // whole micro-tiles of every kernel (4, 6 and 8 rows)
    const int units = (m + kRowUnit - 1) / kRowUnit;
    const int row_parts = std::min(parts, units);
    auto rows_task = [&](int t) {
      const int i0 = units * t / row_parts * kRowUnit, i1 = std::min(m, units * (t + 1) / row_parts * kRowUnit);
      if (i1 <= i0) return;
      const Operand At{A.ptr + (ptrdiff_t)i0 * A.rs, A.rs, A.ks};
      float* Ct = C + (ptrdiff_t)i0 * n;
      if (!selected->fn(i1 - i0, n, k, At, B, Ct, n, selected->blocking, false)) ok.store(false);
      else bias_act(Ct, n, i1 - i0, 0, n, ep);
    };
    parallel_for(row_parts, rows_task);
    return ok;
  }
  auto task = [&](int t) {
    const int j0 = tiles * t / parts * nr, j1 = std::min(n, tiles * (t + 1) / parts * nr);
    if (j1 <= j0) return;
    const Operand Bt{B.ptr + (ptrdiff_t)j0 * B.rs, B.rs, B.ks};
    if (!selected->fn(m, j1 - j0, k, A, Bt, C + j0, n, selected->blocking, false)) ok.store(false);
    else bias_act(C, n, m, j0, j1, ep);
  };
  parallel_for(parts, task);
  return ok;
}

bool matmul_epilogue(const float* a, const float* b, float* out, int batch, int m, int n, int k, bool trans_a, bool trans_b,
                     ptrdiff_t stride_a, ptrdiff_t stride_b, const Epilogue& ep) {
  if (batch <= 0 || m <= 0 || n <= 0) return true;
  if (k <= 0) {
    std::memset(out, 0, sizeof(float) * (size_t)batch * m * n);
    for (int t = 0; t < batch; t++) bias_act(out + (size_t)t * m * n, n, m, 0, n, ep);  // batch·m may pass INT_MAX
    return true;
  }
  if (!selected) gemm_select(0);
  // A(i, p) = a[i*sai + p*sap]; B(p, j) = b[p*sbp + j*sbj].
  const ptrdiff_t sai = trans_a ? 1 : k, sap = trans_a ? m : 1;
  const ptrdiff_t sbp = trans_b ? 1 : n, sbj = trans_b ? k : 1;
  // A batch of row-major A matrices stored back to back against one shared B is one taller GEMM,
  // as long as its row count still fits the int the blocking loops count in.
  if (batch > 1 && stride_b == 0 && !trans_a && stride_a == (ptrdiff_t)m * k && (int64_t)m * batch <= INT32_MAX) {
    m *= batch;
    batch = 1;
  }
  // One product of the batch, threaded within when it is large enough.
  auto one = [&](int bt) {
    Operand A{a + bt * stride_a, sai, sap};
    Operand B{b + bt * stride_b, sbj, sbp};
    float* C = out + (ptrdiff_t)bt * m * n;
    if (m <= selected->few_rows_max && B.rs == 1) {
      if (!selected->few_rows(m, n, k, A, B, C, n, selected->blocking.kc)) return false;
      bias_act(C, n, m, 0, n, ep);
      return true;
    }
    return gemm_threads(m, n, k, A, B, C, ep);
  };
  // A batch of products each too small to split (attention's [heads·batch, L, L] by [heads·batch,
  // L, dh]) but large together: bands of whole products go to the threads instead, each product
  // computed exactly as on one thread.
  const double macs = (double)m * n * k;
  const int bands = batch > 1 && macs < kThreadedMacs && macs * batch >= kThreadedMacs ? std::min(threads(), batch) : 1;
  if (bands > 1) {
    std::atomic<bool> ok{true};
    auto task = [&](int t) {
      for (int bt = batch * t / bands; bt < batch * (t + 1) / bands; bt++)
        if (!one(bt)) ok.store(false);
    };
    parallel_for(bands, task);
    return ok;
  }
  for (int bt = 0; bt < batch; bt++)
    if (!one(bt)) return false;
  return true;
}

}  // namespace

bool matmul(const float* a, const float* b, float* out, int batch, int m, int n, int k, bool trans_a, bool trans_b,
            ptrdiff_t stride_a, ptrdiff_t stride_b) {
  return matmul_epilogue(a, b, out, batch, m, n, k, trans_a, trans_b, stride_a, stride_b, Epilogue{nullptr, false});
}

bool gemm_strided(int m, int n, int k, const float* a, ptrdiff_t a_rs, ptrdiff_t a_ks, const float* b, ptrdiff_t b_ks,
                  ptrdiff_t b_js, float* c, ptrdiff_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return true;
  if (k <= 0) {
    if (!accumulate)
      for (int i = 0; i < m; i++) std::memset(c + (ptrdiff_t)i * ldc, 0, sizeof(float) * n);
    return true;
  }
  if (!selected) gemm_select(0);
  return selected->fn(m, n, k, Operand{a, a_rs, a_ks}, Operand{b, b_js, b_ks}, c, ldc, selected->blocking, accumulate);
}

}  // namespace dlf

// matmul with the bias and relu epilogue: the checks of matmul's body (addon.cc) and a bias of n
// floats whenever there is an output.
DLF_ENTRY(matmulBiasAct) {
  in.require(a.batch < kMaxDim && a.m < kMaxDim && a.n < kMaxDim && a.k < kMaxDim, "batch, m, n and k must be below 2^30");
  const Count outs = mul(mul(a.batch, a.m), a.n);
  in.holds(a.out, outs, "out");
  in.holds(a.bias, outs > 0 ? a.n : 0, "bias");
  // With k = 0 the kernel only zeroes out (and adds the bias); otherwise it reads the last matrix of each operand.
  const bool reads = outs > 0 && a.k > 0;
  in.holds(a.a, reads ? add(mul(a.batch - 1, a.strideA), mul(a.m, a.k)) : 0, "a");
  in.holds(a.b, reads ? add(mul(a.batch - 1, a.strideB), mul(a.k, a.n)) : 0, "b");
  if (!in.ok() || outs == 0) return;
  const bool done = in_kernel_mode([&] {
    return matmul_epilogue(a.a.data, a.b.data, a.out.data, (int)a.batch, (int)a.m, (int)a.n, (int)a.k, a.transA, a.transB,
                           (ptrdiff_t)a.strideA, (ptrdiff_t)a.strideB, Epilogue{a.bias.data, a.relu});
  });
  if (!done) in.fail(Checks::kError, "out of memory for the matmul packing buffers");
}
