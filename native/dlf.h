// Shared declarations of the dlf native kernels (the Node-API glue is in addon.cc).
// Every kernel works on the caller's float32 buffers in place and allocates nothing per call
// (the GEMM keeps its packing buffers for the life of the thread).
#ifndef DLF_NATIVE_H
#define DLF_NATIVE_H

#include <cstddef>
#include <cstdint>

// x86-64 with GCC or clang gets the AVX-512 and AVX2 paths (chosen at run time); everything else,
// or a build with -DDLF_NO_SIMD (to check that path compiles), only the portable one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DLF_NO_SIMD)
#define DLF_X86 1
#define DLF_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define DLF_AVX2 __attribute__((target("avx2,fma")))
#endif

#if defined(__clang__)
#define DLF_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define DLF_UNROLL _Pragma("GCC unroll 64")
#else
#define DLF_UNROLL
#endif

namespace dlf {

/** What the CPU offers and what the addon chose; filled once by init_cpu(). */
struct CpuInfo {
  bool x86;
  bool avx512f;
  bool avx512vl;
  bool avx2;
  bool fma;
  /** The instruction-set level every kernel dispatches on: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable C. */
  int level;
  /** Whether flush-to-zero and denormals-are-zero were switched on for the loading thread. */
  bool ftz;
  bool daz;
};

/** Detects the CPU, picks the dispatch level (capped by max_level) and sets FTZ/DAZ on this thread. */
void init_cpu(int max_level);
const CpuInfo& cpu();
/** Lowers (or restores) the dispatch level, capped by what the CPU has; returns the level in force. */
int set_level(int level);
/** The highest level the CPU supports. */
int max_level();
/** Re-reads the FTZ/DAZ bits of the calling thread (they are per thread). */
void read_ftz(bool* ftz, bool* daz);

/**
 * Matrix multiply per MatmulDims: out[b] = op(A[b]) · op(B[b]), A m×k and B k×n after the transposes.
 * Returns false only when the packing buffers could not be allocated.
 */
bool matmul(const float* a, const float* b, float* out, int batch, int m, int n, int k, bool trans_a, bool trans_b,
            ptrdiff_t stride_a, ptrdiff_t stride_b);
/** Name of the GEMM micro-kernel the current dispatch level uses, e.g. "avx512 8x32". */
const char* gemm_kernel_name();
/** Selects the GEMM micro-kernel for a level (0, 1 or 2); called by init_cpu. */
void gemm_select(int level);

enum BinaryOp { OP_ADD = 0, OP_SUB, OP_MUL, OP_DIV, OP_EQ };
/**
 * Broadcasting binary op. `sa`/`sb` are 0 or 1 (a scalar side or a full side); `row` > 0 makes the
 * side whose step is 1 and that is named by `row_side` ('a' = 1, 'b' = 2) repeat every `row` elements.
 */
void binary(int op, const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row, int row_side);

enum UnaryOp {
  U_NEG = 0, U_EXP, U_LOG, U_SQRT, U_POW, U_RELU, U_LEAKY_RELU, U_SIGMOID, U_TANH, U_STEP, U_ABS, U_SIGN
};
void unary(int op, const float* x, float* out, size_t n, double p);

void sgd_step(float* w, const float* g, size_t n, double lr);
void momentum_step(float* w, const float* g, float* buf, size_t n, double lr, double mu, bool nesterov);
void adagrad_step(float* w, const float* g, float* sum, size_t n, double lr, double eps);
void rmsprop_step(float* w, const float* g, float* sq, float* buf, size_t n, double lr, double rho, double mu, double eps);
void adam_step(float* w, const float* g, float* m, float* v, size_t n, double b1, double b2, double lr_t, double eps_t);
void decay_step(float* w, size_t n, double rate);
void penalty_grad(const float* w, float* g, size_t n, double l1, double l2);

}  // namespace dlf

#endif
