// Row-wise kernels: softmax, log-softmax, the fused softmax cross-entropy and the mean squared
// error (mse, whose per-row sums give the same bits as the reference) over [rows, cols],
// computed like the reference (kernels/ts/rows.ts): the row maximum, then sums of exp(x − max) in
// double, one row after another in order. exp and log come from the C library, which may round the
// last bit of a double differently from JavaScript's Math.exp; after rounding to float32 the two
// almost always agree, and each backend is deterministic. Long calls split their rows over threads.
// Below them, the sums over a batch's rows (columnSums), a batch of byte-stored images read
// through a table (byteRows) and copies of runs of contiguous elements (copyRows). mse,
// columnSums, byteRows and copyRows are each their line in kernels.def and its DLF_ENTRY body at
// the end of this file, and nothing else names it on the native side; so are gather and binaryOffsets (the
// offset tables of a transpose, a broadcast_to and a general broadcast), whose bodies close the file.
#include <algorithm>
#include <cmath>

#include "entry.h"

#if DLF_X86
#include <immintrin.h>
#endif

namespace dlf {
namespace {

/** Below this many elements a row kernel stays on the calling thread. */
constexpr int64_t kParallelMin = 1 << 14;

/** Runs f(r0, r1) over row bands of [0, rows). */
template <class F>
void by_rows(int64_t rows, int64_t cols, F f) {
  const int parts = rows * cols >= kParallelMin ? (int)std::min<int64_t>(rows, threads()) : 1;
  auto task = [&](int t) { f(rows * t / parts, rows * (t + 1) / parts); };
  parallel_for(parts, task);
}

/**
 * exp(d) for d = x − max ≤ 0: the C library's value, but no call below −746, where it is +0
 * whatever library rounds it (e^−745.14 is under half the least subnormal double). A causal or
 * padding mask puts half of attention's scores at −1e9 below the row's maximum; their exp
 * cost as much as the rest.
 */
inline double exp_below_max(double d) { return d < -746.0 ? 0.0 : std::exp(d); }

/**
 * The row's maximum (NaN-blind, as the reference's `>` test) and Σ exp(x − max) in double; with
 * `e`, each exp(x − max) is kept there too.
 */
inline void max_and_sum(const float* x, int64_t cols, double* m_out, double* s_out, double* e = nullptr) {
  double m = -INFINITY;
  for (int64_t c = 0; c < cols; c++)
    if (x[c] > m) m = x[c];
  double s = 0;
  if (e)
    for (int64_t c = 0; c < cols; c++) s += (e[c] = exp_below_max((double)x[c] - m));
  else
    for (int64_t c = 0; c < cols; c++) s += exp_below_max((double)x[c] - m);
  *m_out = m;
  *s_out = s;
}

}  // namespace

/** Rows up to this long keep their exp(x − max) for the normalisation (one exp per element, not two). */
constexpr int64_t kSoftmaxKeep = 1024;

void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  by_rows(rows, cols, [&](int64_t r0, int64_t r1) {
    double e[kSoftmaxKeep];
    // Rows short enough keep their exps, so the normalisation takes no second exp (same bits).
    const bool keep = !log && cols <= kSoftmaxKeep;
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * cols;
      float* o = out + r * cols;
      double m, s;
      max_and_sum(xr, cols, &m, &s, keep ? e : nullptr);
      if (log) {
        const double lse = m + std::log(s);
        for (int64_t c = 0; c < cols; c++) o[c] = (float)((double)xr[c] - lse);
      } else {
        const double inv = 1 / s;
        if (keep)
          for (int64_t c = 0; c < cols; c++) o[c] = (float)(e[c] * inv);
        else
          for (int64_t c = 0; c < cols; c++) o[c] = (float)(exp_below_max((double)xr[c] - m) * inv);
      }
    }
  });
}

/** out[r] = the mean over c of (a[r, c] − b[r, c])², each row summed in double in order, as rows.ts mse. */
void mse_rows(const float* a, const float* b, float* out, int64_t rows, int64_t cols) {
  by_rows(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* x = a + r * cols;
      const float* y = b + r * cols;
      double s = 0;
      for (int64_t c = 0; c < cols; c++) {
        const double e = (double)x[c] - (double)y[c];
        s += e * e;
      }
      out[r] = (float)(s / (double)cols);
    }
  });
}

void softmax_xent_rows(const float* logits, const float* labels, float* out, int64_t rows, int64_t cols) {
  by_rows(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = logits + r * cols;
      double m, s;
      max_and_sum(xr, cols, &m, &s);
      const double y = labels[r];
      out[r] = y >= 0 && y < (double)cols && y == std::floor(y) ? (float)(m + std::log(s) - (double)xr[(int64_t)y]) : NAN;
    }
  });
}

}  // namespace dlf

// ---- sums over the leading axis, and rows of bytes read through a table ----

namespace dlf {
namespace {

/**
 * out[c] = Σ (float) x[r·cols + c] for r in [0, rows), in row order, over columns [c0, c1). The
 * running sums live in a block of the thread's own stack, not in out: two threads' bands of out
 * may share a cache line, which every row's store would otherwise pass back and forth.
 */
DLF_INLINE void column_sums_body(const float* __restrict x, float* __restrict out, int64_t rows, int64_t cols, int64_t c0, int64_t c1) {
  constexpr int64_t kBlock = 256;
  alignas(64) float acc[kBlock];
  for (int64_t b0 = c0; b0 < c1; b0 += kBlock) {
    const int64_t w = std::min(kBlock, c1 - b0);
    for (int64_t c = 0; c < w; c++) acc[c] = 0.0f;
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * cols + b0;
      for (int64_t c = 0; c < w; c++) acc[c] += xr[c];
    }
    for (int64_t c = 0; c < w; c++) out[b0 + c] = acc[c];
  }
}

void column_sums_base(const float* x, float* out, int64_t rows, int64_t cols, int64_t c0, int64_t c1) {
  column_sums_body(x, out, rows, cols, c0, c1);
}
#if DLF_X86
DLF_AVX2 void column_sums_avx2(const float* x, float* out, int64_t rows, int64_t cols, int64_t c0, int64_t c1) {
  column_sums_body(x, out, rows, cols, c0, c1);
}
DLF_AVX512 void column_sums_avx512(const float* x, float* out, int64_t rows, int64_t cols, int64_t c0, int64_t c1) {
  column_sums_body(x, out, rows, cols, c0, c1);
}
#endif

/** Below this many elements a column sum stays on the calling thread. */
constexpr int64_t kColumnParallelMin = 1 << 17;
/** The same for a byte-row read, whose rows are scattered in memory (each waits on its own cache misses). */
constexpr int64_t kByteRowsParallelMin = 1 << 15;

/** out[c] = Σ (or the mean) over r of x [rows, cols], summed in float in row order (the reference's innerKept order). */
void column_sums(bool mean, const float* x, float* out, int64_t rows, int64_t cols) {
  // Bands of whole 16-column blocks: each column is summed alone, in row order, wherever it falls.
  const int64_t blocks = (cols + 15) / 16;
  const int parts = rows * cols >= kColumnParallelMin ? (int)std::min<int64_t>(blocks, threads()) : 1;
  const double inv = 1.0 / (double)rows;
  auto task = [&](int t) {
    const int64_t c0 = std::min(cols, blocks * t / parts * 16), c1 = std::min(cols, blocks * (t + 1) / parts * 16);
    if (c0 >= c1) return;
    DLF_DISPATCH_CALL(column_sums, x, out, rows, cols, c0, c1);
    if (mean)
      for (int64_t c = c0; c < c1; c++) out[c] = (float)((double)out[c] * inv);
  };
  parallel_for(parts, task);
}

/** o[c] = table[s[c]] for c < size. */
void byte_row_base(const uint8_t* s, const float* table, float* o, int64_t size) {
  for (int64_t c = 0; c < size; c++) o[c] = table[s[c]];
}
#if DLF_X86
/** The same sixteen (eight) at a time: the bytes widened to indices, the floats gathered from the table. */
DLF_AVX512 void byte_row_avx512(const uint8_t* s, const float* table, float* o, int64_t size) {
  int64_t c = 0;
  for (; c + 16 <= size; c += 16) {
    const __m512i idx = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + c)));
    _mm512_storeu_ps(o + c, _mm512_i32gather_ps(idx, table, 4));
  }
  for (; c < size; c++) o[c] = table[s[c]];
}
DLF_AVX2 void byte_row_avx2(const uint8_t* s, const float* table, float* o, int64_t size) {
  int64_t c = 0;
  for (; c + 8 <= size; c += 8) {
    const __m256i idx = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s + c)));
    _mm256_storeu_ps(o + c, _mm256_i32gather_ps(table, idx, 4));
  }
  for (; c < size; c++) o[c] = table[s[c]];
}
#endif

/** out[r·size + c] = table[bytes[rows[r]·size + c]] for r < count: images stored as bytes, read as floats. */
void byte_rows(const uint8_t* bytes, const int32_t* rows, int64_t count, int64_t size, const float* table, float* out) {
  const int parts = count * size >= kByteRowsParallelMin ? (int)std::min<int64_t>(count, threads()) : 1;
  auto task = [&](int t) {
    const int64_t r0 = count * t / parts, r1 = count * (t + 1) / parts;
    for (int64_t r = r0; r < r1; r++) {
      // The rows lie anywhere in the store: the next one is fetched while this one is read.
      if (r + 1 < r1) {
        const uint8_t* next = bytes + (int64_t)rows[r + 1] * size;
        for (int64_t c = 0; c < size; c += 64) __builtin_prefetch(next + c);
      }
      DLF_DISPATCH_CALL(byte_row, bytes + (int64_t)rows[r] * size, table, out + r * size, size);
    }
  };
  parallel_for(parts, task);
}

}  // namespace
}  // namespace dlf

DLF_ENTRY(columnSums) {
  in.holds(a.x, in.shape({a.rows, a.cols}, "rows × cols"), "x");
  in.holds(a.out, a.cols, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { column_sums(a.mean, a.x.data, a.out.data, (int64_t)a.rows, (int64_t)a.cols); });
}

DLF_ENTRY(byteRows) {
  const Count count = a.rows.len, size = a.size;
  in.holds(a.table, 256, "table");
  in.holds(a.out, in.shape({count, size}, "rows × size"), "out");
  if (!in.ok() || count == 0 || size == 0) return;
  // Every row read must lie inside bytes.
  const Count images = a.bytes.len / size;
  for (Count r = 0; r < count; r++) {
    const int32_t row = a.rows.data[r];
    if (!in.require(row >= 0 && (Count)row < images, "rows[%llu] = %d is not an image of bytes (it holds %llu of %llu bytes each)",
                    (unsigned long long)r, (int)row, (unsigned long long)images, (unsigned long long)size))
      return;
  }
  in_kernel_mode([&] { byte_rows(a.bytes.data, a.rows.data, (int64_t)count, (int64_t)size, a.table.data, a.out.data); });
}

DLF_ENTRY(copyRows) {
  const Count runs = a.src.len, len = a.len;
  if (!in.require(a.dst.len >= runs, "dst holds %llu runs, src %llu", (unsigned long long)a.dst.len, (unsigned long long)runs)) return;
  if (runs == 0 || len == 0) return;
  for (Count r = 0; r < runs; r++) {
    const int32_t s = a.src.data[r], d = a.dst.data[r];
    if (!in.require(s >= 0 && (Count)s + len <= a.x.len, "run %llu reads x[%d .. %d + %llu) beyond its %llu floats", (unsigned long long)r, (int)s, (int)s,
                    (unsigned long long)len, (unsigned long long)a.x.len))
      return;
    if (!in.require(d >= 0 && (Count)d + len <= a.out.len, "run %llu writes out[%d .. %d + %llu) beyond its %llu floats", (unsigned long long)r, (int)d,
                    (int)d, (unsigned long long)len, (unsigned long long)a.out.len))
      return;
  }
  in_kernel_mode([&] {
    const float* x = a.x.data;
    float* out = a.out.data;
    const int32_t* src = a.src.data;
    const int32_t* dst = a.dst.data;
    const int64_t n = (int64_t)len;
    by_rows((int64_t)runs, n, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) std::copy(x + src[r], x + src[r] + n, out + dst[r]);
    });
  });
}

DLF_ENTRY(mse) {
  const Count n = in.shape({a.rows, a.cols}, "rows × cols");
  in.holds(a.a, n, "a");
  in.holds(a.b, n, "b");
  in.holds(a.out, a.rows, "out");
  if (!in.ok() || a.rows == 0) return;
  in_kernel_mode([&] { dlf::mse_rows(a.a.data, a.b.data, a.out.data, (int64_t)a.rows, (int64_t)a.cols); });
}

// ---- gathers through a table of offsets (transpose, broadcast_to) and the broadcasting binary
// ops that have no simpler form (a `general` BroadcastPlan) ----

namespace dlf {
namespace {

/** Below this many elements a gather stays on the calling thread (a wake-up costs more). */
constexpr int64_t kGatherParallelMin = 1 << 15;

/** Runs f(i0, i1) over bands of [0, n), 16 elements a unit (split, with the gathers' threshold). */
template <class F>
void by_bands(int64_t n, F f) {
  split((size_t)n, 16, (size_t)kGatherParallelMin, [&](size_t i0, size_t i1) { f((int64_t)i0, (int64_t)i1); });
}

/** The smallest and largest of n offsets (0 and 0 when there are none). */
void offset_range(const int32_t* off, int64_t n, int32_t* lo, int32_t* hi) {
  int32_t a = n > 0 ? off[0] : 0, b = a;
  for (int64_t i = 0; i < n; i++) {
    a = off[i] < a ? off[i] : a;
    b = off[i] > b ? off[i] : b;
  }
  *lo = a;
  *hi = b;
}

template <int OP>
void binary_offsets_op(const float* a, const float* b, float* out, const int32_t* ao, const int32_t* bo, int64_t n) {
  by_bands(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) out[i] = apply<OP>(a[ao[i]], b[bo[i]]);
  });
}

}  // namespace
}  // namespace dlf

// Whether the n offsets `off` (named `what`) all index the len floats of `into`; says which does not when one does not.
static bool offsets_within(dlf::entry::Checks& in, const int32_t* off, uint64_t n, uint64_t len, const char* what, const char* into) {
  int32_t lo, hi;
  dlf::offset_range(off, (int64_t)n, &lo, &hi);
  return in.require(lo >= 0 && (uint64_t)hi < len, "%s holds offset %d, outside %s's %llu floats", what, lo < 0 ? (int)lo : (int)hi, into,
                    (unsigned long long)len);
}

// out[i] = x[src[i]] for i < src.len: the same values as the reference's gather.
DLF_ENTRY(gather) {
  const Count n = a.src.len;
  in.holds(a.out, n, "out");
  if (!in.ok() || n == 0) return;
  if (!offsets_within(in, a.src.data, n, a.x.len, "src", "x")) return;
  in_kernel_mode([&] {
    const float* x = a.x.data;
    const int32_t* src = a.src.data;
    float* out = a.out.data;
    dlf::by_bands((int64_t)n, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) out[i] = x[src[i]];
    });
  });
}

// out[i] = a[aOff[i]] op b[bOff[i]] for i < aOff.len (op a BinaryOp), each a float32 operation as in binary.
DLF_ENTRY(binaryOffsets) {
  const Count n = a.aOff.len;
  if (!in.require(a.bOff.len >= n, "bOff holds %llu offsets, aOff %llu", (unsigned long long)a.bOff.len, (unsigned long long)n)) return;
  if (!in.require(a.op <= dlf::OP_EQ, "op %llu is not a BinaryOp", (unsigned long long)a.op)) return;
  in.holds(a.out, n, "out");
  if (!in.ok() || n == 0) return;
  if (!offsets_within(in, a.aOff.data, n, a.a.len, "aOff", "a") || !offsets_within(in, a.bOff.data, n, a.b.len, "bOff", "b")) return;
  in_kernel_mode([&] {
    const float* x = a.a.data;
    const float* y = a.b.data;
    float* out = a.out.data;
    const int32_t* ao = a.aOff.data;
    const int32_t* bo = a.bOff.data;
    const int64_t m = (int64_t)n;
    switch (a.op) {
      case dlf::OP_ADD: return dlf::binary_offsets_op<dlf::OP_ADD>(x, y, out, ao, bo, m);
      case dlf::OP_SUB: return dlf::binary_offsets_op<dlf::OP_SUB>(x, y, out, ao, bo, m);
      case dlf::OP_MUL: return dlf::binary_offsets_op<dlf::OP_MUL>(x, y, out, ao, bo, m);
      case dlf::OP_DIV: return dlf::binary_offsets_op<dlf::OP_DIV>(x, y, out, ao, bo, m);
      default: return dlf::binary_offsets_op<dlf::OP_EQ>(x, y, out, ao, bo, m);
    }
  });
}
