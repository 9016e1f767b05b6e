// Shared declarations of the dlf native kernels (the Node-API glue is in addon.cc). Long
// elementwise passes, convolutions, pooling, reductions and large GEMMs spread over threads()
// threads, always so that each value is computed the same way whatever the thread count.
// Every kernel works on the caller's float32 buffers in place and allocates nothing per call
// (the GEMM keeps its packing buffers for the life of the thread).
#ifndef DLF_NATIVE_H
#define DLF_NATIVE_H

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>

// x86-64 with GCC or clang gets the AVX-512 and AVX2 paths (chosen at run time); everything else,
// or a build with -DDLF_NO_SIMD (to check that path compiles), only the portable one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DLF_NO_SIMD)
#define DLF_X86 1
#define DLF_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define DLF_AVX2 __attribute__((target("avx2,fma")))
#endif

/** Forces inlining of the bodies that are compiled once per instruction-set level. */
#if defined(__GNUC__)
#define DLF_INLINE inline __attribute__((always_inline))
#else
#define DLF_INLINE inline
#endif

#if defined(__clang__)
#define DLF_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define DLF_UNROLL _Pragma("GCC unroll 64")
#else
#define DLF_UNROLL
#endif

namespace dlf {

/** A growable 64-byte-aligned float buffer (kept per thread); grows only, so steady-state calls allocate nothing. */
struct Scratch {
  float* data = nullptr;
  size_t cap = 0;
  float* get(size_t n) {
    // A request whose byte count would wrap around size_t gets nothing (the caller reports it).
    if (n > (SIZE_MAX - 63) / sizeof(float)) return nullptr;
    if (n > cap) {
      std::free(data);
      const size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
      cap = data ? bytes / sizeof(float) : 0;
    }
    return data;
  }
  ~Scratch() { std::free(data); }
};

/** What the CPU offers and what the addon chose; filled once by init_cpu(). */
struct CpuInfo {
  bool x86;
  bool avx512f;
  bool avx512vl;
  bool avx2;
  bool fma;
  /** The instruction-set level every kernel dispatches on: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable C. */
  int level;
};

/** Detects the CPU and picks the dispatch level (capped by max_level); leaves the calling thread's floating-point mode alone. */
void init_cpu(int max_level);
const CpuInfo& cpu();

/** Calls NAME_avx512, NAME_avx2 or NAME_base (instantiated per CPU level) by the level chosen at start-up. */
#if DLF_X86
#define DLF_DISPATCH(NAME, ...)                        \
  do {                                                 \
    const int level = cpu().level;                     \
    if (level >= 2) return NAME##_avx512(__VA_ARGS__); \
    if (level == 1) return NAME##_avx2(__VA_ARGS__);   \
    return NAME##_base(__VA_ARGS__);                   \
  } while (0)
#else
#define DLF_DISPATCH(NAME, ...) return NAME##_base(__VA_ARGS__)
#endif
/** DLF_DISPATCH as a statement that calls without returning (inside a lambda, say). */
#if DLF_X86
#define DLF_DISPATCH_CALL(NAME, ...)           \
  do {                                         \
    const int level_ = cpu().level;            \
    if (level_ >= 2) NAME##_avx512(__VA_ARGS__); \
    else if (level_ == 1) NAME##_avx2(__VA_ARGS__); \
    else NAME##_base(__VA_ARGS__);             \
  } while (0)
#else
#define DLF_DISPATCH_CALL(NAME, ...) NAME##_base(__VA_ARGS__)
#endif
/** Lowers (or restores) the dispatch level, capped by what the CPU has; returns the level in force. */
int set_level(int level);
/** The highest level the CPU supports. */
int max_level();
/** Switches on flush-to-zero and denormals-are-zero for the calling thread (the workers, for their whole life). */
void set_flush_to_zero();
/** Reads the FTZ/DAZ bits of the calling thread (they are per thread). */
void read_ftz(bool* ftz, bool* daz);

/**
 * For the life of a scope, the calling thread computes as the workers do, with flush-to-zero and
 * denormals-are-zero (denormals are slow and training never needs them); at its end the thread's
 * floating-point control register (MXCSR, status flags included, or FPCR on arm64) is put back as
 * it was. Every kernel call runs inside one: the calling thread computes part of each threaded
 * kernel, so results do not depend on the thread count, while the caller's own arithmetic (Node's
 * main thread, where JavaScript runs) keeps IEEE denormals outside the calls.
 */
class KernelFpMode {
 public:
  KernelFpMode();
  ~KernelFpMode();
  KernelFpMode(const KernelFpMode&) = delete;
  KernelFpMode& operator=(const KernelFpMode&) = delete;

 private:
  uint64_t saved_;
};

/**
 * Matrix multiply per MatmulDims: out[b] = op(A[b]) · op(B[b]), A m×k and B k×n after the transposes.
 * Returns false only when the packing buffers could not be allocated.
 */
bool matmul(const float* a, const float* b, float* out, int batch, int m, int n, int k, bool trans_a, bool trans_b,
            ptrdiff_t stride_a, ptrdiff_t stride_b);
/**
 * C (m×n, row stride ldc) = [C +] A · B, with A(i, p) = a[i·a_rs + p·a_ks] and B(p, j) = b[p·b_ks + j·b_js]
 * (any strides, so transposes and column-matrix views need no copy). Each element of C is summed
 * in the same order whatever m, n and its place in C, so a caller may split C's rows or columns
 * among threads and get the same bits. Returns false only when the packing buffers could not be
 * allocated (they are per thread).
 */
bool gemm_strided(int m, int n, int k, const float* a, ptrdiff_t a_rs, ptrdiff_t a_ks, const float* b, ptrdiff_t b_ks,
                  ptrdiff_t b_js, float* c, ptrdiff_t ldc, bool accumulate);
/** Name of the GEMM micro-kernel the current dispatch level uses, e.g. "avx512 8x32". */
const char* gemm_kernel_name();
/** Selects the GEMM micro-kernel for a level (0, 1 or 2); called by init_cpu. */
void gemm_select(int level);

// The op codes of kernels.def: enum BinaryOp { OP_ADD, ..., BinaryOpCount }, UnaryOp, PoolMode.
#define DLF_ENUM(type, ...) enum type { __VA_ARGS__, type##Count };
#define DLF_KERNEL(...)
#define DLF_INFO(...)
#include "kernels.def"
#undef DLF_INFO
#undef DLF_KERNEL
#undef DLF_ENUM

/**
 * Broadcasting binary op. `sa`/`sb` are 0 or 1 (a scalar side or a full side); `row` > 0 makes the
 * side whose step is 1 and that is named by `row_side` ('a' = 1, 'b' = 2) repeat every `row` elements.
 */
void binary(int op, const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row, int row_side);

/**
 * Binary op against a per-channel side: side 1 (a) or 2 (b) holds `mid` values, each repeated over
 * `inner` consecutive elements, the pattern repeated n / (mid·inner) times; the other side is full.
 */
void binary_channel(int op, const float* a, const float* b, float* out, size_t n, int side, size_t mid, size_t inner);

void unary(int op, const float* x, float* out, size_t n, double p);
/** out = g · [x > 0]: relu's gradient mask. */
void mask_positive(const float* g, const float* x, float* out, size_t n);

void sgd_step(float* w, const float* g, size_t n, double lr);
void momentum_step(float* w, const float* g, float* buf, size_t n, double lr, double mu, bool nesterov);
void adagrad_step(float* w, const float* g, float* sum, size_t n, double lr, double eps);
void rmsprop_step(float* w, const float* g, float* sq, float* buf, size_t n, double lr, double rho, double mu, double eps);
void adam_step(float* w, const float* g, float* m, float* v, size_t n, double b1, double b2, double lr_t, double eps_t);
void decay_step(float* w, size_t n, double rate);
void penalty_grad(const float* w, float* g, size_t n, double l1, double l2);

/**
 * out[m] = the sum (mean: the sum, rounded to float, times 1 / (outer·inner)) of x viewed as
 * [outer, mid, inner] over o and i, in double in a fixed order (reduce.cc).
 */
void reduce_block(bool mean, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner);

/** Softmax (or log-softmax) of each row of x [rows, cols] (rows.cc). */
void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols, bool log);
/** out[r] = logsumexp(logits row r) − logits[r, labels[r]], NaN for a label that is not a class index. */
void softmax_xent_rows(const float* logits, const float* labels, float* out, int64_t rows, int64_t cols);

/**
 * The recurrent scans (recurrent.cc; layouts in src/kernels/ts/recurrent.ts): cell a RecurrentCell,
 * bhn GRU's candidate bias (null for the others), mask_stride the floats between samples' mask rows (0: one
 * row for all). Return false only when a buffer could not be allocated.
 */
bool recurrent_forward(int cell, const float* xg, const float* whh, const float* bhn, const float* mask, ptrdiff_t mask_stride, float* out,
                       int batch, int steps, int hidden, bool reverse);
bool recurrent_backward(int cell, const float* packed, const float* whh, const float* mask, ptrdiff_t mask_stride, const float* dpacked,
                        float* out, int batch, int steps, int hidden, bool reverse);

/** A task of parallel_for: task number t of the job, with the caller's context. */
using TaskFn = void (*)(void* ctx, int task);
/**
 * Runs fn(ctx, t) for every t < tasks on the calling thread and up to threads() − 1 workers, and
 * returns when all are done. Tasks must write disjoint outputs; each runs on one thread.
 */
void parallel_for(int tasks, TaskFn fn, void* ctx);
/** parallel_for over a callable f(t). */
template <class F>
void parallel_for(int tasks, F& f) {
  parallel_for(tasks, [](void* c, int t) { (*static_cast<F*>(c))(t); }, &f);
}
/** Sets the thread count (1 to 16; the workers start at once and live as long as the process); returns it. */
int set_threads(int n);
int threads();
/** The CPU's hardware threads, capped at 16. */
int hardware_threads();

/**
 * Runs f(begin, end) over [0, n): on one thread below `min` elements, else in bands of whole
 * `unit`s on the threads. Every element is computed alike wherever its band falls.
 */
template <class F>
void split(size_t n, size_t unit, size_t min, F f) {
  const size_t units = (n + unit - 1) / unit;
  const int parts = n >= min ? (int)std::min<size_t>(units, (size_t)threads()) : 1;
  if (parts <= 1) return f((size_t)0, n);
  auto task = [&](int t) {
    const size_t b = units * t / parts * unit, e = std::min(n, units * (t + 1) / parts * unit);
    if (b < e) f(b, e);
  };
  parallel_for(parts, task);
}

/** x op y for a BinaryOp, one float32 operation. */
template <int OP>
DLF_INLINE float apply(float x, float y) {
  if (OP == OP_ADD) return x + y;
  if (OP == OP_SUB) return x - y;
  if (OP == OP_MUL) return x * y;
  if (OP == OP_DIV) return x / y;
  return x == y ? 1.0f : 0.0f;
}

/** Geometry of a 2-D convolution (kernels.ts Conv2dDims), every field checked by the caller. */
struct ConvGeom {
  int64_t n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl;
};
/**
 * The convolutions (conv.cc): out = conv2d(x, w), and with a bias, out = act(conv2d(x, w) + bias[f])
 * (act relu or none) as the separate add and relu kernels compute it; out = its input gradient from grad; out = its
 * weight gradient from x and grad. Spread over threads() threads with results independent of the
 * thread count. Return false only when a GEMM packing or column buffer could not be allocated.
 */
bool conv2d(const float* x, const float* w, float* out, const ConvGeom& d, const float* bias = nullptr, bool relu = false);
/** The most floats a convolution may ask for in one scratch buffer (its column matrix or padded sample): 8 GiB. */
constexpr uint64_t kMaxConvScratch = uint64_t(1) << 31;
/**
 * Whether the scratch buffers the convolutions take per thread for this geometry (the column
 * matrix, c·kh·kw × oh·ow, and the zero-padded sample) stay within kMaxConvScratch floats each;
 * computed without overflow for any non-negative geometry below 2^31.
 */
bool conv_scratch_fits(const ConvGeom& d);
bool conv2d_grad_input(const float* grad, const float* w, float* out, const ConvGeom& d);
bool conv2d_grad_weight(const float* x, const float* grad, float* out, const ConvGeom& d);

/** Geometry of a 2-D pooling (kernels.ts Pool2dDims); every window must hold a real cell. */
struct PoolGeom {
  int64_t planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl;
};
/**
 * The pooling kernels of kernels/ts/pool.ts (pooling.cc) by mode: max (a = x), max gradient (a = x, b = grad,
 * out zeroed first), max pick (a = x, b = u), average (a = x), average gradient (a = grad, out
 * zeroed first).
 */
void pool2d(int mode, const float* a, const float* b, float* out, const PoolGeom& d);

}  // namespace dlf

#endif
