// What a native function's body sees (the table of functions is native/kernels.def): its
// arguments, already read and type-checked by the Node-API glue in addon.cc, as one struct
// dlf::entry::NAME_args, and a Checks, with which it states the ranges its sizes must lie in and
// the floats each buffer must hold before it calls its kernel. A body is written
//
//   DLF_ENTRY(name) {
//     in.holds(a.out, a.x.len, "out");
//     if (!in.ok()) return;
//     in_kernel_mode([&] { kernel(a.x.data, a.out.data, a.x.len); });
//   }
//
// Buffer counts are products of sizes, computed in 64 bits with every overflow caught (a product
// that overflows exceeds every buffer), so that a wrong call fails before any allocation or loop
// instead of touching memory it does not own. The first failed check is the one reported (the glue
// throws it once the body returns) and makes every later check a no-op returning a neutral value.
#ifndef DLF_ENTRY_H
#define DLF_ENTRY_H

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "dlf.h"

namespace dlf {
namespace entry {

// ---- sizes and their products ----

/** A size or a count of floats. Sizes read from JavaScript are at most 2^53 − 1. */
using Count = uint64_t;
/** Where an overflowing product or sum saturates: no buffer holds this many floats. */
constexpr Count kOverflow = UINT64_MAX;
/** The largest size a JavaScript number holds exactly, and the most elements a shape may have. */
constexpr Count kMaxSafe = (Count(1) << 53) - 1;
/** The GEMM and convolution kernels count rows, columns and taps in int: each stays below this. */
constexpr Count kMaxDim = Count(1) << 30;

inline Count mul(Count a, Count b) {
  Count r;
  return __builtin_mul_overflow(a, b, &r) ? kOverflow : r;
}

inline Count add(Count a, Count b) {
  Count r;
  return __builtin_add_overflow(a, b, &r) ? kOverflow : r;
}

/** The product of the dimensions that are not 0: a bound on every product of some of them. */
inline Count nonzero_product(std::initializer_list<Count> dims) {
  Count p = 1;
  for (Count d : dims)
    if (d != 0) p = mul(p, d);
  return p;
}

/** A Float32Array argument: its memory and length. `present` is false for a null or undefined F32_OPT. */
struct F32 {
  float* data = nullptr;
  Count len = 0;
  bool present = false;
};

/** A Uint8Array argument (U8): its memory and length. */
struct U8 {
  uint8_t* data = nullptr;
  Count len = 0;
};

/** An Int32Array argument of any length (I32S): its memory and length, its values unchecked. */
struct I32S {
  int32_t* data = nullptr;
  Count len = 0;
};

/**
 * The checks of one call, and the first that failed: a TypeError or RangeError from the glue's
 * argument reading or the body's requirements, or an Error (out of memory), whose message names
 * the function.
 */
class Checks {
 public:
  enum Kind { kNone, kTypeError, kRangeError, kError };

  explicit Checks(const char* fn) : fn_(fn) {}

  bool ok() const { return kind_ == kNone; }
  Kind kind() const { return kind_; }
  /** "dlf native: FN: DETAIL", once a check has failed. */
  const char* message() const { return msg_; }

  /** Requires `cond`, else fails with a RangeError of the formatted message; returns cond (false after any failure). */
  bool require(bool cond, const char* fmt, ...) {
    if (!ok()) return false;
    if (cond) return true;
    va_list ap;
    va_start(ap, fmt);
    vfail(kRangeError, fmt, ap);
    va_end(ap);
    return false;
  }

  /** Requires the buffer to hold at least `need` floats (a kOverflow need never fits). */
  bool holds(const F32& buf, Count need, const char* name) {
    if (buf.len >= need) return ok();  // the message is formatted only for a failure: calls are short
    return require(false, "%s holds %llu floats, needs %s", name, (unsigned long long)buf.len, count_text(need).text);
  }

  /**
   * The number of elements of a shape: the product of its dimensions. A RangeError when the
   * dimensions other than 0 multiply to more than 2^53 − 1, so that every product of some of them
   * that a kernel computes fits in 64 bits, whatever the others are.
   */
  Count shape(std::initializer_list<Count> dims, const char* what) {
    if (!require(nonzero_product(dims) <= kMaxSafe, "%s has more than 2^53 elements", what)) return 0;
    Count p = 1;
    for (Count d : dims) p *= d;
    return p;
  }

  /** Fails with the given kind and formatted message, unless a check failed before. */
  void fail(Kind kind, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(kind, fmt, ap);
    va_end(ap);
  }

 private:
  /** A count for a message: "2^64 or more" for kOverflow. */
  struct Text {
    char text[32];
  };
  static Text count_text(Count n) {
    Text t;
    if (n == kOverflow) std::snprintf(t.text, sizeof t.text, "2^64 or more");
    else std::snprintf(t.text, sizeof t.text, "%llu", (unsigned long long)n);
    return t;
  }

  void vfail(Kind kind, const char* fmt, va_list ap) {
    if (!ok()) return;
    kind_ = kind;
    char detail[160];
    std::vsnprintf(detail, sizeof detail, fmt, ap);
    std::snprintf(msg_, sizeof msg_, "dlf native: %s: %s", fn_, detail);
  }

  const char* fn_;
  Kind kind_ = kNone;
  char msg_[224];
};

/**
 * Runs a kernel on the calling thread in the mode the workers compute in (FTZ/DAZ), and puts the
 * thread's own mode back before returning what the kernel returns.
 */
template <class Kernel>
auto in_kernel_mode(Kernel&& kernel) -> decltype(kernel()) {
  const KernelFpMode mode;
  return kernel();
}

/** What info() returns (the DLF_INFO lines of kernels.def). */
struct Info {
#define STR const char*
#define BOOL bool
#define INT int
#define DLF_INFO(type, name) type name;
#define DLF_KERNEL(...)
#define DLF_ENUM(...)
#include "kernels.def"
#undef DLF_ENUM
#undef DLF_KERNEL
#undef DLF_INFO
#undef INT
#undef BOOL
#undef STR
};

/** What a body returns, by the table's `returns`. */
using VOID_result = void;
using INT_result = int;
using INFO_result = Info;

// Per function: its arguments as the table lists them, and its body.
#define F32(x) F32 x;
#define F32_OPT(x) F32 x;
#define SIZE(x) Count x;
#define NUM(x) double x;
#define BOOL(x) bool x;
#define I32(x, n) int64_t x[n];
#define I32S(x) I32S x;
#define U8(x) U8 x;
#define DLF_KERNEL(name, returns, params) \
  struct name##_args {                    \
    params                                \
  };                                      \
  using name##_result = returns##_result; \
  name##_result name(Checks& in, const name##_args& a);
#define DLF_ENUM(...)
#define DLF_INFO(...)
#include "kernels.def"
#include "table-end.h"

}  // namespace entry
}  // namespace dlf

/** Defines the body of the function `name` of kernels.def: `in` is its Checks, `a` its arguments. */
#define DLF_ENTRY(name) \
  ::dlf::entry::name##_result dlf::entry::name(::dlf::entry::Checks& in, const ::dlf::entry::name##_args& a)

#endif
