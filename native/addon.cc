// The Node-API face of the native kernels, made from the table in kernels.def: for each function a
// Node-API callback that reads its arguments in order, checks their types (a TypeError for a
// missing argument or one of the wrong type, a RangeError for a size that is not a non-negative
// integer), runs the function's body (DLF_ENTRY, entry.h) and throws the first failed check; then
// the export list. The bodies of the first kernels are below; a kernel may also keep its body
// beside its loops (rows.cc, gemm.cc). Buffers are the typed arrays' own memory (the
// data pointer already includes the view's byte offset): nothing is copied. Kernels run through
// in_kernel_mode: with flush-to-zero and denormals-are-zero on the calling thread too, whose own
// floating-point mode is back when the call returns or throws.
#include <node_api.h>

#include <algorithm>
#include <type_traits>

#include "entry.h"

namespace {

using dlf::entry::Checks;
using dlf::entry::Count;
using dlf::entry::F32;
using dlf::entry::I32S;
using dlf::entry::U8;
using dlf::entry::kMaxSafe;

// ---- the arguments, read from JavaScript ----

// Each function's argument count.
#define F32(x) +1
#define F32_OPT(x) +1
#define SIZE(x) +1
#define NUM(x) +1
#define BOOL(x) +1
#define I32(x, n) +1
#define I32S(x) +1
#define U8(x) +1
#define DLF_KERNEL(name, returns, params) constexpr size_t name##_arity = 0 params;
#define DLF_ENUM(...)
#define DLF_INFO(...)
#include "kernels.def"
#undef DLF_KERNEL

/** The most arguments any function takes. */
constexpr size_t kMaxArgs = std::max({
#define DLF_KERNEL(name, returns, params) name##_arity,
#include "kernels.def"
#undef DLF_KERNEL
});

#include "table-end.h"

/** Reads a call's arguments in order; the first that is missing or of the wrong type fails the call's Checks. */
class ArgReader {
 public:
  ArgReader(napi_env env, napi_callback_info cb, Checks& in, size_t count) : env_(env), in_(in) {
    size_t argc = kMaxArgs;
    if (napi_get_cb_info(env, cb, &argc, argv_, nullptr, nullptr) != napi_ok) {
      in_.fail(Checks::kError, "could not read the arguments");
    } else if (argc < count) {
      in_.fail(Checks::kTypeError, "takes %zu arguments, got %zu", count, argc);
    }
  }

  /** A Float32Array (a TypeError for anything else). */
  F32 f32(const char* name) {
    F32 r;
    const napi_value v = next();
    if (in_.ok()) read_f32(v, name, &r);
    return r;
  }

  /** A Float32Array, or null or undefined for none (present = false). */
  F32 f32_or_null(const char* name) {
    F32 r;
    const napi_value v = next();
    if (in_.ok() && !is_nullish(v)) read_f32(v, name, &r);
    return r;
  }

  /** A size: a TypeError unless a number, a RangeError unless a finite non-negative integer below 2^53. */
  Count size(const char* name) {
    const double d = number(name);
    if (!in_.ok()) return 0;
    if (!(d >= 0 && d <= (double)kMaxSafe && d == (double)(Count)d)) {
      in_.fail(Checks::kRangeError, "%s must be a non-negative integer below 2^53, got %g", name, d);
      return 0;
    }
    return (Count)d;
  }

  /** Any number, NaN and the infinities included (a TypeError for anything else). */
  double number(const char* name) {
    double d = 0;
    const napi_value v = next();
    if (in_.ok() && napi_get_value_double(env_, v, &d) != napi_ok) in_.fail(Checks::kTypeError, "%s must be a number", name);
    return in_.ok() ? d : 0;
  }

  /** A boolean (a TypeError for anything else, 0 and 1 included). */
  bool boolean(const char* name) {
    bool b = false;
    const napi_value v = next();
    if (in_.ok() && napi_get_value_bool(env_, v, &b) != napi_ok) in_.fail(Checks::kTypeError, "%s must be a boolean", name);
    return in_.ok() && b;
  }

  /** A Uint8Array (a TypeError for anything else): its memory and length. */
  U8 u8(const char* name) {
    U8 r;
    void* data = nullptr;
    const napi_value v = next();
    if (in_.ok() && !typed(v, napi_uint8_array, &data, &r.len)) in_.fail(Checks::kTypeError, "%s must be a Uint8Array", name);
    if (in_.ok()) r.data = static_cast<uint8_t*>(data);
    return r;
  }

  /** An Int32Array of any length, its values as they are (a TypeError for anything else): its memory and length. */
  I32S int32_array(const char* name) {
    I32S r;
    void* data = nullptr;
    const napi_value v = next();
    if (in_.ok() && !typed(v, napi_int32_array, &data, &r.len)) in_.fail(Checks::kTypeError, "%s must be an Int32Array", name);
    if (in_.ok()) r.data = static_cast<int32_t*>(data);
    return r;
  }

  /** An Int32Array of at least `count` non-negative values, copied into out (zeros after a failure). */
  void int32s(const char* name, int64_t* out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = 0;
    const napi_value v = next();
    void* data = nullptr;
    Count len = 0;
    if (!in_.ok() || !typed(v, napi_int32_array, &data, &len)) {
      if (in_.ok()) in_.fail(Checks::kTypeError, "%s must be an Int32Array", name);
      return;
    }
    if (!in_.require(len >= count, "%s holds %llu values, needs %zu", name, (unsigned long long)len, count)) return;
    const int32_t* g = static_cast<const int32_t*>(data);
    for (size_t i = 0; i < count; i++)
      if (!in_.require(g[i] >= 0, "%s[%zu] must be non-negative, got %d", name, i, (int)g[i])) return;
    for (size_t i = 0; i < count; i++) out[i] = g[i];
  }

 private:
  // kMaxArgs bounds every function's reads: its arity is the count of the reads the table makes.
  napi_value next() { return in_.ok() ? argv_[next_++] : nullptr; }

  bool is_nullish(napi_value v) {
    napi_valuetype t;
    return napi_typeof(env_, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
  }

  /** Whether v is a typed array of the given type; if so, its data and length. */
  bool typed(napi_value v, napi_typedarray_type want, void** data, Count* len) {
    bool is_ta = false;
    if (napi_is_typedarray(env_, v, &is_ta) != napi_ok || !is_ta) return false;
    napi_typedarray_type type;
    size_t length, offset;
    napi_value buffer;
    if (napi_get_typedarray_info(env_, v, &type, &length, data, &buffer, &offset) != napi_ok || type != want) return false;
    *len = length;
    return true;
  }

  void read_f32(napi_value v, const char* name, F32* r) {
    void* data = nullptr;
    if (!typed(v, napi_float32_array, &data, &r->len)) {
      in_.fail(Checks::kTypeError, "%s must be a Float32Array", name);
      return;
    }
    r->data = static_cast<float*>(data);
    r->present = true;
  }

  napi_env env_;
  Checks& in_;
  napi_value argv_[kMaxArgs > 0 ? kMaxArgs : 1] = {};
  size_t next_ = 0;
};

// ---- the results, made for JavaScript ----

napi_value make_BOOL(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

napi_value make_STR(napi_env env, const char* s) {
  napi_value r;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &r);
  return r;
}

napi_value make_INT(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

napi_value to_js(napi_env env, int v) { return make_INT(env, v); }

napi_value to_js(napi_env env, const dlf::entry::Info& info) {
  napi_value o;
  napi_create_object(env, &o);
#define DLF_INFO(type, name) napi_set_named_property(env, o, #name, make_##type(env, info.name));
#define DLF_KERNEL(...)
#define DLF_ENUM(...)
#include "kernels.def"
#undef DLF_ENUM
#undef DLF_KERNEL
#undef DLF_INFO
  return o;
}

/** Throws the call's failed check, if any. */
void report(napi_env env, const Checks& in) {
  switch (in.kind()) {
    case Checks::kNone: return;
    case Checks::kTypeError: napi_throw_type_error(env, nullptr, in.message()); return;
    case Checks::kRangeError: napi_throw_range_error(env, nullptr, in.message()); return;
    case Checks::kError: napi_throw_error(env, nullptr, in.message()); return;
  }
}

/** Runs the body unless the arguments failed, and throws a failure or returns its result. */
template <class Body>
napi_value finish(napi_env env, Checks& in, Body body) {
  using Result = decltype(body());
  if constexpr (std::is_void_v<Result>) {
    if (in.ok()) body();
    report(env, in);
    return nullptr;
  } else {
    if (in.ok()) {
      const Result r = body();
      if (in.ok()) return to_js(env, r);
    }
    report(env, in);
    return nullptr;
  }
}

// The callbacks.
#define F32(x) a.x = args.f32(#x);
#define F32_OPT(x) a.x = args.f32_or_null(#x);
#define SIZE(x) a.x = args.size(#x);
#define NUM(x) a.x = args.number(#x);
#define BOOL(x) a.x = args.boolean(#x);
#define I32(x, n) args.int32s(#x, a.x, n);
#define I32S(x) a.x = args.int32_array(#x);
#define U8(x) a.x = args.u8(#x);
#define DLF_KERNEL(name, returns, params)                                           \
  napi_value call_##name(napi_env env, napi_callback_info cb) {                     \
    Checks in(#name);                                                                \
    ArgReader args(env, cb, in, name##_arity);                                      \
    dlf::entry::name##_args a;                                                      \
    params;                                                                          \
    return finish(env, in, [&] { return dlf::entry::name(in, a); });                \
  }
#define DLF_ENUM(...)
#define DLF_INFO(...)
#include "kernels.def"
#include "table-end.h"

napi_value Init(napi_env env, napi_value exports) {
  dlf::init_cpu(2);
  const napi_property_descriptor props[] = {
#define DLF_KERNEL(name, returns, params) {#name, nullptr, call_##name, nullptr, nullptr, nullptr, napi_default, nullptr},
#define DLF_ENUM(...)
#define DLF_INFO(...)
#include "kernels.def"
#undef DLF_INFO
#undef DLF_ENUM
#undef DLF_KERNEL
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

// ---- the bodies ----

using dlf::entry::add;
using dlf::entry::kMaxDim;
using dlf::entry::mul;

DLF_ENTRY(matmul) {
  in.require(a.batch < kMaxDim && a.m < kMaxDim && a.n < kMaxDim && a.k < kMaxDim, "batch, m, n and k must be below 2^30");
  const Count outs = mul(mul(a.batch, a.m), a.n);
  in.holds(a.out, outs, "out");
  // With k = 0 the kernel only zeroes out; otherwise it reads the last matrix of each operand.
  const bool reads = outs > 0 && a.k > 0;
  in.holds(a.a, reads ? add(mul(a.batch - 1, a.strideA), mul(a.m, a.k)) : 0, "a");
  in.holds(a.b, reads ? add(mul(a.batch - 1, a.strideB), mul(a.k, a.n)) : 0, "b");
  if (!in.ok() || outs == 0) return;
  const bool done = in_kernel_mode([&] {
    return dlf::matmul(a.a.data, a.b.data, a.out.data, (int)a.batch, (int)a.m, (int)a.n, (int)a.k, a.transA, a.transB,
                       (ptrdiff_t)a.strideA, (ptrdiff_t)a.strideB);
  });
  if (!done) in.fail(Checks::kError, "out of memory for the matmul packing buffers");
}

DLF_ENTRY(binary) {
  const Count n = a.n, row = a.row, side = a.rowSide;
  in.require(a.op < BinaryOpCount, "op must be 0 to %d, got %llu", BinaryOpCount - 1, (unsigned long long)a.op);
  in.require(a.sa <= 1 && a.sb <= 1, "sa and sb must be 0 or 1");
  if (row > 0) {
    in.require(side == 1 || side == 2, "rowSide must be 1 or 2 with a row");
    in.require(n % row == 0, "row must divide n");
  } else {
    in.require(a.sa == 1 || a.sb == 1, "a and b cannot both be scalars");
  }
  if (!in.ok() || n == 0) return;  // an empty op reads nothing
  const Count need_a = row > 0 ? (side == 1 ? row : n) : (a.sa ? n : 1);
  const Count need_b = row > 0 ? (side == 2 ? row : n) : (a.sb ? n : 1);
  in.holds(a.a, need_a, "a");
  in.holds(a.b, need_b, "b");
  in.holds(a.out, n, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::binary((int)a.op, a.a.data, a.b.data, a.out.data, n, (int)a.sa, (int)a.sb, row, (int)side); });
}

DLF_ENTRY(binaryChannel) {
  const Count n = a.n, side = a.side;
  in.require(a.op < BinaryOpCount, "op must be 0 to %d, got %llu", BinaryOpCount - 1, (unsigned long long)a.op);
  in.require(side == 1 || side == 2, "side must be 1 or 2");
  in.require(a.mid > 0 && a.inner > 0, "mid and inner must be positive");
  const Count block = in.shape({a.mid, a.inner}, "mid × inner");
  in.require(block > 0 && n % block == 0, "mid × inner must divide n");
  if (!in.ok() || n == 0) return;
  in.holds(a.a, side == 1 ? a.mid : n, "a");
  in.holds(a.b, side == 2 ? a.mid : n, "b");
  in.holds(a.out, n, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::binary_channel((int)a.op, a.a.data, a.b.data, a.out.data, n, (int)side, a.mid, a.inner); });
}

DLF_ENTRY(unary) {
  in.require(a.op < UnaryOpCount, "op must be 0 to %d, got %llu", UnaryOpCount - 1, (unsigned long long)a.op);
  in.holds(a.out, a.x.len, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::unary((int)a.op, a.x.data, a.out.data, a.x.len, a.p); });
}

DLF_ENTRY(maskPositive) {
  in.holds(a.x, a.g.len, "x");
  in.holds(a.out, a.g.len, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::mask_positive(a.g.data, a.x.data, a.out.data, a.g.len); });
}

DLF_ENTRY(reduceBlock) {
  in.holds(a.x, in.shape({a.outer, a.mid, a.inner}, "outer × mid × inner"), "x");
  in.holds(a.out, a.mid, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::reduce_block(a.mean, a.x.data, a.out.data, (int64_t)a.outer, (int64_t)a.mid, (int64_t)a.inner); });
}

DLF_ENTRY(softmax) {
  const Count n = in.shape({a.rows, a.cols}, "rows × cols");
  in.holds(a.x, n, "x");
  in.holds(a.out, n, "out");
  if (!in.ok() || n == 0) return;  // empty rows (or none): nothing to write
  in_kernel_mode([&] { dlf::softmax_rows(a.x.data, a.out.data, (int64_t)a.rows, (int64_t)a.cols, a.log); });
}

DLF_ENTRY(softmaxXent) {
  in.holds(a.logits, in.shape({a.rows, a.cols}, "rows × cols"), "logits");
  in.holds(a.labels, a.rows, "labels");
  in.holds(a.out, a.rows, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::softmax_xent_rows(a.logits.data, a.labels.data, a.out.data, (int64_t)a.rows, (int64_t)a.cols); });
}

// ---- the optimizer updates: every buffer holds at least as many floats as w, which sets the length ----

DLF_ENTRY(sgdStep) {
  in.holds(a.g, a.w.len, "g");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::sgd_step(a.w.data, a.g.data, a.w.len, a.lr); });
}

DLF_ENTRY(momentumStep) {
  in.holds(a.g, a.w.len, "g");
  in.holds(a.buf, a.w.len, "buf");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::momentum_step(a.w.data, a.g.data, a.buf.data, a.w.len, a.lr, a.mu, a.nesterov); });
}

DLF_ENTRY(adagradStep) {
  in.holds(a.g, a.w.len, "g");
  in.holds(a.sum, a.w.len, "sum");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::adagrad_step(a.w.data, a.g.data, a.sum.data, a.w.len, a.lr, a.eps); });
}

DLF_ENTRY(rmspropStep) {
  in.holds(a.g, a.w.len, "g");
  in.holds(a.sq, a.w.len, "sq");
  if (a.buf.present) in.holds(a.buf, a.w.len, "buf");
  if (!in.ok()) return;
  // The kernel takes a null buf for none; a present one of w's length is not null unless w is empty.
  in_kernel_mode([&] {
    dlf::rmsprop_step(a.w.data, a.g.data, a.sq.data, a.buf.present ? a.buf.data : nullptr, a.w.len, a.lr, a.rho, a.mu, a.eps);
  });
}

DLF_ENTRY(adamStep) {
  in.holds(a.g, a.w.len, "g");
  in.holds(a.m, a.w.len, "m");
  in.holds(a.v, a.w.len, "v");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::adam_step(a.w.data, a.g.data, a.m.data, a.v.data, a.w.len, a.b1, a.b2, a.lrT, a.epsT); });
}

DLF_ENTRY(decayStep) { in_kernel_mode([&] { dlf::decay_step(a.w.data, a.w.len, a.rate); }); }

DLF_ENTRY(penaltyGrad) {
  in.holds(a.g, a.w.len, "g");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::penalty_grad(a.w.data, a.g.data, a.w.len, a.l1, a.l2); });
}

// ---- the convolutions and pooling, whose geometry comes as an Int32Array ----

namespace {

/** The three buffer roles of a conv kernel: x-like [n, c, h, w], w-like [f, c, kh, kw], g-like [n, f, oh, ow]. */
enum ConvArg { CONV_X, CONV_W, CONV_G };

/**
 * Checks the geometry [n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl] of a conv kernel and
 * its three buffers, in the order it takes them: every dimension and both strides positive, the
 * GEMM's dimensions (c·kh·kw, oh·ow and f) below 2^30, the per-thread scratch buffers within
 * dlf::kMaxConvScratch floats, and each buffer as long as its role says.
 */
dlf::ConvGeom conv_checks(Checks& in, const int64_t (&g)[15], const ConvArg (&roles)[3], const F32* const (&bufs)[3],
                          const char* const (&names)[3]) {
  const dlf::ConvGeom d = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14]};
  if (!in.require(d.n > 0 && d.c > 0 && d.h > 0 && d.w > 0 && d.f > 0 && d.kh > 0 && d.kw > 0 && d.oh > 0 && d.ow > 0,
                  "conv dimensions must be positive") ||
      !in.require(d.sh > 0 && d.sw > 0, "conv strides must be positive"))
    return d;
  // Each value is below 2^31, so a product of two fits; shape() checks the longer ones.
  const Count K = in.shape({(Count)d.c, (Count)d.kh, (Count)d.kw}, "c × kh × kw"), P = (Count)(d.oh * d.ow);
  in.require(K < kMaxDim && P < kMaxDim && (Count)d.f < kMaxDim, "conv c × kh × kw, oh × ow and f must be below 2^30");
  in.require(dlf::conv_scratch_fits(d), "the column matrix or padded sample would exceed 2^31 floats");
  const Count size[3] = {in.shape({(Count)d.n, (Count)d.c, (Count)d.h, (Count)d.w}, "n × c × h × w"), mul((Count)d.f, K),
                         in.shape({(Count)d.n, (Count)d.f, P}, "n × f × oh × ow")};
  for (int i = 0; i < 3; i++) in.holds(*bufs[i], size[roles[i]], names[i]);
  return d;
}

void conv_oom(Checks& in) { in.fail(Checks::kError, "out of memory for the convolution buffers"); }

}  // namespace

DLF_ENTRY(conv2d) {
  const dlf::ConvGeom d = conv_checks(in, a.geometry, {CONV_X, CONV_W, CONV_G}, {&a.x, &a.w, &a.out}, {"x", "w", "out"});
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d(a.x.data, a.w.data, a.out.data, d); })) conv_oom(in);
}

DLF_ENTRY(conv2dBiasAct) {
  const dlf::ConvGeom d = conv_checks(in, a.geometry, {CONV_X, CONV_W, CONV_G}, {&a.x, &a.w, &a.out}, {"x", "w", "out"});
  in.holds(a.bias, (Count)d.f, "bias");
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d(a.x.data, a.w.data, a.out.data, d, a.bias.data, a.relu); })) conv_oom(in);
}

DLF_ENTRY(conv2dGradInput) {
  const dlf::ConvGeom d = conv_checks(in, a.geometry, {CONV_G, CONV_W, CONV_X}, {&a.grad, &a.w, &a.out}, {"grad", "w", "out"});
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d_grad_input(a.grad.data, a.w.data, a.out.data, d); })) conv_oom(in);
}

DLF_ENTRY(conv2dGradWeight) {
  const dlf::ConvGeom d = conv_checks(in, a.geometry, {CONV_X, CONV_G, CONV_W}, {&a.x, &a.grad, &a.out}, {"x", "grad", "out"});
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d_grad_weight(a.x.data, a.grad.data, a.out.data, d); })) conv_oom(in);
}

DLF_ENTRY(pool2d) {
  const int64_t* g = a.geometry;
  const dlf::PoolGeom d = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10]};
  const Count mode = a.mode;
  in.require(mode < PoolModeCount, "mode must be 0 to %d, got %llu", PoolModeCount - 1, (unsigned long long)mode);
  in.require(d.sh > 0 && d.sw > 0, "pool strides must be positive");
  const Count cells = in.shape({(Count)d.planes, (Count)d.h, (Count)d.w}, "planes × h × w");
  const Count pooled = in.shape({(Count)d.planes, (Count)d.oh, (Count)d.ow}, "planes × oh × ow");
  const bool max_grad = mode == POOL_MAX_GRAD || mode == POOL_MAX_GRAD_MASKED;
  const bool avg_grad = mode == POOL_AVG_GRAD;
  if (!in.ok()) return;
  if (pooled == 0) {
    // No window: a gradient is all zeros, a pooling writes nothing.
    if (max_grad || avg_grad) {
      if (!in.holds(a.out, cells, "out")) return;
      for (Count i = 0; i < cells; i++) a.out.data[i] = 0;
    }
    return;
  }
  // Every window must hold a real cell: the first one must end inside the plane, the last start in
  // it (values below 2^31, so these products fit).
  if (!in.require(d.h > 0 && d.w > 0 && d.kh > d.pt && d.kw > d.pl && (d.oh - 1) * d.sh - d.pt < d.h && (d.ow - 1) * d.sw - d.pl < d.w,
                  "a pooling window holds no cell of the plane"))
    return;
  // Per mode: a is x (or the pooled gradient for avg-grad); b the pooled gradient (max-grad) or u (max-pick).
  const bool has_b = max_grad || mode == POOL_MAX_PICK;
  in.holds(a.a, avg_grad ? pooled : cells, "a");
  in.require(!has_b || a.b.present, "mode %llu needs b", (unsigned long long)mode);
  in.holds(a.b, has_b ? (max_grad ? pooled : cells) : 0, "b");
  in.holds(a.out, max_grad || avg_grad ? cells : pooled, "out");
  if (!in.ok()) return;
  in_kernel_mode([&] { dlf::pool2d((int)mode, a.a.data, has_b ? a.b.data : nullptr, a.out.data, d); });
}

// ---- what the addon detected and chose ----

DLF_ENTRY(info) {
  (void)in;
  (void)a;
  const CpuInfo& c = cpu();
  Info i{};
  i.arch = c.x86 ? "x86_64" :
#if defined(__aarch64__)
                 "arm64";
#else
                 "other";
#endif
  i.avx512f = c.avx512f;
  i.avx512vl = c.avx512vl;
  i.avx2 = c.avx2;
  i.fma = c.fma;
  i.level = c.level;
  i.maxLevel = max_level();
  i.levelName = c.level >= 2 ? "avx512" : c.level == 1 ? "avx2" : "portable";
  i.gemmKernel = gemm_kernel_name();
  // The mode the kernels compute in, read inside a kernel call's scope, and the calling thread's own outside the calls.
  read_ftz(&i.callerFtz, &i.callerDaz);
  in_kernel_mode([&] { read_ftz(&i.ftz, &i.daz); });
  i.threads = threads();
  i.hardwareThreads = hardware_threads();
  return i;
}

DLF_ENTRY(setLevel) { return set_level(a.level > 2 ? 2 : (int)a.level); }

DLF_ENTRY(setThreads) { return set_threads(a.threads > 16 ? 16 : (int)a.threads); }
