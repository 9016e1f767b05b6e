// CPU feature detection, the dispatch level, and the floating-point mode the kernels compute in
// (flush-to-zero / denormals-are-zero).
#include "dlf.h"

#if DLF_X86
#include <immintrin.h>
#endif

namespace dlf {
namespace {
CpuInfo info{};
int detected_level = 0;
}

const CpuInfo& cpu() { return info; }

void read_ftz(bool* ftz, bool* daz) {
#if DLF_X86
  const unsigned csr = _mm_getcsr();
  *ftz = (csr & 0x8000) != 0;  // MXCSR.FTZ
  *daz = (csr & 0x0040) != 0;  // MXCSR.DAZ
#elif defined(__aarch64__)
  uint64_t fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  *ftz = *daz = (fpcr & (1u << 24)) != 0;  // FPCR.FZ flushes both inputs and outputs
#else
  *ftz = *daz = false;
#endif
}

namespace {

/** The calling thread's floating-point control register: MXCSR on x86-64, FPCR on arm64, 0 elsewhere. */
inline uint64_t read_fp_control() {
#if DLF_X86
  return _mm_getcsr();
#elif defined(__aarch64__)
  uint64_t fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  return fpcr;
#else
  return 0;
#endif
}

inline void write_fp_control(uint64_t value) {
#if DLF_X86
  _mm_setcsr((unsigned)value);
#elif defined(__aarch64__)
  __asm__ __volatile__("msr fpcr, %0" : : "r"(value));
#else
  (void)value;
#endif
}

/** The bits that flush denormals: MXCSR.FTZ and MXCSR.DAZ, or FPCR.FZ (inputs and outputs both). */
#if DLF_X86
constexpr uint64_t kFlushBits = 0x8040;
#elif defined(__aarch64__)
constexpr uint64_t kFlushBits = (uint64_t)1 << 24;
#else
constexpr uint64_t kFlushBits = 0;
#endif

}  // namespace

void set_flush_to_zero() { write_fp_control(read_fp_control() | kFlushBits); }

KernelFpMode::KernelFpMode() : saved_(read_fp_control()) { write_fp_control(saved_ | kFlushBits); }

// Written back whole and unconditionally: the kernel may have raised status flags the caller had clear.
KernelFpMode::~KernelFpMode() { write_fp_control(saved_); }

void init_cpu(int max_level) {
#if DLF_X86
  __builtin_cpu_init();
  info.x86 = true;
  // libgcc's checks include the OS's XSAVE support for the wider registers.
  info.avx512f = __builtin_cpu_supports("avx512f");
  info.avx512vl = __builtin_cpu_supports("avx512vl");
  info.avx2 = __builtin_cpu_supports("avx2");
  info.fma = __builtin_cpu_supports("fma");
  int level = info.avx512f && info.avx512vl && info.avx2 && info.fma ? 2 : info.avx2 && info.fma ? 1 : 0;
#else
  info.x86 = false;
  int level = 0;
#endif
  // No FTZ/DAZ here: this runs on the thread that loads the addon (Node's main thread), whose
  // arithmetic is JavaScript's. The kernels get the mode per call (KernelFpMode), the workers for good.
  detected_level = level;
  set_level(max_level);
}

int set_level(int level) {
  if (level > detected_level) level = detected_level;
  if (level < 0) level = 0;
  info.level = level;
  gemm_select(level);
  return level;
}

int max_level() { return detected_level; }

}  // namespace dlf
