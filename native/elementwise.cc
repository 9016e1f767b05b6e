// Elementwise kernels: broadcasting binary ops, unary maps and the optimizer updates. Each loop
// body is written once as an inline template and compiled three times (AVX-512, AVX2, baseline)
// so that the auto-vectoriser uses the widest registers the CPU has; the level is chosen at run
// time. Results match the TypeScript reference exactly where it computes in float32-exact steps
// (+ − × ÷ and sqrt are correctly rounded either way, and FMA contraction is off): the optimizer
// updates compute each element in double like the reference does.
#include <algorithm>
#include <cmath>

#include "dlf.h"

namespace dlf {
namespace {

/** out[i] = a[i·sa] op b[i·sb], with constant steps so that each combination vectorises. */
template <int OP, int SA, int SB>
DLF_INLINE void loop(const float* a, const float* b, float* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = apply<OP>(a[i * SA], b[i * SB]);
}

template <int OP>
DLF_INLINE void binary_op(const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row, int row_side) {
  if (row > 0) {
    // One side repeats every `row` elements (a bias row); the other walks the whole output.
    for (size_t o = 0; o < n; o += row) {
      if (row_side == 2) loop<OP, 1, 1>(a + o, b, out + o, row);
      else loop<OP, 1, 1>(a, b + o, out + o, row);
    }
  } else if (sa && sb) {
    loop<OP, 1, 1>(a, b, out, n);
  } else if (sa) {
    loop<OP, 1, 0>(a, b, out, n);
  } else {
    loop<OP, 0, 1>(a, b, out, n);
  }
}

DLF_INLINE void binary_body(int op, const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row, int side) {
  switch (op) {
    case OP_ADD: return binary_op<OP_ADD>(a, b, out, n, sa, sb, row, side);
    case OP_SUB: return binary_op<OP_SUB>(a, b, out, n, sa, sb, row, side);
    case OP_MUL: return binary_op<OP_MUL>(a, b, out, n, sa, sb, row, side);
    case OP_DIV: return binary_op<OP_DIV>(a, b, out, n, sa, sb, row, side);
    default: return binary_op<OP_EQ>(a, b, out, n, sa, sb, row, side);
  }
}

DLF_INLINE double sigmoid(double v) {
  if (v >= 0) return 1.0 / (1.0 + std::exp(-v));
  const double e = std::exp(v);
  return e / (1.0 + e);
}

DLF_INLINE void unary_body(int op, const float* x, float* out, size_t n, double p) {
  const float pf = (float)p;
  switch (op) {
    case U_NEG:
      for (size_t i = 0; i < n; i++) out[i] = -x[i];
      return;
    case U_EXP:
      for (size_t i = 0; i < n; i++) out[i] = (float)std::exp((double)x[i]);
      return;
    case U_LOG:
      for (size_t i = 0; i < n; i++) out[i] = (float)std::log((double)x[i]);
      return;
    case U_SQRT:
      for (size_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]);
      return;
    case U_POW:
      if (p == 2) for (size_t i = 0; i < n; i++) out[i] = x[i] * x[i];
      else for (size_t i = 0; i < n; i++) out[i] = (float)std::pow((double)x[i], p);
      return;
    case U_RELU:
      for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
      return;
    case U_LEAKY_RELU:
      // The slope product in double, as the reference computes it, then rounded once.
      for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? x[i] : (float)(p * (double)x[i]);
      return;
    case U_SIGMOID:
      for (size_t i = 0; i < n; i++) out[i] = (float)sigmoid((double)x[i]);
      return;
    case U_TANH:
      for (size_t i = 0; i < n; i++) out[i] = (float)std::tanh((double)x[i]);
      return;
    case U_STEP:
      for (size_t i = 0; i < n; i++) out[i] = x[i] > 0.0f ? 1.0f : pf;
      return;
    case U_ABS:
      for (size_t i = 0; i < n; i++) out[i] = std::fabs(x[i]);
      return;
    case U_SIGN:
      for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        out[i] = v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v == 0.0f ? 0.0f : v;  // both zeros give +0, NaN stays
      }
      return;
  }
}

// ---- optimizer updates: every element in double, stored once as float, as in the reference ----

DLF_INLINE void sgd_body(float* __restrict w, const float* __restrict g, size_t n, double lr) {
  for (size_t i = 0; i < n; i++) w[i] = (float)((double)w[i] - lr * (double)g[i]);
}

DLF_INLINE void momentum_body(float* __restrict w, const float* __restrict g, float* __restrict buf, size_t n, double lr, double mu, bool nesterov) {
  for (size_t i = 0; i < n; i++) {
    const double gi = g[i];
    const double bi = mu * (double)buf[i] + gi;
    buf[i] = (float)bi;
    w[i] = (float)((double)w[i] - lr * (nesterov ? gi + mu * bi : bi));
  }
}

DLF_INLINE void adagrad_body(float* __restrict w, const float* __restrict g, float* __restrict sum, size_t n, double lr, double eps) {
  for (size_t i = 0; i < n; i++) {
    const double gi = g[i];
    const double si = (double)sum[i] + gi * gi;
    sum[i] = (float)si;
    w[i] = (float)((double)w[i] - (lr * gi) / (std::sqrt(si) + eps));
  }
}

DLF_INLINE void rmsprop_body(float* __restrict w, const float* __restrict g, float* __restrict sq, float* __restrict buf, size_t n, double lr, double rho, double mu, double eps) {
  const double c = 1 - rho;
  for (size_t i = 0; i < n; i++) {
    const double gi = g[i];
    const double si = rho * (double)sq[i] + c * gi * gi;
    sq[i] = (float)si;
    const double step = gi / (std::sqrt(si) + eps);
    if (buf) {
      const double bi = mu * (double)buf[i] + step;
      buf[i] = (float)bi;
      w[i] = (float)((double)w[i] - lr * bi);
    } else {
      w[i] = (float)((double)w[i] - lr * step);
    }
  }
}

DLF_INLINE void adam_body(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v, size_t n, double b1, double b2, double lr_t, double eps_t) {
  const double c1 = 1 - b1, c2 = 1 - b2;
  for (size_t i = 0; i < n; i++) {
    const double gi = g[i];
    const double mi = b1 * (double)m[i] + c1 * gi;
    const double vi = b2 * (double)v[i] + c2 * gi * gi;
    m[i] = (float)mi;
    v[i] = (float)vi;
    w[i] = (float)((double)w[i] - (lr_t * mi) / (std::sqrt(vi) + eps_t));
  }
}

DLF_INLINE void decay_body(float* __restrict w, size_t n, double rate) {
  for (size_t i = 0; i < n; i++) w[i] = (float)((double)w[i] - rate * (double)w[i]);
}

DLF_INLINE void penalty_body(const float* __restrict w, float* __restrict g, size_t n, double l1, double l2) {
  for (size_t i = 0; i < n; i++) {
    const double wi = w[i];
    g[i] = (float)((double)g[i] + (l2 * wi + (wi > 0 ? l1 : wi < 0 ? -l1 : 0.0)));
  }
}

// One instance of every body per instruction-set level.
/** out = g · [x > 0], each element as the reference computes it (g times 1 or 0). */
DLF_INLINE void mask_body(const float* g, const float* x, float* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = g[i] * (x[i] > 0.0f ? 1.0f : 0.0f);
}

#define DLF_INSTANCES(ATTR, SUFFIX)                                                                                       \
  ATTR void binary_##SUFFIX(int op, const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row,  \
                            int side) {                                                                                \
    binary_body(op, a, b, out, n, sa, sb, row, side);                                                                  \
  }                                                                                                                    \
  ATTR void unary_##SUFFIX(int op, const float* x, float* out, size_t n, double p) { unary_body(op, x, out, n, p); }   \
  ATTR void sgd_##SUFFIX(float* w, const float* g, size_t n, double lr) { sgd_body(w, g, n, lr); }                      \
  ATTR void momentum_##SUFFIX(float* w, const float* g, float* buf, size_t n, double lr, double mu, bool nesterov) {    \
    momentum_body(w, g, buf, n, lr, mu, nesterov);                                                                     \
  }                                                                                                                    \
  ATTR void adagrad_##SUFFIX(float* w, const float* g, float* sum, size_t n, double lr, double eps) {                  \
    adagrad_body(w, g, sum, n, lr, eps);                                                                               \
  }                                                                                                                    \
  ATTR void rmsprop_##SUFFIX(float* w, const float* g, float* sq, float* buf, size_t n, double lr, double rho,          \
                             double mu, double eps) {                                                                  \
    rmsprop_body(w, g, sq, buf, n, lr, rho, mu, eps);                                                                  \
  }                                                                                                                    \
  ATTR void adam_##SUFFIX(float* w, const float* g, float* m, float* v, size_t n, double b1, double b2, double lr_t,   \
                          double eps_t) {                                                                              \
    adam_body(w, g, m, v, n, b1, b2, lr_t, eps_t);                                                                     \
  }                                                                                                                    \
  ATTR void decay_##SUFFIX(float* w, size_t n, double rate) { decay_body(w, n, rate); }                                \
  ATTR void mask_##SUFFIX(const float* g, const float* x, float* out, size_t n) { mask_body(g, x, out, n); }                                \
  ATTR void penalty_##SUFFIX(const float* w, float* g, size_t n, double l1, double l2) { penalty_body(w, g, n, l1, l2); }

DLF_INSTANCES(, base)
#if DLF_X86
DLF_INSTANCES(DLF_AVX2, avx2)
DLF_INSTANCES(DLF_AVX512, avx512)
#endif

}  // namespace

namespace {

void binary_serial(int op, const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row, int row_side) {
  DLF_DISPATCH(binary, op, a, b, out, n, sa, sb, row, row_side);
}
void unary_serial(int op, const float* x, float* out, size_t n, double p) { DLF_DISPATCH(unary, op, x, out, n, p); }
void mask_serial(const float* g, const float* x, float* out, size_t n) { DLF_DISPATCH(mask, g, x, out, n); }

/** Elements below which a cheap elementwise pass (a load or two, a store) stays on one thread. */
constexpr size_t kCheapMin = 1 << 17;
/** The same for an expensive one (a transcendental function, an optimizer update in double). */
constexpr size_t kCostlyMin = 1 << 14;

}  // namespace

void binary(int op, const float* a, const float* b, float* out, size_t n, int sa, int sb, size_t row, int row_side) {
  // A side moves with the band unless it is a scalar or the repeating row (bands are whole rows).
  const bool a_fixed = row > 0 ? row_side == 1 : !sa;
  const bool b_fixed = row > 0 ? row_side == 2 : !sb;
  split(n, row > 0 ? row : 16, kCheapMin, [&](size_t i0, size_t i1) {
    binary_serial(op, a_fixed ? a : a + i0, b_fixed ? b : b + i0, out + i0, i1 - i0, sa, sb, row, row_side);
  });
}
void binary_channel(int op, const float* a, const float* b, float* out, size_t n, int side, size_t mid, size_t inner) {
  // Each run of `inner` elements is a scalar-side op (a scalar at index m of the small side); bands
  // are whole runs, so that one pattern ([B, L, 1] against [B, L, D]) splits too.
  if (inner == 0) return;
  split(n, inner, kCheapMin, [&](size_t i0, size_t i1) {
    for (size_t s = i0; s < i1; s += inner) {
      const size_t m = (s / inner) % mid;
      if (side == 2) binary_serial(op, a + s, b + m, out + s, inner, 1, 0, 0, 0);
      else binary_serial(op, a + m, b + s, out + s, inner, 0, 1, 0, 0);
    }
  });
}
void unary(int op, const float* x, float* out, size_t n, double p) {
  const bool cheap = op == U_NEG || op == U_RELU || op == U_STEP || op == U_ABS || op == U_SIGN || op == U_SQRT || (op == U_POW && p == 2);
  split(n, 16, cheap ? kCheapMin : kCostlyMin, [&](size_t i0, size_t i1) { unary_serial(op, x + i0, out + i0, i1 - i0, p); });
}
void mask_positive(const float* g, const float* x, float* out, size_t n) {
  split(n, 16, kCheapMin, [&](size_t i0, size_t i1) { mask_serial(g + i0, x + i0, out + i0, i1 - i0); });
}
void sgd_step(float* w, const float* g, size_t n, double lr) {
  split(n, 16, kCheapMin, [&](size_t i0, size_t i1) { DLF_DISPATCH_CALL(sgd, w + i0, g + i0, i1 - i0, lr); });
}
void momentum_step(float* w, const float* g, float* buf, size_t n, double lr, double mu, bool nesterov) {
  split(n, 16, kCostlyMin, [&](size_t i0, size_t i1) { DLF_DISPATCH_CALL(momentum, w + i0, g + i0, buf + i0, i1 - i0, lr, mu, nesterov); });
}
void adagrad_step(float* w, const float* g, float* sum, size_t n, double lr, double eps) {
  split(n, 16, kCostlyMin, [&](size_t i0, size_t i1) { DLF_DISPATCH_CALL(adagrad, w + i0, g + i0, sum + i0, i1 - i0, lr, eps); });
}
void rmsprop_step(float* w, const float* g, float* sq, float* buf, size_t n, double lr, double rho, double mu, double eps) {
  split(n, 16, kCostlyMin, [&](size_t i0, size_t i1) {
    DLF_DISPATCH_CALL(rmsprop, w + i0, g + i0, sq + i0, buf ? buf + i0 : nullptr, i1 - i0, lr, rho, mu, eps);
  });
}
void adam_step(float* w, const float* g, float* m, float* v, size_t n, double b1, double b2, double lr_t, double eps_t) {
  split(n, 16, kCostlyMin, [&](size_t i0, size_t i1) { DLF_DISPATCH_CALL(adam, w + i0, g + i0, m + i0, v + i0, i1 - i0, b1, b2, lr_t, eps_t); });
}
void decay_step(float* w, size_t n, double rate) {
  split(n, 16, kCheapMin, [&](size_t i0, size_t i1) { DLF_DISPATCH_CALL(decay, w + i0, i1 - i0, rate); });
}
void penalty_grad(const float* w, float* g, size_t n, double l1, double l2) {
  split(n, 16, kCheapMin, [&](size_t i0, size_t i1) { DLF_DISPATCH_CALL(penalty, w + i0, g + i0, i1 - i0, l1, l2); });
}

}  // namespace dlf
