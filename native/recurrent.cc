// The recurrent scans (Kernels.recurrentForward / recurrentBackward; layouts and formulas in
// src/kernels/ts/recurrent.ts, the reference): per step, the recurrent product of the whole batch
// is a GEMM (gemm_strided, reading h₋ and the weights where they lie) followed by the gates'
// elementwise work. The hidden units are split among threads: a thread computes the gate columns
// of its units and then their elementwise update, so a step needs one barrier, and every value is
// computed the same way whatever the thread count (the GEMM sums each element in a fixed order).
// The gates' exp and tanh are computed in float by a polynomial (fexp below, within a few float
// ulps of the reference's double ones) in loops the compiler vectorises for each instruction-set
// level. A step that is padding in every sample of the batch skips its GEMM.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "dlf.h"
#include "entry.h"

namespace dlf {
namespace {

constexpr int kGates[3] = {1, 4, 3};
constexpr int kPacked[3] = {1, 6, 5};
constexpr int kDgates[3] = {1, 4, 4};
/** Below this many multiply-adds per step the scan stays on the calling thread. */
constexpr double kThreadedStep = 1 << 16;

/**
 * e^x in float: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor polynomial of degree 6 (relative
 * error below 2e-7), 2^n put into the exponent bits. |x| is clamped to 87 on its bit pattern (for
 * non-negative floats the integer order is the float order), and a NaN or infinite x gives NaN.
 * Branch-free, so that the loops calling it vectorise.
 */
DLF_INLINE float fexp(float x) {
  int32_t xi;
  std::memcpy(&xi, &x, sizeof xi);
  const int32_t ax = std::min<int32_t>(xi & 0x7FFFFFFF, 0x42AE0000);  // 87.0f
  const int32_t yi = (xi & (int32_t)0x80000000) | ax;
  float y;
  std::memcpy(&y, &yi, sizeof y);
  const float k = y * 1.44269504088896341f + 12582912.0f;  // 1.5·2^23: rounds y·log2(e) to an integer in k's low bits
  const float n = k - 12582912.0f;
  const float r = (y - n * 0.693145751953125f) - n * 1.428606765330187e-06f;  // ln 2 in two parts
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t kb;
  std::memcpy(&kb, &k, sizeof kb);
  const int32_t bits = (kb - 0x4B400000 + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale + (x - x);
}
DLF_INLINE float fsigmoid(float x) { return 1.0f / (1.0f + fexp(-x)); }
DLF_INLINE float ftanh(float x) { return 1.0f - 2.0f / (fexp(2.0f * x) + 1.0f); }

// The rows' pointers never overlap where a loop writes (different blocks of one row, or different
// buffers): ivdep spares the vectoriser run-time alias checks, of which it would need too many.
#if defined(__GNUC__) && !defined(__clang__)
#define DLF_IVDEP _Pragma("GCC ivdep")
#else
#define DLF_IVDEP
#endif

/** One sample's units [j0, j1) of a forward step, the mask real: x its xg row, r its recurrent products, hp/cp the previous state. */
struct FwdRow {
  const float* x;
  const float* r;
  const float* hp;
  const float* cp;
  const float* bhn;
  float* o;
  int H, j0, j1;
};

DLF_INLINE void fwd_body(int cell, const FwdRow& a) {
  const int H = a.H;
  // Locals, not the struct's fields: with -fno-strict-aliasing a store through o could change a field, and the loop would not vectorise.
  const int j0 = a.j0, j1 = a.j1;
  const float* __restrict x = a.x;
  const float* __restrict r = a.r;
  float* __restrict o = a.o;
  if (cell == CELL_RNN) {
    DLF_IVDEP
    for (int j = j0; j < j1; j++) o[j] = ftanh(x[j] + r[j]);
  } else if (cell == CELL_LSTM) {
    const float* __restrict cp = a.cp;
    DLF_IVDEP
    for (int j = j0; j < j1; j++) {
      const float i = fsigmoid(x[j] + r[j]);
      const float f = fsigmoid(x[H + j] + r[H + j]);
      const float g = ftanh(x[2 * H + j] + r[2 * H + j]);
      const float og = fsigmoid(x[3 * H + j] + r[3 * H + j]);
      const float c = f * cp[j] + i * g;
      o[j] = i;
      o[H + j] = f;
      o[2 * H + j] = g;
      o[3 * H + j] = og;
      o[4 * H + j] = c;
      o[5 * H + j] = og * ftanh(c);
    }
  } else {
    const float* __restrict hp = a.hp;
    const float* __restrict bhn = a.bhn;
    DLF_IVDEP
    for (int j = j0; j < j1; j++) {
      const float rr = fsigmoid(x[j] + r[j]);
      const float z = fsigmoid(x[H + j] + r[H + j]);
      const float hn = r[2 * H + j] + bhn[j];
      const float n = ftanh(x[2 * H + j] + rr * hn);
      o[j] = rr;
      o[H + j] = z;
      o[2 * H + j] = n;
      o[3 * H + j] = hn;
      o[4 * H + j] = (1.0f - z) * n + z * hp[j];
    }
  }
}

/** One sample's units [j0, j1) of a backward step, the mask real: o its packed row, dp its gradient, dh/dc as in recurrent_backward, q its output row. */
struct BwdRow {
  const float* o;
  const float* hp;
  const float* cp;
  const float* dp;
  float* dh;
  float* dc;
  float* q;
  int H, j0, j1;
};

DLF_INLINE void bwd_body(int cell, const BwdRow& a) {
  const int H = a.H;
  // Locals, not the struct's fields: with -fno-strict-aliasing a store through o could change a field, and the loop would not vectorise.
  const int j0 = a.j0, j1 = a.j1;
  const float* __restrict o = a.o;
  const float* __restrict dp = a.dp;
  float* __restrict dh = a.dh;
  float* __restrict dc = a.dc;
  float* __restrict q = a.q;
  if (cell == CELL_RNN) {
    DLF_IVDEP
    for (int j = j0; j < j1; j++) q[j] = dh[j] * (1.0f - o[j] * o[j]);
  } else if (cell == CELL_LSTM) {
    const float* __restrict cp = a.cp;
    DLF_IVDEP
    for (int j = j0; j < j1; j++) {
      const float i = o[j], f = o[H + j], g = o[2 * H + j], og = o[3 * H + j];
      const float tc = ftanh(o[4 * H + j]);
      const float dO = dh[j] * tc + dp[3 * H + j];
      const float dC = dc[j] + dh[j] * og * (1.0f - tc * tc);
      q[j] = (dC * g + dp[j]) * i * (1.0f - i);
      q[H + j] = (dC * cp[j] + dp[H + j]) * f * (1.0f - f);
      q[2 * H + j] = (dC * i + dp[2 * H + j]) * (1.0f - g * g);
      q[3 * H + j] = dO * og * (1.0f - og);
      dc[j] = dC * f;
    }
  } else {
    const float* __restrict hp = a.hp;
    DLF_IVDEP
    for (int j = j0; j < j1; j++) {
      const float r = o[j], z = o[H + j], n = o[2 * H + j], hn = o[3 * H + j];
      const float dN = dh[j] * (1.0f - z) + dp[2 * H + j];
      const float dZ = dh[j] * (hp[j] - n) + dp[H + j];
      const float an = dN * (1.0f - n * n);
      q[j] = (an * hn + dp[j]) * r * (1.0f - r);
      q[H + j] = dZ * z * (1.0f - z);
      q[2 * H + j] = an;
      q[3 * H + j] = an * r + dp[3 * H + j];
      dc[j] = dh[j] * z;
    }
  }
}

void fwd_row_base(int cell, const FwdRow& a) { fwd_body(cell, a); }
void bwd_row_base(int cell, const BwdRow& a) { bwd_body(cell, a); }
#if DLF_X86
DLF_AVX2 void fwd_row_avx2(int cell, const FwdRow& a) { fwd_body(cell, a); }
DLF_AVX2 void bwd_row_avx2(int cell, const BwdRow& a) { bwd_body(cell, a); }
DLF_AVX512 void fwd_row_avx512(int cell, const FwdRow& a) { fwd_body(cell, a); }
DLF_AVX512 void bwd_row_avx512(int cell, const BwdRow& a) { bwd_body(cell, a); }
#endif
void fwd_row(int cell, const FwdRow& a) { DLF_DISPATCH(fwd_row, cell, a); }
void bwd_row(int cell, const BwdRow& a) { DLF_DISPATCH(bwd_row, cell, a); }

struct Scan {
  int cell, B, L, H, G, P, D;
  bool reverse;
  int step(int s) const { return reverse ? L - 1 - s : s; }
};

/** How many threads a step uses, and unit p's range. */
int parts_for(const Scan& s) {
  const double macs = (double)s.B * s.G * s.H;
  if (macs < kThreadedStep) return 1;
  return std::max(1, std::min(threads(), s.H / 8));
}

bool any_real(const float* mask, ptrdiff_t ms, const Scan& s, int t) {
  for (int b = 0; b < s.B; b++)
    if (mask[(ptrdiff_t)b * ms + t] > 0) return true;
  return false;
}

thread_local Scratch fwd_pre;
thread_local Scratch bwd_buf;

}  // namespace

bool recurrent_forward(int cell, const float* xg, const float* whh, const float* bhn, const float* mask, ptrdiff_t ms, float* out, int B,
                       int L, int H, bool reverse) {
  const Scan s{cell, B, L, H, kGates[cell] * H, kPacked[cell] * H, kDgates[cell] * H, reverse};
  const int hOff = s.P - H;
  const int G = s.G;
  const ptrdiff_t rowP = (ptrdiff_t)L * s.P;  // between samples in out
  const ptrdiff_t rowX = (ptrdiff_t)L * G;    // between samples in xg
  // The recurrent products of a step, then a row of zeros (the state before the first step).
  float* pre = fwd_pre.get((size_t)B * G + H);
  if (!pre) return false;
  float* zeros = pre + (ptrdiff_t)B * G;
  std::memset(zeros, 0, sizeof(float) * H);
  const int parts = parts_for(s);
  std::atomic<bool> ok{true};
  for (int si = 0; si < L; si++) {
    const int t = s.step(si);
    const int prev = si > 0 ? s.step(si - 1) : -1;
    const bool real = any_real(mask, ms, s, t);
    auto task = [&](int p) {
      const int j0 = (int)((int64_t)H * p / parts), j1 = (int)((int64_t)H * (p + 1) / parts), nj = j1 - j0;
      if (nj <= 0) return;
      if (real) {
        for (int q = 0; q < kGates[cell]; q++) {
          float* c = pre + q * H + j0;
          if (prev < 0) {
            for (int b = 0; b < B; b++) std::memset(c + (ptrdiff_t)b * G, 0, sizeof(float) * nj);
          } else if (!gemm_strided(B, nj, H, out + (ptrdiff_t)prev * s.P + hOff, rowP, 1, whh + q * H + j0, G, 1, c, G, false)) {
            ok.store(false);
            return;
          }
        }
      }
      for (int b = 0; b < B; b++) {
        float* o = out + b * rowP + (ptrdiff_t)t * s.P;
        const float* po = prev < 0 ? nullptr : out + b * rowP + (ptrdiff_t)prev * s.P;
        if (!(mask[(ptrdiff_t)b * ms + t] > 0)) {
          for (int q = 0; q < s.P / H - 1; q++) std::memset(o + q * H + j0, 0, sizeof(float) * nj);
          for (int j = j0; j < j1; j++) o[hOff + j] = po ? po[hOff + j] : 0.0f;
          if (cell == CELL_LSTM)
            for (int j = j0; j < j1; j++) o[4 * H + j] = po ? po[4 * H + j] : 0.0f;
          continue;
        }
        const FwdRow row{xg + b * rowX + (ptrdiff_t)t * G, pre + (ptrdiff_t)b * G, po ? po + hOff : zeros, po && cell == CELL_LSTM ? po + 4 * H : zeros,
                         bhn, o, H, j0, j1};
        fwd_row(cell, row);
      }
    };
    if (parts <= 1) task(0);
    else parallel_for(parts, task);
    if (!ok) return false;
  }
  return true;
}

bool recurrent_backward(int cell, const float* packed, const float* whh, const float* mask, ptrdiff_t ms, const float* dpacked, float* out,
                        int B, int L, int H, bool reverse) {
  const Scan s{cell, B, L, H, kGates[cell] * H, kPacked[cell] * H, kDgates[cell] * H, reverse};
  const int hOff = s.P - H;
  const int G = s.G, P = s.P, D = s.D;
  const ptrdiff_t rowP = (ptrdiff_t)L * P;
  const ptrdiff_t rowD = (ptrdiff_t)L * D;
  // dh: the total gradient of h at the current step (in place across steps); dc: LSTM: the carry of
  // c's gradient to the step before; GRU: the direct part z·dh of h₋'s gradient; gt: the GEMM.
  // Then a row of zeros (the state before the first step) and whh transposed, [G, H], so that each
  // step's GEMM reads its B operand by rows instead of transposing it again.
  float* buf = bwd_buf.get((size_t)3 * B * H + H + (size_t)G * H);
  if (!buf) return false;
  float* zeros = buf + (ptrdiff_t)3 * B * H;
  std::memset(zeros, 0, sizeof(float) * H);
  float* wt = zeros + H;
  for (int k = 0; k < H; k++)
    for (int c = 0; c < G; c++) wt[(ptrdiff_t)c * H + k] = whh[(ptrdiff_t)k * G + c];
  float* dh = buf;
  float* dc = buf + (ptrdiff_t)B * H;
  float* gt = buf + (ptrdiff_t)2 * B * H;
  std::memset(buf, 0, sizeof(float) * 2 * (size_t)B * H);
  const int parts = parts_for(s);
  std::atomic<bool> ok{true};
  for (int si = L - 1; si >= 0; si--) {
    const int t = s.step(si);
    const int prev = si > 0 ? s.step(si - 1) : -1;
    const int next = si < L - 1 ? s.step(si + 1) : -1;
    const bool gemm = next >= 0 && any_real(mask, ms, s, next);
    auto task = [&](int p) {
      const int j0 = (int)((int64_t)H * p / parts), j1 = (int)((int64_t)H * (p + 1) / parts), nj = j1 - j0;
      if (nj <= 0) return;
      if (gemm) {
        // gt[:, j0:j1] = drec(next) · whhᵀ[:, j0:j1], whhᵀ being wt.
        const float* a = out + (ptrdiff_t)next * D;
        bool done;
        if (cell == CELL_GRU) {
          done = gemm_strided(B, nj, 2 * H, a, rowD, 1, wt + j0, H, 1, gt + j0, H, false) &&
                 gemm_strided(B, nj, H, a + 3 * H, rowD, 1, wt + (ptrdiff_t)2 * H * H + j0, H, 1, gt + j0, H, true);
        } else {
          done = gemm_strided(B, nj, G, a, rowD, 1, wt + j0, H, 1, gt + j0, H, false);
        }
        if (!done) {
          ok.store(false);
          return;
        }
      }
      for (int b = 0; b < B; b++) {
        const bool realNext = next >= 0 && mask[(ptrdiff_t)b * ms + next] > 0;
        const bool realT = mask[(ptrdiff_t)b * ms + t] > 0;
        const float* o = packed + b * rowP + (ptrdiff_t)t * P;
        const float* po = prev < 0 ? nullptr : packed + b * rowP + (ptrdiff_t)prev * P;
        const float* dp = dpacked + b * rowP + (ptrdiff_t)t * P;
        float* q = out + b * rowD + (ptrdiff_t)t * D;
        float* dhb = dh + (ptrdiff_t)b * H;
        float* dcb = dc + (ptrdiff_t)b * H;
        const float* gtb = gt + (ptrdiff_t)b * H;
        // The gradient reaching h_t from later steps: through whh (and GRU's z) if the next step was
        // real, else the carried total (dh and dc start at zero, for the first step processed).
        const float* __restrict dph = dp + hOff;
        if (realNext && cell == CELL_GRU) {
          DLF_IVDEP
          for (int j = j0; j < j1; j++) dhb[j] = dph[j] + (gtb[j] + dcb[j]);
        } else if (realNext) {
          DLF_IVDEP
          for (int j = j0; j < j1; j++) dhb[j] = dph[j] + gtb[j];
        } else {
          DLF_IVDEP
          for (int j = j0; j < j1; j++) dhb[j] = dph[j] + dhb[j];
        }
        if (cell == CELL_LSTM) {
          const float* __restrict dpc = dp + 4 * H;
          DLF_IVDEP
          for (int j = j0; j < j1; j++) dcb[j] = dpc[j] + dcb[j];
        }
        if (!realT) {
          for (int k = 0; k < D / H; k++) std::memset(q + k * H + j0, 0, sizeof(float) * nj);
          continue;
        }
        const BwdRow row{o, po ? po + hOff : zeros, po && cell == CELL_LSTM ? po + 4 * H : zeros, dp, dhb, dcb, q, H, j0, j1};
        bwd_row(cell, row);
      }
    };
    if (parts <= 1) task(0);
    else parallel_for(parts, task);
    if (!ok) return false;
  }
  return true;
}

}  // namespace dlf

using dlf::entry::Checks;
using dlf::entry::Count;

namespace {

/** The checks both scans share: the cell, the sizes, and the buffers every step reads and writes. */
bool check_scan(Checks& in, Count cell, Count B, Count L, Count H, const dlf::entry::F32& whh, const dlf::entry::F32& mask) {
  using dlf::entry::kMaxDim;
  using dlf::entry::mul;
  in.require(cell < dlf::RecurrentCellCount, "cell must be 0 to %d, got %llu", dlf::RecurrentCellCount - 1, (unsigned long long)cell);
  in.require(B < kMaxDim && L < kMaxDim && H < kMaxDim / 8, "batch and steps must be below 2^30, hidden below 2^27");
  if (!in.ok()) return false;
  const Count G = mul(H, (Count)dlf::kGates[cell]);
  in.shape({B, L, H, 8}, "batch × steps × 8·hidden");
  in.holds(whh, mul(H, G), "whh");
  in.holds(mask, L, "mask");  // [B, L], or [1, L] for every sample
  return in.ok();
}

/** Between samples' mask rows: L for a mask of B·L floats, 0 for one row shared by every sample. */
ptrdiff_t mask_stride(const dlf::entry::F32& mask, Count BL, Count L) { return mask.len >= BL ? (ptrdiff_t)L : 0; }

}  // namespace

DLF_ENTRY(recurrentForward) {
  if (!check_scan(in, a.cell, a.batch, a.steps, a.hidden, a.whh, a.mask)) return;
  const Count cell = a.cell, BL = dlf::entry::mul(a.batch, a.steps);
  in.holds(a.xg, dlf::entry::mul(BL, a.hidden * dlf::kGates[cell]), "xg");
  in.holds(a.out, dlf::entry::mul(BL, a.hidden * dlf::kPacked[cell]), "out");
  if (cell == dlf::CELL_GRU) {
    in.require(a.bhn.present, "a GRU needs bhn");
    in.holds(a.bhn, a.hidden, "bhn");
  }
  if (!in.ok() || BL == 0 || a.hidden == 0) return;
  const bool done = dlf::entry::in_kernel_mode([&] {
    return dlf::recurrent_forward((int)cell, a.xg.data, a.whh.data, a.bhn.present ? a.bhn.data : nullptr, a.mask.data, mask_stride(a.mask, BL, a.steps), a.out.data, (int)a.batch,
                                  (int)a.steps, (int)a.hidden, a.reverse);
  });
  if (!done) in.fail(Checks::kError, "out of memory for the scan's buffers");
}

DLF_ENTRY(recurrentBackward) {
  if (!check_scan(in, a.cell, a.batch, a.steps, a.hidden, a.whh, a.mask)) return;
  const Count cell = a.cell, BL = dlf::entry::mul(a.batch, a.steps);
  const Count packed = dlf::entry::mul(BL, a.hidden * dlf::kPacked[cell]);
  in.holds(a.packed, packed, "packed");
  in.holds(a.dpacked, packed, "dpacked");
  in.holds(a.out, dlf::entry::mul(BL, a.hidden * dlf::kDgates[cell]), "out");
  if (!in.ok() || BL == 0 || a.hidden == 0) return;
  const bool done = dlf::entry::in_kernel_mode([&] {
    return dlf::recurrent_backward((int)cell, a.packed.data, a.whh.data, a.mask.data, mask_stride(a.mask, BL, a.steps), a.dpacked.data, a.out.data, (int)a.batch, (int)a.steps,
                                   (int)a.hidden, a.reverse);
  });
  if (!done) in.fail(Checks::kError, "out of memory for the scan's buffers");
}
