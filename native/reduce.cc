// Sums and means over the first and last axes of x viewed as [outer, mid, inner] (ReducePlan.block
// in kernels.ts): out[m] = Σ over o, i of x[(o·mid + m)·inner + i], the per-channel sum that every
// convolution's bias gradient takes. Each output is summed in double in eight lanes (element i of
// a run goes to lane i mod 8), the lanes added pairwise at the end: a fixed order, so the same bits
// whatever the thread count, and within rounding of the reference's one running double sum (after
// rounding to float32 they almost always agree exactly). Outputs are split among the threads.
#include <algorithm>

#include "dlf.h"

namespace dlf {
namespace {

typedef float v8f __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

DLF_INLINE double sum_channel_body(const float* x, int64_t outer, int64_t stride, int64_t inner) {
  v8d acc = v8d{} + 0.0;
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t o = 0; o < outer; o++) {
    const float* r = x + o * stride;
    int64_t i = 0;
    for (; i + 8 <= inner; i += 8) {
      v8f v;
      __builtin_memcpy(&v, r + i, sizeof v);
      acc += __builtin_convertvector(v, v8d);
    }
    for (; i < inner; i++) lane[i % 8] += r[i];
  }
  for (int j = 0; j < 8; j++) lane[j] += acc[j];
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

double sum_channel_base(const float* x, int64_t outer, int64_t stride, int64_t inner) {
  return sum_channel_body(x, outer, stride, inner);
}
#if DLF_X86
DLF_AVX2 double sum_channel_avx2(const float* x, int64_t outer, int64_t stride, int64_t inner) {
  return sum_channel_body(x, outer, stride, inner);
}
DLF_AVX512 double sum_channel_avx512(const float* x, int64_t outer, int64_t stride, int64_t inner) {
  return sum_channel_body(x, outer, stride, inner);
}
#endif

double sum_channel(const float* x, int64_t outer, int64_t stride, int64_t inner) {
  DLF_DISPATCH(sum_channel, x, outer, stride, inner);
}

/** Below this many elements a reduction stays on the calling thread. */
constexpr int64_t kParallelMin = 1 << 15;

}  // namespace

void reduce_block(bool mean, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner) {
  // With no element per run there is nothing to walk, however many runs `outer` says there are.
  if (inner == 0) outer = 0;
  const int64_t stride = mid * inner;
  const int parts = outer * mid * inner >= kParallelMin ? (int)std::min<int64_t>(mid, threads()) : 1;
  auto task = [&](int t) {
    for (int64_t m = mid * t / parts, end = mid * (t + 1) / parts; m < end; m++) {
      const float s = (float)sum_channel(x + m * inner, outer, stride, inner);
      // As the reference: the float32 sum, then scaled by 1 / count in double.
      out[m] = mean ? (float)((double)s * (1.0 / (double)(outer * inner))) : s;
    }
  };
  parallel_for(parts, task);
}

}  // namespace dlf
