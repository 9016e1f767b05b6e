// The Node-API face of the native kernels. Every function takes Float32Arrays and works on their
// memory in place (the data pointer already includes the view's byte offset): nothing is copied.
// Nothing reaches a kernel unchecked. Each function reads its arguments through an ArgReader, which
// throws a TypeError for a missing argument or one of the wrong type, and a RangeError for a size
// that is not a non-negative integer; it then states, in a few lines, the ranges its sizes must lie
// in and the floats its kernel reads or writes in each buffer. Those counts are products of sizes,
// computed in 64 bits with every overflow caught (a product that overflows exceeds every buffer),
// so a wrong call throws a RangeError before any allocation or loop instead of touching memory it
// does not own. Kernels run through in_kernel_mode: with flush-to-zero and denormals-are-zero on
// the calling thread too, whose own floating-point mode is back when the call returns or throws.
#include <node_api.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "dlf.h"

namespace {

// ---- sizes and their products ----

/** A size or a count of floats. Sizes read from JavaScript are at most 2^53 − 1. */
using Count = uint64_t;
/** Where an overflowing product or sum saturates: no buffer holds this many floats. */
constexpr Count kOverflow = UINT64_MAX;
/** The largest size a JavaScript number holds exactly, and the most elements a shape may have. */
constexpr Count kMaxSafe = (Count(1) << 53) - 1;
/** The GEMM and convolution kernels count rows, columns and taps in int: each stays below this. */
constexpr Count kMaxDim = Count(1) << 30;

Count mul(Count a, Count b) {
  Count r;
  return __builtin_mul_overflow(a, b, &r) ? kOverflow : r;
}

Count add(Count a, Count b) {
  Count r;
  return __builtin_add_overflow(a, b, &r) ? kOverflow : r;
}

/** The product of the dimensions that are not 0: a bound on every product of some of them. */
Count nonzero_product(std::initializer_list<Count> dims) {
  Count p = 1;
  for (Count d : dims)
    if (d != 0) p = mul(p, d);
  return p;
}

/** A Float32Array argument: its memory and length. `present` is false for a null or undefined one. */
struct F32 {
  float* data = nullptr;
  Count len = 0;
  bool present = false;
};

/** The most arguments any function takes. */
constexpr size_t kMaxArgs = 13;

/**
 * Reads a call's arguments in order and checks them. The first failure throws (a TypeError or a
 * RangeError, the message naming the function and the argument) and makes every later read and
 * check a no-op returning a neutral value, so that a function reads all its arguments, states its
 * requirements, and then asks ok() once before calling its kernel.
 */
class ArgReader {
 public:
  ArgReader(napi_env env, napi_callback_info cb, const char* fn, size_t count) : env_(env), fn_(fn) {
    size_t argc = kMaxArgs;
    if (napi_get_cb_info(env, cb, &argc, argv_, nullptr, nullptr) != napi_ok) {
      fail(napi_throw_error, "could not read the arguments");
    } else if (argc < count) {
      fail(napi_throw_type_error, "takes %zu arguments, got %zu", count, argc);
    }
  }

  bool ok() const { return ok_; }

  /** A Float32Array (a TypeError for anything else). */
  F32 f32(const char* name) {
    F32 r;
    const napi_value v = next();
    if (ok_) read_f32(v, name, &r);
    return r;
  }

  /** A Float32Array, or null or undefined for none (present = false). */
  F32 f32_or_null(const char* name) {
    F32 r;
    const napi_value v = next();
    if (ok_ && !is_nullish(v)) read_f32(v, name, &r);
    return r;
  }

  /** A Uint8Array (a TypeError for anything else): its memory and length. */
  const uint8_t* u8(const char* name, Count* len) {
    void* data = nullptr;
    *len = 0;
    const napi_value v = next();
    if (ok_ && !typed(v, napi_uint8_array, &data, len)) fail(napi_throw_type_error, "%s must be a Uint8Array", name);
    return ok_ ? static_cast<const uint8_t*>(data) : nullptr;
  }

  /** An Int32Array (a TypeError for anything else): its memory and length. */
  const int32_t* i32(const char* name, Count* len) {
    void* data = nullptr;
    *len = 0;
    const napi_value v = next();
    if (ok_ && !typed(v, napi_int32_array, &data, len)) fail(napi_throw_type_error, "%s must be an Int32Array", name);
    return ok_ ? static_cast<const int32_t*>(data) : nullptr;
  }

  /** A size: a TypeError unless a number, a RangeError unless a finite non-negative integer below 2^53. */
  Count size(const char* name) {
    const double d = number(name);
    if (!ok_) return 0;
    if (!(d >= 0 && d <= (double)kMaxSafe && d == (double)(Count)d)) {
      fail(napi_throw_range_error, "%s must be a non-negative integer below 2^53, got %g", name, d);
      return 0;
    }
    return (Count)d;
  }

  /** Any number, NaN and the infinities included (a TypeError for anything else). */
  double number(const char* name) {
    double d = 0;
    const napi_value v = next();
    if (ok_ && napi_get_value_double(env_, v, &d) != napi_ok) fail(napi_throw_type_error, "%s must be a number", name);
    return ok_ ? d : 0;
  }

  /** A boolean (a TypeError for anything else, 0 and 1 included). */
  bool boolean(const char* name) {
    bool b = false;
    const napi_value v = next();
    if (ok_ && napi_get_value_bool(env_, v, &b) != napi_ok) fail(napi_throw_type_error, "%s must be a boolean", name);
    return ok_ && b;
  }

  /** An Int32Array of at least `count` non-negative values, copied into out (zeros after a failure). */
  void geometry(const char* name, int64_t* out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = 0;
    const napi_value v = next();
    void* data = nullptr;
    Count len = 0;
    if (!ok_ || !typed(v, napi_int32_array, &data, &len)) {
      if (ok_) fail(napi_throw_type_error, "%s must be an Int32Array", name);
      return;
    }
    if (!require(len >= count, "%s holds %llu values, needs %zu", name, (unsigned long long)len, count)) return;
    const int32_t* g = static_cast<const int32_t*>(data);
    for (size_t i = 0; i < count; i++)
      if (!require(g[i] >= 0, "%s[%zu] must be non-negative, got %d", name, i, (int)g[i])) return;
    for (size_t i = 0; i < count; i++) out[i] = g[i];
  }

  /** Requires `cond`, else throws a RangeError with the formatted message; returns cond (false after any failure). */
  bool require(bool cond, const char* fmt, ...) {
    if (!ok_) return false;
    if (cond) return true;
    va_list ap;
    va_start(ap, fmt);
    vfail(napi_throw_range_error, fmt, ap);
    va_end(ap);
    return false;
  }

  /** Requires the buffer to hold at least `need` floats (a kOverflow need never fits). */
  bool holds(const F32& buf, Count need, const char* name) {
    if (buf.len >= need) return ok_;  // the message is formatted only for a failure: calls are short
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

  napi_value next() {
    // The constructor checked the count; past it (a function reading more than it declared) is a bug here.
    if (ok_ && next_ >= kMaxArgs) fail(napi_throw_error, "reads more than %zu arguments", kMaxArgs);
    return ok_ ? argv_[next_++] : nullptr;
  }

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
      fail(napi_throw_type_error, "%s must be a Float32Array", name);
      return;
    }
    r->data = static_cast<float*>(data);
    r->present = true;
  }

  using Thrower = napi_status (*)(napi_env, const char*, const char*);

  void fail(Thrower throw_fn, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(throw_fn, fmt, ap);
    va_end(ap);
  }

  void vfail(Thrower throw_fn, const char* fmt, va_list ap) {
    if (!ok_) return;
    ok_ = false;
    char detail[160], msg[224];
    std::vsnprintf(detail, sizeof detail, fmt, ap);
    std::snprintf(msg, sizeof msg, "dlf native: %s: %s", fn_, detail);
    throw_fn(env_, nullptr, msg);
  }

  napi_env env_;
  const char* fn_;
  napi_value argv_[kMaxArgs] = {};
  size_t next_ = 0;
  bool ok_ = true;
};

/**
 * Runs a kernel on the calling thread in the mode the workers compute in (FTZ/DAZ), and puts the
 * thread's own mode back before returning what the kernel returns: before any error is thrown, too.
 */
template <class Kernel>
auto in_kernel_mode(Kernel&& kernel) -> decltype(kernel()) {
  const dlf::KernelFpMode mode;
  return kernel();
}

// ---- the kernels ----

// matmul(a, b, out, batch, m, n, k, transA, transB, strideA, strideB): out[t] = op(A[t]) · op(B[t]),
// A[t] at a + t·strideA (m×k after the transpose), B[t] at b + t·strideB (k×n).
napi_value Matmul(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "matmul", 11);
  const F32 a = in.f32("a"), b = in.f32("b"), out = in.f32("out");
  const Count batch = in.size("batch"), m = in.size("m"), n = in.size("n"), k = in.size("k");
  const bool ta = in.boolean("transA"), tb = in.boolean("transB");
  const Count sa = in.size("strideA"), sb = in.size("strideB");
  in.require(batch < kMaxDim && m < kMaxDim && n < kMaxDim && k < kMaxDim, "batch, m, n and k must be below 2^30");
  const Count outs = mul(mul(batch, m), n);
  in.holds(out, outs, "out");
  // With k = 0 the kernel only zeroes out; otherwise it reads the last matrix of each operand.
  const bool reads = outs > 0 && k > 0;
  in.holds(a, reads ? add(mul(batch - 1, sa), mul(m, k)) : 0, "a");
  in.holds(b, reads ? add(mul(batch - 1, sb), mul(k, n)) : 0, "b");
  if (!in.ok() || outs == 0) return nullptr;
  const bool done = in_kernel_mode(
      [&] { return dlf::matmul(a.data, b.data, out.data, (int)batch, (int)m, (int)n, (int)k, ta, tb, (ptrdiff_t)sa, (ptrdiff_t)sb); });
  if (!done) napi_throw_error(env, nullptr, "dlf native: out of memory for the matmul packing buffers");
  return nullptr;
}

// matmulBiasAct(a, b, bias, out, batch, m, n, k, transA, transB, strideA, strideB, relu): matmul's
// product, then out = act(out + bias) with bias one value per column (n values).
napi_value MatmulBiasAct(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "matmulBiasAct", 13);
  const F32 a = in.f32("a"), b = in.f32("b"), bias = in.f32("bias"), out = in.f32("out");
  const Count batch = in.size("batch"), m = in.size("m"), n = in.size("n"), k = in.size("k");
  const bool ta = in.boolean("transA"), tb = in.boolean("transB");
  const Count sa = in.size("strideA"), sb = in.size("strideB");
  const bool relu = in.boolean("relu");
  in.require(batch < kMaxDim && m < kMaxDim && n < kMaxDim && k < kMaxDim, "batch, m, n and k must be below 2^30");
  const Count outs = mul(mul(batch, m), n);
  in.holds(out, outs, "out");
  in.holds(bias, outs > 0 ? n : 0, "bias");
  const bool reads = outs > 0 && k > 0;
  in.holds(a, reads ? add(mul(batch - 1, sa), mul(m, k)) : 0, "a");
  in.holds(b, reads ? add(mul(batch - 1, sb), mul(k, n)) : 0, "b");
  if (!in.ok() || outs == 0) return nullptr;
  const bool done = in_kernel_mode([&] {
    return dlf::matmul_bias_act(a.data, b.data, bias.data, out.data, (int)batch, (int)m, (int)n, (int)k, ta, tb, (ptrdiff_t)sa,
                                (ptrdiff_t)sb, relu);
  });
  if (!done) napi_throw_error(env, nullptr, "dlf native: out of memory for the matmul packing buffers");
  return nullptr;
}

// binary(op, a, b, out, n, sa, sb, row, rowSide): with row 0, sa and sb say whether a and b are
// full (1) or scalars (0; not both); with row > 0 the side rowSide names (1 a, 2 b) repeats every
// `row` elements and the other side is full, whatever sa and sb say.
napi_value Binary(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "binary", 9);
  const Count op = in.size("op");
  const F32 a = in.f32("a"), b = in.f32("b"), out = in.f32("out");
  const Count n = in.size("n"), sa = in.size("sa"), sb = in.size("sb"), row = in.size("row"), side = in.size("rowSide");
  in.require(op <= dlf::OP_EQ, "op must be 0 to %d, got %llu", dlf::OP_EQ, (unsigned long long)op);
  in.require(sa <= 1 && sb <= 1, "sa and sb must be 0 or 1");
  if (row > 0) {
    in.require(side == 1 || side == 2, "rowSide must be 1 or 2 with a row");
    in.require(n % row == 0, "row must divide n");
  } else {
    in.require(sa == 1 || sb == 1, "a and b cannot both be scalars");
  }
  if (!in.ok() || n == 0) return nullptr;  // an empty op reads nothing
  const Count need_a = row > 0 ? (side == 1 ? row : n) : (sa ? n : 1);
  const Count need_b = row > 0 ? (side == 2 ? row : n) : (sb ? n : 1);
  in.holds(a, need_a, "a");
  in.holds(b, need_b, "b");
  in.holds(out, n, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::binary((int)op, a.data, b.data, out.data, n, (int)sa, (int)sb, row, (int)side); });
  return nullptr;
}

// binaryChannel(op, a, b, out, n, side, mid, inner): side 1 (a holds mid values) or 2 (b does), each
// value repeated over `inner` consecutive elements, the pattern repeated n / (mid·inner) times.
napi_value BinaryChannel(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "binaryChannel", 8);
  const Count op = in.size("op");
  const F32 a = in.f32("a"), b = in.f32("b"), out = in.f32("out");
  const Count n = in.size("n"), side = in.size("side"), mid = in.size("mid"), inner = in.size("inner");
  in.require(op <= dlf::OP_EQ, "op must be 0 to %d, got %llu", dlf::OP_EQ, (unsigned long long)op);
  in.require(side == 1 || side == 2, "side must be 1 or 2");
  in.require(mid > 0 && inner > 0, "mid and inner must be positive");
  const Count block = in.shape({mid, inner}, "mid × inner");
  in.require(block > 0 && n % block == 0, "mid × inner must divide n");
  if (!in.ok() || n == 0) return nullptr;
  in.holds(a, side == 1 ? mid : n, "a");
  in.holds(b, side == 2 ? mid : n, "b");
  in.holds(out, n, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::binary_channel((int)op, a.data, b.data, out.data, n, (int)side, mid, inner); });
  return nullptr;
}

// unary(op, x, out, p): out = op(x), elementwise over x's length.
napi_value Unary(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "unary", 4);
  const Count op = in.size("op");
  const F32 x = in.f32("x"), out = in.f32("out");
  const double p = in.number("p");
  in.require(op <= dlf::U_SIGN, "op must be 0 to %d, got %llu", dlf::U_SIGN, (unsigned long long)op);
  in.holds(out, x.len, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::unary((int)op, x.data, out.data, x.len, p); });
  return nullptr;
}

// maskPositive(g, x, out): out = g · [x > 0], elementwise over g's length.
napi_value MaskPositive(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "maskPositive", 3);
  const F32 g = in.f32("g"), x = in.f32("x"), out = in.f32("out");
  in.holds(x, g.len, "x");
  in.holds(out, g.len, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::mask_positive(g.data, x.data, out.data, g.len); });
  return nullptr;
}

// reduceBlock(mean, x, out, outer, mid, inner): out[m] = the sum (or mean) of x viewed as [outer, mid, inner] over o and i.
napi_value ReduceBlock(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "reduceBlock", 6);
  const bool mean = in.boolean("mean");
  const F32 x = in.f32("x"), out = in.f32("out");
  const Count outer = in.size("outer"), mid = in.size("mid"), inner = in.size("inner");
  in.holds(x, in.shape({outer, mid, inner}, "outer × mid × inner"), "x");
  in.holds(out, mid, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::reduce_block(mean, x.data, out.data, (int64_t)outer, (int64_t)mid, (int64_t)inner); });
  return nullptr;
}

// columnSums(mean, x, out, rows, cols): out[c] = the sum (or mean) over r of x [rows, cols], in float in row order.
napi_value ColumnSums(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "columnSums", 5);
  const bool mean = in.boolean("mean");
  const F32 x = in.f32("x"), out = in.f32("out");
  const Count rows = in.size("rows"), cols = in.size("cols");
  in.holds(x, in.shape({rows, cols}, "rows × cols"), "x");
  in.holds(out, cols, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::column_sums(mean, x.data, out.data, (int64_t)rows, (int64_t)cols); });
  return nullptr;
}

// byteRows(bytes, rows, table, out, size): out[r·size + c] = table[bytes[rows[r]·size + c]] for every r of rows.
napi_value ByteRows(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "byteRows", 5);
  Count nbytes = 0, count = 0;
  const uint8_t* bytes = in.u8("bytes", &nbytes);
  const int32_t* rows = in.i32("rows", &count);
  const F32 table = in.f32("table"), out = in.f32("out");
  const Count size = in.size("size");
  in.holds(table, 256, "table");
  in.holds(out, in.shape({count, size}, "rows × size"), "out");
  if (!in.ok() || count == 0 || size == 0) return nullptr;
  // Every row read must lie inside bytes.
  const Count images = nbytes / size;
  for (Count r = 0; r < count; r++)
    if (!in.require(rows[r] >= 0 && (Count)rows[r] < images, "rows[%llu] = %d is not an image of bytes (it holds %llu of %llu bytes each)",
                    (unsigned long long)r, (int)rows[r], (unsigned long long)images, (unsigned long long)size))
      return nullptr;
  in_kernel_mode([&] { dlf::byte_rows(bytes, rows, (int64_t)count, (int64_t)size, table.data, out.data); });
  return nullptr;
}

// softmax(x, out, rows, cols, log): the softmax (or log-softmax) of each row of x [rows, cols].
napi_value Softmax(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "softmax", 5);
  const F32 x = in.f32("x"), out = in.f32("out");
  const Count rows = in.size("rows"), cols = in.size("cols");
  const bool log = in.boolean("log");
  const Count n = in.shape({rows, cols}, "rows × cols");
  in.holds(x, n, "x");
  in.holds(out, n, "out");
  if (!in.ok() || n == 0) return nullptr;  // empty rows (or none): nothing to write
  in_kernel_mode([&] { dlf::softmax_rows(x.data, out.data, (int64_t)rows, (int64_t)cols, log); });
  return nullptr;
}

// softmaxXent(logits, labels, out, rows, cols): out[r] = the cross-entropy of row r against the class labels[r].
napi_value SoftmaxXent(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "softmaxXent", 5);
  const F32 x = in.f32("logits"), y = in.f32("labels"), out = in.f32("out");
  const Count rows = in.size("rows"), cols = in.size("cols");
  in.holds(x, in.shape({rows, cols}, "rows × cols"), "logits");
  in.holds(y, rows, "labels");
  in.holds(out, rows, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::softmax_xent_rows(x.data, y.data, out.data, (int64_t)rows, (int64_t)cols); });
  return nullptr;
}

// ---- the optimizer updates: every buffer holds at least as many floats as w, which sets the length ----

// sgdStep(w, g, lr)
napi_value SgdStep(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "sgdStep", 3);
  const F32 w = in.f32("w"), g = in.f32("g");
  const double lr = in.number("lr");
  in.holds(g, w.len, "g");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::sgd_step(w.data, g.data, w.len, lr); });
  return nullptr;
}

// momentumStep(w, g, buf, lr, mu, nesterov)
napi_value MomentumStep(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "momentumStep", 6);
  const F32 w = in.f32("w"), g = in.f32("g"), buf = in.f32("buf");
  const double lr = in.number("lr"), mu = in.number("mu");
  const bool nesterov = in.boolean("nesterov");
  in.holds(g, w.len, "g");
  in.holds(buf, w.len, "buf");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::momentum_step(w.data, g.data, buf.data, w.len, lr, mu, nesterov); });
  return nullptr;
}

// adagradStep(w, g, sum, lr, eps)
napi_value AdagradStep(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "adagradStep", 5);
  const F32 w = in.f32("w"), g = in.f32("g"), sum = in.f32("sum");
  const double lr = in.number("lr"), eps = in.number("eps");
  in.holds(g, w.len, "g");
  in.holds(sum, w.len, "sum");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::adagrad_step(w.data, g.data, sum.data, w.len, lr, eps); });
  return nullptr;
}

// rmspropStep(w, g, sq, buf | null, lr, rho, mu, eps): without buf, no momentum.
napi_value RmspropStep(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "rmspropStep", 8);
  const F32 w = in.f32("w"), g = in.f32("g"), sq = in.f32("sq"), buf = in.f32_or_null("buf");
  const double lr = in.number("lr"), rho = in.number("rho"), mu = in.number("mu"), eps = in.number("eps");
  in.holds(g, w.len, "g");
  in.holds(sq, w.len, "sq");
  if (buf.present) in.holds(buf, w.len, "buf");
  if (!in.ok()) return nullptr;
  // The kernel takes a null buf for none; a present one of w's length is not null unless w is empty.
  in_kernel_mode([&] { dlf::rmsprop_step(w.data, g.data, sq.data, buf.present ? buf.data : nullptr, w.len, lr, rho, mu, eps); });
  return nullptr;
}

// adamStep(w, g, m, v, b1, b2, lrT, epsT)
napi_value AdamStep(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "adamStep", 8);
  const F32 w = in.f32("w"), g = in.f32("g"), m = in.f32("m"), s = in.f32("v");
  const double b1 = in.number("b1"), b2 = in.number("b2"), lr = in.number("lrT"), eps = in.number("epsT");
  in.holds(g, w.len, "g");
  in.holds(m, w.len, "m");
  in.holds(s, w.len, "v");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::adam_step(w.data, g.data, m.data, s.data, w.len, b1, b2, lr, eps); });
  return nullptr;
}

// decayStep(w, rate)
napi_value DecayStep(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "decayStep", 2);
  const F32 w = in.f32("w");
  const double rate = in.number("rate");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::decay_step(w.data, w.len, rate); });
  return nullptr;
}

// penaltyGrad(w, g, l1, l2)
napi_value PenaltyGrad(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "penaltyGrad", 4);
  const F32 w = in.f32("w"), g = in.f32("g");
  const double l1 = in.number("l1"), l2 = in.number("l2");
  in.holds(g, w.len, "g");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::penalty_grad(w.data, g.data, w.len, l1, l2); });
  return nullptr;
}

// ---- the convolutions and pooling, whose geometry comes as an Int32Array ----

/** The three buffer roles of a conv kernel: x-like [n, c, h, w], w-like [f, c, kh, kw], g-like [n, f, oh, ow]. */
enum ConvArg { CONV_X, CONV_W, CONV_G };

/**
 * Reads the three buffers and the geometry [n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl]
 * of a conv kernel, in the order it takes them, and checks them: every dimension and both strides
 * positive, the GEMM's dimensions (c·kh·kw, oh·ow and f) below 2^30, the per-thread scratch buffers
 * within dlf::kMaxConvScratch floats, and each buffer as long as its role says.
 */
void conv_args(ArgReader& in, const ConvArg (&roles)[3], const char* const (&names)[3], F32 (&bufs)[3], dlf::ConvGeom* d) {
  for (int i = 0; i < 3; i++) bufs[i] = in.f32(names[i]);
  int64_t g[15];
  in.geometry("geometry", g, 15);
  *d = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14]};
  if (!in.require(d->n > 0 && d->c > 0 && d->h > 0 && d->w > 0 && d->f > 0 && d->kh > 0 && d->kw > 0 && d->oh > 0 && d->ow > 0,
                  "conv dimensions must be positive") ||
      !in.require(d->sh > 0 && d->sw > 0, "conv strides must be positive"))
    return;
  // Each value is below 2^31, so a product of two fits; shape() checks the longer ones.
  const Count K = in.shape({(Count)d->c, (Count)d->kh, (Count)d->kw}, "c × kh × kw"), P = (Count)(d->oh * d->ow);
  in.require(K < kMaxDim && P < kMaxDim && (Count)d->f < kMaxDim, "conv c × kh × kw, oh × ow and f must be below 2^30");
  in.require(dlf::conv_scratch_fits(*d), "the column matrix or padded sample would exceed 2^31 floats");
  const Count size[3] = {in.shape({(Count)d->n, (Count)d->c, (Count)d->h, (Count)d->w}, "n × c × h × w"), mul((Count)d->f, K),
                         in.shape({(Count)d->n, (Count)d->f, P}, "n × f × oh × ow")};
  for (int i = 0; i < 3; i++) in.holds(bufs[i], size[roles[i]], names[i]);
}

void conv_oom(napi_env env) { napi_throw_error(env, nullptr, "dlf native: out of memory for the convolution buffers"); }

// conv2d(x, w, out, geometry)
napi_value Conv2d(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "conv2d", 4);
  F32 b[3];
  dlf::ConvGeom d;
  conv_args(in, {CONV_X, CONV_W, CONV_G}, {"x", "w", "out"}, b, &d);
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d(b[0].data, b[1].data, b[2].data, d); })) conv_oom(env);
  return nullptr;
}

// conv2dBiasAct(x, w, out, geometry, bias, relu): out = act(conv2d(x, w) + bias[f]).
napi_value Conv2dBiasAct(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "conv2dBiasAct", 6);
  F32 b[3];
  dlf::ConvGeom d;
  conv_args(in, {CONV_X, CONV_W, CONV_G}, {"x", "w", "out"}, b, &d);
  const F32 bias = in.f32("bias");
  const bool relu = in.boolean("relu");
  in.holds(bias, (Count)d.f, "bias");
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d(b[0].data, b[1].data, b[2].data, d, bias.data, relu); })) conv_oom(env);
  return nullptr;
}

// conv2dGradInput(grad, w, out, geometry)
napi_value Conv2dGradInput(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "conv2dGradInput", 4);
  F32 b[3];
  dlf::ConvGeom d;
  conv_args(in, {CONV_G, CONV_W, CONV_X}, {"grad", "w", "out"}, b, &d);
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d_grad_input(b[0].data, b[1].data, b[2].data, d); })) conv_oom(env);
  return nullptr;
}

// conv2dGradWeight(x, grad, out, geometry)
napi_value Conv2dGradWeight(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "conv2dGradWeight", 4);
  F32 b[3];
  dlf::ConvGeom d;
  conv_args(in, {CONV_X, CONV_G, CONV_W}, {"x", "grad", "out"}, b, &d);
  if (in.ok() && !in_kernel_mode([&] { return dlf::conv2d_grad_weight(b[0].data, b[1].data, b[2].data, d); })) conv_oom(env);
  return nullptr;
}

// pool2d(mode, a, b | null, out, geometry): see dlf::pool2d for what a and b are per mode; the
// geometry is [planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl].
napi_value Pool2d(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "pool2d", 5);
  const Count mode = in.size("mode");
  const F32 a = in.f32("a"), b = in.f32_or_null("b"), out = in.f32("out");
  int64_t g[11];
  in.geometry("geometry", g, 11);
  const dlf::PoolGeom d = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10]};
  in.require(mode <= dlf::POOL_MAX_GRAD_MASKED, "mode must be 0 to %d, got %llu", dlf::POOL_MAX_GRAD_MASKED, (unsigned long long)mode);
  in.require(d.sh > 0 && d.sw > 0, "pool strides must be positive");
  const Count cells = in.shape({(Count)d.planes, (Count)d.h, (Count)d.w}, "planes × h × w");
  const Count pooled = in.shape({(Count)d.planes, (Count)d.oh, (Count)d.ow}, "planes × oh × ow");
  const bool max_grad = mode == dlf::POOL_MAX_GRAD || mode == dlf::POOL_MAX_GRAD_MASKED;
  const bool avg_grad = mode == dlf::POOL_AVG_GRAD;
  if (!in.ok()) return nullptr;
  if (pooled == 0) {
    // No window: a gradient is all zeros, a pooling writes nothing.
    if (max_grad || avg_grad) {
      if (!in.holds(out, cells, "out")) return nullptr;
      for (Count i = 0; i < cells; i++) out.data[i] = 0;
    }
    return nullptr;
  }
  // Every window must hold a real cell: the first one must end inside the plane, the last start in
  // it (values below 2^31, so these products fit).
  if (!in.require(d.h > 0 && d.w > 0 && d.kh > d.pt && d.kw > d.pl && (d.oh - 1) * d.sh - d.pt < d.h && (d.ow - 1) * d.sw - d.pl < d.w,
                  "a pooling window holds no cell of the plane"))
    return nullptr;
  // Per mode: a is x (or the pooled gradient for avg-grad); b the pooled gradient (max-grad) or u (max-pick).
  const bool has_b = max_grad || mode == dlf::POOL_MAX_PICK;
  in.holds(a, avg_grad ? pooled : cells, "a");
  in.require(!has_b || b.present, "mode %llu needs b", (unsigned long long)mode);
  in.holds(b, has_b ? (max_grad ? pooled : cells) : 0, "b");
  in.holds(out, max_grad || avg_grad ? cells : pooled, "out");
  if (!in.ok()) return nullptr;
  in_kernel_mode([&] { dlf::pool2d((int)mode, a.data, has_b ? b.data : nullptr, out.data, d); });
  return nullptr;
}

napi_value make_bool(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

napi_value make_str(napi_env env, const char* s) {
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}

napi_value make_int(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

const char* level_name(int level) { return level >= 2 ? "avx512" : level == 1 ? "avx2" : "portable"; }

// info(): what the CPU has, the level and micro-kernel in use, whether the kernels flush denormals
// (ftz, daz: the mode they compute in, read inside a kernel call's scope) and the calling thread's
// own mode outside the calls (callerFtz, callerDaz), which the addon leaves as it found it.
napi_value Info(napi_env env, napi_callback_info) {
  const dlf::CpuInfo& c = dlf::cpu();
  bool ftz, daz, caller_ftz, caller_daz;
  dlf::read_ftz(&caller_ftz, &caller_daz);
  in_kernel_mode([&] { dlf::read_ftz(&ftz, &daz); });
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "arch", make_str(env, c.x86 ? "x86_64" :
#if defined(__aarch64__)
    "arm64"
#else
    "other"
#endif
  ));
  napi_set_named_property(env, o, "avx512f", make_bool(env, c.avx512f));
  napi_set_named_property(env, o, "avx512vl", make_bool(env, c.avx512vl));
  napi_set_named_property(env, o, "avx2", make_bool(env, c.avx2));
  napi_set_named_property(env, o, "fma", make_bool(env, c.fma));
  napi_set_named_property(env, o, "level", make_int(env, c.level));
  napi_set_named_property(env, o, "maxLevel", make_int(env, dlf::max_level()));
  napi_set_named_property(env, o, "levelName", make_str(env, level_name(c.level)));
  napi_set_named_property(env, o, "gemmKernel", make_str(env, dlf::gemm_kernel_name()));
  napi_set_named_property(env, o, "ftz", make_bool(env, ftz));
  napi_set_named_property(env, o, "daz", make_bool(env, daz));
  napi_set_named_property(env, o, "callerFtz", make_bool(env, caller_ftz));
  napi_set_named_property(env, o, "callerDaz", make_bool(env, caller_daz));
  napi_set_named_property(env, o, "threads", make_int(env, dlf::threads()));
  napi_set_named_property(env, o, "hardwareThreads", make_int(env, dlf::hardware_threads()));
  return o;
}

// setLevel(n): lower the dispatch level (tests run every micro-kernel the CPU can); returns the level in force.
napi_value SetLevel(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "setLevel", 1);
  const Count level = in.size("level");
  return in.ok() ? make_int(env, dlf::set_level(level > 2 ? 2 : (int)level)) : nullptr;
}

// setThreads(n): the threads the conv kernels and large GEMMs use (1 to 16); returns the count in force.
napi_value SetThreads(napi_env env, napi_callback_info cb) {
  ArgReader in(env, cb, "setThreads", 1);
  const Count n = in.size("threads");
  return in.ok() ? make_int(env, dlf::set_threads(n > 16 ? 16 : (int)n)) : nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  dlf::init_cpu(2);
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmulBiasAct", nullptr, MatmulBiasAct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"momentumStep", nullptr, MomentumStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adagradStep", nullptr, AdagradStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmspropStep", nullptr, RmspropStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decayStep", nullptr, DecayStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"penaltyGrad", nullptr, PenaltyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBiasAct", nullptr, Conv2dBiasAct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dGradInput", nullptr, Conv2dGradInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dGradWeight", nullptr, Conv2dGradWeight, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool2d", nullptr, Pool2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binaryChannel", nullptr, BinaryChannel, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setLevel", nullptr, SetLevel, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxXent", nullptr, SoftmaxXent, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maskPositive", nullptr, MaskPositive, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceBlock", nullptr, ReduceBlock, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"columnSums", nullptr, ColumnSums, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"byteRows", nullptr, ByteRows, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
