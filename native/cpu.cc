// CPU feature detection, the dispatch level, and flush-to-zero / denormals-are-zero.
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

void set_flush_to_zero() {
#if DLF_X86
  _mm_setcsr(_mm_getcsr() | 0x8040);  // MXCSR.FTZ and MXCSR.DAZ
#elif defined(__aarch64__)
  uint64_t fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  fpcr |= (uint64_t)1 << 24;  // FPCR.FZ
  __asm__ __volatile__("msr fpcr, %0" : : "r"(fpcr));
#endif
}

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
  // Denormal floats take a slow path in the FPU; training never needs them. The mode is per
  // thread: this sets it for the thread that loads the addon (Node's main thread, or a worker).
  set_flush_to_zero();
  detected_level = level;
  read_ftz(&info.ftz, &info.daz);
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
