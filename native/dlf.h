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

/**
 * Binary op against a per-channel side: side 1 (a) or 2 (b) holds `mid` values, each repeated over
 * `inner` consecutive elements, the pattern repeated n / (mid·inner) times; the other side is full.
 */
void binary_channel(int op, const float* a, const float* b, float* out, size_t n, int side, size_t mid, size_t inner);

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

/** Geometry of a 2-D convolution (kernels.ts Conv2dDims), every field checked by the caller. */
struct ConvGeom {
  int64_t n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl;
};
/**
 * The lowered convolutions of kernels/ts/conv_lowered.ts, sample by sample on the native GEMM, with
 * the same results: out = conv2d(x, w) using col [K, P]; the input gradient using colT [P, K] and
 * idx/val (max(F, P) each); the weight gradient using colT, prod [F, K] and acc [F, K] (double).
 * Return false only when the GEMM could not allocate its packing buffers.
 */
bool conv2d_lowered(const float* x, const float* w, float* out, const ConvGeom& d, float* col);
bool conv2d_grad_input_lowered(const float* grad, const float* w, float* out, const ConvGeom& d, float* col_t, int32_t* idx,
                               double* val);
bool conv2d_grad_weight_lowered(const float* x, const float* grad, float* out, const ConvGeom& d, float* col_t, float* prod,
                                double* acc, int32_t* idx, double* val);

/** Geometry of a 2-D pooling (kernels.ts Pool2dDims); every window must hold a real cell. */
struct PoolGeom {
  int64_t planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl;
};
enum PoolMode { POOL_MAX = 0, POOL_MAX_GRAD, POOL_MAX_PICK, POOL_AVG, POOL_AVG_GRAD };
/**
 * The pooling kernels of kernels/ts/pool.ts by mode: max (a = x), max gradient (a = x, b = grad,
 * out zeroed first), max pick (a = x, b = u), average (a = x), average gradient (a = grad, out
 * zeroed first).
 */
void pool2d(int mode, const float* a, const float* b, float* out, const PoolGeom& d);

}  // namespace dlf

#endif
