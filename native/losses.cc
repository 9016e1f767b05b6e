// Per-row losses over [rows, cols], computed as the reference computes them (kernels/ts/rows.ts):
// each row summed in double, in order, with no contraction, so the results are the same bits (for
// inputs that are not float32 denormals, which the kernels flush to zero). Long calls split their
// rows over threads; a row is never split, so the thread count changes nothing. Each function here
// is its line in kernels.def and its DLF_ENTRY body: nothing else names it on the native side.
#include <algorithm>

#include "entry.h"

namespace {

/** Below this many elements a call stays on the calling thread. */
constexpr int64_t kParallelMin = 1 << 14;

/** out[r] = the mean over c of (a[r, c] − b[r, c])², as rows.ts mse. */
void mse_rows(const float* a, const float* b, float* out, int64_t rows, int64_t cols) {
  const int parts = rows * cols >= kParallelMin ? (int)std::min<int64_t>(rows, dlf::threads()) : 1;
  auto task = [&](int t) {
    const int64_t r1 = rows * (t + 1) / parts;
    for (int64_t r = rows * t / parts; r < r1; r++) {
      const float* x = a + r * cols;
      const float* y = b + r * cols;
      double s = 0;
      for (int64_t c = 0; c < cols; c++) {
        const double e = (double)x[c] - (double)y[c];
        s += e * e;
      }
      out[r] = (float)(s / (double)cols);
    }
  };
  dlf::parallel_for(parts, task);
}

}  // namespace

DLF_ENTRY(mse) {
  const Count n = in.shape({a.rows, a.cols}, "rows × cols");
  in.holds(a.a, n, "a");
  in.holds(a.b, n, "b");
  in.holds(a.out, a.rows, "out");
  if (!in.ok() || a.rows == 0) return;
  in_kernel_mode([&] { mse_rows(a.a.data, a.b.data, a.out.data, (int64_t)a.rows, (int64_t)a.cols); });
}
