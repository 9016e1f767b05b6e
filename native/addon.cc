// The Node-API face of the native kernels. Every function takes Float32Arrays and works on their
// memory in place (the data pointer already includes the view's byte offset): nothing is copied.
// Argument types and buffer lengths are checked here, so a wrong call throws instead of writing
// outside a buffer.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "dlf.h"

namespace {

struct F32 {
  float* data;
  size_t len;
};

#define NAPI_OK(call)                                   \
  do {                                                  \
    if ((call) != napi_ok) {                            \
      napi_throw_error(env, nullptr, "dlf native: " #call " failed"); \
      return false;                                     \
    }                                                   \
  } while (0)

bool fail(napi_env env, const char* msg) {
  napi_throw_type_error(env, nullptr, msg);
  return false;
}

bool get_f32(napi_env env, napi_value v, F32* out, const char* name) {
  bool is_ta = false;
  NAPI_OK(napi_is_typedarray(env, v, &is_ta));
  char msg[128];
  if (!is_ta) {
    std::snprintf(msg, sizeof msg, "dlf native: %s must be a Float32Array", name);
    return fail(env, msg);
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  NAPI_OK(napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset));
  if (type != napi_float32_array) {
    std::snprintf(msg, sizeof msg, "dlf native: %s must be a Float32Array", name);
    return fail(env, msg);
  }
  out->data = static_cast<float*>(data);
  out->len = length;
  return true;
}

bool get_f32_or_null(napi_env env, napi_value v, F32* out, const char* name) {
  napi_valuetype t;
  NAPI_OK(napi_typeof(env, v, &t));
  if (t == napi_null || t == napi_undefined) {
    out->data = nullptr;
    out->len = 0;
    return true;
  }
  return get_f32(env, v, out, name);
}

bool get_num(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) return fail(env, "dlf native: expected a number");
  return true;
}

bool get_int(napi_env env, napi_value v, int64_t* out, const char* name) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0 || d != std::floor(d)) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "dlf native: %s must be a non-negative integer", name);
    return fail(env, msg);
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool get_bool(napi_env env, napi_value v, bool* out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) return fail(env, "dlf native: expected a boolean");
  return true;
}

bool range(napi_env env, bool ok, const char* msg) {
  if (!ok) napi_throw_range_error(env, nullptr, msg);
  return ok;
}

template <size_t N>
bool args(napi_env env, napi_callback_info cb, napi_value (&argv)[N]) {
  size_t argc = N;
  if (napi_get_cb_info(env, cb, &argc, argv, nullptr, nullptr) != napi_ok || argc < N) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "dlf native: expected %zu arguments", N);
    return fail(env, msg);
  }
  return true;
}

// matmul(a, b, out, batch, m, n, k, transA, transB, strideA, strideB)
napi_value Matmul(napi_env env, napi_callback_info cb) {
  napi_value v[11];
  if (!args(env, cb, v)) return nullptr;
  F32 a, b, out;
  int64_t batch, m, n, k, sa, sb;
  bool ta, tb;
  if (!get_f32(env, v[0], &a, "a") || !get_f32(env, v[1], &b, "b") || !get_f32(env, v[2], &out, "out") ||
      !get_int(env, v[3], &batch, "batch") || !get_int(env, v[4], &m, "m") || !get_int(env, v[5], &n, "n") ||
      !get_int(env, v[6], &k, "k") || !get_bool(env, v[7], &ta) || !get_bool(env, v[8], &tb) ||
      !get_int(env, v[9], &sa, "strideA") || !get_int(env, v[10], &sb, "strideB"))
    return nullptr;
  if (!range(env, m < (1 << 30) && n < (1 << 30) && k < (1 << 30) && batch < (1 << 30), "dlf native: matmul dimensions too large"))
    return nullptr;
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  if (!range(env, (uint64_t)out.len >= (uint64_t)(batch * m * n), "dlf native: matmul out is shorter than batch*m*n") ||
      !range(env, k == 0 || (uint64_t)a.len >= (uint64_t)((batch - 1) * sa + m * k), "dlf native: matmul a is too short") ||
      !range(env, k == 0 || (uint64_t)b.len >= (uint64_t)((batch - 1) * sb + k * n), "dlf native: matmul b is too short"))
    return nullptr;
  if (!dlf::matmul(a.data, b.data, out.data, (int)batch, (int)m, (int)n, (int)k, ta, tb, (ptrdiff_t)sa, (ptrdiff_t)sb))
    napi_throw_error(env, nullptr, "dlf native: out of memory for the matmul packing buffers");
  return nullptr;
}

// binary(op, a, b, out, n, sa, sb, row, rowSide): sa/sb 0 or 1; row > 0 with rowSide 1 (a repeats) or 2 (b repeats)
napi_value Binary(napi_env env, napi_callback_info cb) {
  napi_value v[9];
  if (!args(env, cb, v)) return nullptr;
  F32 a, b, out;
  int64_t op, n, sa, sb, row, side;
  if (!get_int(env, v[0], &op, "op") || !get_f32(env, v[1], &a, "a") || !get_f32(env, v[2], &b, "b") ||
      !get_f32(env, v[3], &out, "out") || !get_int(env, v[4], &n, "n") || !get_int(env, v[5], &sa, "sa") ||
      !get_int(env, v[6], &sb, "sb") || !get_int(env, v[7], &row, "row") || !get_int(env, v[8], &side, "rowSide"))
    return nullptr;
  if (n == 0) return nullptr;
  if (!range(env, op <= dlf::OP_EQ && sa <= 1 && sb <= 1 && side <= 2, "dlf native: bad binary arguments")) return nullptr;
  const size_t N = (size_t)n;
  size_t need_a = sa ? N : 1, need_b = sb ? N : 1;
  if (row > 0) {
    if (!range(env, N % (size_t)row == 0 && side >= 1, "dlf native: binary row must divide n")) return nullptr;
    if (side == 1) need_a = (size_t)row;
    else need_b = (size_t)row;
  }
  if (!range(env, out.len >= N && a.len >= need_a && b.len >= need_b, "dlf native: binary buffers are too short")) return nullptr;
  dlf::binary((int)op, a.data, b.data, out.data, N, (int)sa, (int)sb, (size_t)row, (int)side);
  return nullptr;
}

// unary(op, x, out, p)
napi_value Unary(napi_env env, napi_callback_info cb) {
  napi_value v[4];
  if (!args(env, cb, v)) return nullptr;
  F32 x, out;
  int64_t op;
  double p;
  if (!get_int(env, v[0], &op, "op") || !get_f32(env, v[1], &x, "x") || !get_f32(env, v[2], &out, "out") || !get_num(env, v[3], &p))
    return nullptr;
  if (!range(env, op <= dlf::U_SIGN, "dlf native: bad unary op") || !range(env, out.len >= x.len, "dlf native: unary out is too short"))
    return nullptr;
  dlf::unary((int)op, x.data, out.data, x.len, p);
  return nullptr;
}

// reduceBlock(mean, x, out, outer, mid, inner): out[m] = the sum (or mean) of x viewed as [outer, mid, inner] over o and i.
napi_value ReduceBlock(napi_env env, napi_callback_info cb) {
  napi_value v[6];
  F32 x, out;
  bool mean;
  int64_t outer, mid, inner;
  if (!args(env, cb, v) || !get_bool(env, v[0], &mean) || !get_f32(env, v[1], &x, "x") || !get_f32(env, v[2], &out, "out") ||
      !get_int(env, v[3], &outer, "outer") || !get_int(env, v[4], &mid, "mid") || !get_int(env, v[5], &inner, "inner"))
    return nullptr;
  const double n = (double)outer * (double)mid * (double)inner;
  if (!range(env, outer >= 0 && mid >= 0 && inner >= 0 && n < 9e15, "dlf native: bad reduceBlock dimensions") ||
      !range(env, (double)x.len >= n, "dlf native: reduceBlock x is too short") ||
      !range(env, (int64_t)out.len >= mid, "dlf native: reduceBlock out is too short"))
    return nullptr;
  dlf::reduce_block(mean, x.data, out.data, outer, mid, inner);
  return nullptr;
}

// maskPositive(g, x, out): out = g · [x > 0] (all three the same length).
napi_value MaskPositive(napi_env env, napi_callback_info cb) {
  napi_value v[3];
  F32 g, x, out;
  if (!args(env, cb, v) || !get_f32(env, v[0], &g, "g") || !get_f32(env, v[1], &x, "x") || !get_f32(env, v[2], &out, "out")) return nullptr;
  if (!range(env, x.len >= g.len && out.len >= g.len, "dlf native: maskPositive buffers are too short")) return nullptr;
  dlf::mask_positive(g.data, x.data, out.data, g.len);
  return nullptr;
}

/** Reads rows and cols and checks that `n` floats hold rows × cols of them. */
bool rows_dims(napi_env env, napi_value r, napi_value c, int64_t* rows, int64_t* cols) {
  return get_int(env, r, rows, "rows") && get_int(env, c, cols, "cols") &&
         range(env, *rows >= 0 && *cols >= 0 && (double)*rows * (double)*cols < 9e15, "dlf native: bad row dimensions");
}

// softmax(x, out, rows, cols, log)
napi_value Softmax(napi_env env, napi_callback_info cb) {
  napi_value v[5];
  F32 x, out;
  int64_t rows, cols;
  bool log;
  if (!args(env, cb, v) || !get_f32(env, v[0], &x, "x") || !get_f32(env, v[1], &out, "out") || !rows_dims(env, v[2], v[3], &rows, &cols) ||
      !get_bool(env, v[4], &log))
    return nullptr;
  const double n = (double)rows * (double)cols;
  if (!range(env, (double)x.len >= n && (double)out.len >= n, "dlf native: softmax buffers are too short")) return nullptr;
  dlf::softmax_rows(x.data, out.data, rows, cols, log);
  return nullptr;
}

// softmaxXent(logits, labels, out, rows, cols)
napi_value SoftmaxXent(napi_env env, napi_callback_info cb) {
  napi_value v[5];
  F32 x, y, out;
  int64_t rows, cols;
  if (!args(env, cb, v) || !get_f32(env, v[0], &x, "logits") || !get_f32(env, v[1], &y, "labels") || !get_f32(env, v[2], &out, "out") ||
      !rows_dims(env, v[3], v[4], &rows, &cols))
    return nullptr;
  if (!range(env, (double)x.len >= (double)rows * (double)cols && (int64_t)y.len >= rows && (int64_t)out.len >= rows,
             "dlf native: softmaxXent buffers are too short"))
    return nullptr;
  dlf::softmax_xent_rows(x.data, y.data, out.data, rows, cols);
  return nullptr;
}

bool same_len(napi_env env, size_t n, const F32& o) { return range(env, o.data == nullptr || o.len >= n, "dlf native: optimizer buffers differ in length"); }

// sgdStep(w, g, lr)
napi_value SgdStep(napi_env env, napi_callback_info cb) {
  napi_value v[3];
  F32 w, g;
  double lr;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_f32(env, v[1], &g, "g") || !get_num(env, v[2], &lr) || !same_len(env, w.len, g))
    return nullptr;
  dlf::sgd_step(w.data, g.data, w.len, lr);
  return nullptr;
}

// momentumStep(w, g, buf, lr, mu, nesterov)
napi_value MomentumStep(napi_env env, napi_callback_info cb) {
  napi_value v[6];
  F32 w, g, buf;
  double lr, mu;
  bool nesterov;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_f32(env, v[1], &g, "g") || !get_f32(env, v[2], &buf, "buf") ||
      !get_num(env, v[3], &lr) || !get_num(env, v[4], &mu) || !get_bool(env, v[5], &nesterov) || !same_len(env, w.len, g) ||
      !same_len(env, w.len, buf))
    return nullptr;
  dlf::momentum_step(w.data, g.data, buf.data, w.len, lr, mu, nesterov);
  return nullptr;
}

// adagradStep(w, g, sum, lr, eps)
napi_value AdagradStep(napi_env env, napi_callback_info cb) {
  napi_value v[5];
  F32 w, g, sum;
  double lr, eps;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_f32(env, v[1], &g, "g") || !get_f32(env, v[2], &sum, "sum") ||
      !get_num(env, v[3], &lr) || !get_num(env, v[4], &eps) || !same_len(env, w.len, g) || !same_len(env, w.len, sum))
    return nullptr;
  dlf::adagrad_step(w.data, g.data, sum.data, w.len, lr, eps);
  return nullptr;
}

// rmspropStep(w, g, sq, buf | null, lr, rho, mu, eps)
napi_value RmspropStep(napi_env env, napi_callback_info cb) {
  napi_value v[8];
  F32 w, g, sq, buf;
  double lr, rho, mu, eps;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_f32(env, v[1], &g, "g") || !get_f32(env, v[2], &sq, "sq") ||
      !get_f32_or_null(env, v[3], &buf, "buf") || !get_num(env, v[4], &lr) || !get_num(env, v[5], &rho) || !get_num(env, v[6], &mu) ||
      !get_num(env, v[7], &eps) || !same_len(env, w.len, g) || !same_len(env, w.len, sq) || !same_len(env, w.len, buf))
    return nullptr;
  dlf::rmsprop_step(w.data, g.data, sq.data, buf.data, w.len, lr, rho, mu, eps);
  return nullptr;
}

// adamStep(w, g, m, v, b1, b2, lrT, epsT)
napi_value AdamStep(napi_env env, napi_callback_info cb) {
  napi_value v[8];
  F32 w, g, m, s;
  double b1, b2, lr, eps;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_f32(env, v[1], &g, "g") || !get_f32(env, v[2], &m, "m") ||
      !get_f32(env, v[3], &s, "v") || !get_num(env, v[4], &b1) || !get_num(env, v[5], &b2) || !get_num(env, v[6], &lr) ||
      !get_num(env, v[7], &eps) || !same_len(env, w.len, g) || !same_len(env, w.len, m) || !same_len(env, w.len, s))
    return nullptr;
  dlf::adam_step(w.data, g.data, m.data, s.data, w.len, b1, b2, lr, eps);
  return nullptr;
}

// decayStep(w, rate)
napi_value DecayStep(napi_env env, napi_callback_info cb) {
  napi_value v[2];
  F32 w;
  double rate;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_num(env, v[1], &rate)) return nullptr;
  dlf::decay_step(w.data, w.len, rate);
  return nullptr;
}

// penaltyGrad(w, g, l1, l2)
napi_value PenaltyGrad(napi_env env, napi_callback_info cb) {
  napi_value v[4];
  F32 w, g;
  double l1, l2;
  if (!args(env, cb, v) || !get_f32(env, v[0], &w, "w") || !get_f32(env, v[1], &g, "g") || !get_num(env, v[2], &l1) ||
      !get_num(env, v[3], &l2) || !same_len(env, w.len, g))
    return nullptr;
  dlf::penalty_grad(w.data, g.data, w.len, l1, l2);
  return nullptr;
}


// ---- typed arrays of other element types, and the geometry arrays of the conv and pool kernels ----

bool get_typed(napi_env env, napi_value v, napi_typedarray_type want, const char* type_name, void** data, size_t* len, const char* name) {
  bool is_ta = false;
  NAPI_OK(napi_is_typedarray(env, v, &is_ta));
  napi_typedarray_type type = napi_int8_array;
  napi_value ab;
  size_t offset;
  if (is_ta) NAPI_OK(napi_get_typedarray_info(env, v, &type, len, data, &ab, &offset));
  if (!is_ta || type != want) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "dlf native: %s must be a %s", name, type_name);
    return fail(env, msg);
  }
  return true;
}

bool get_i32(napi_env env, napi_value v, int32_t** data, size_t* len, const char* name) {
  void* p;
  if (!get_typed(env, v, napi_int32_array, "Int32Array", &p, len, name)) return false;
  *data = static_cast<int32_t*>(p);
  return true;
}

/** Reads `count` non-negative geometry values from an Int32Array into out. */
bool get_geom(napi_env env, napi_value v, int64_t* out, size_t count, const char* what) {
  int32_t* g;
  size_t len;
  if (!get_i32(env, v, &g, &len, what)) return false;
  if (!range(env, len >= count, "dlf native: the geometry array is too short")) return false;
  for (size_t i = 0; i < count; i++) {
    if (!range(env, g[i] >= 0, "dlf native: geometry values must be non-negative")) return false;
    out[i] = g[i];
  }
  return true;
}

/** Product of the values, in double (exact below 2^53). */
double prod(std::initializer_list<int64_t> xs) {
  double p = 1;
  for (int64_t x : xs) p *= (double)x;
  return p;
}

bool conv_geom(napi_env env, napi_value v, dlf::ConvGeom* d) {
  int64_t g[15];
  if (!get_geom(env, v, g, 15, "geometry")) return false;
  *d = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14]};
  const double K = prod({d->c, d->kh, d->kw}), P = prod({d->oh, d->ow});
  return range(env, d->n > 0 && d->f > 0 && K > 0 && P > 0 && d->h > 0 && d->w > 0, "dlf native: conv dimensions must be positive") &&
         range(env, d->sh > 0 && d->sw > 0, "dlf native: conv strides must be positive") &&
         range(env, K < (1 << 30) && P < (1 << 30) && d->f < (1 << 30) && prod({d->n, d->c, d->h, d->w}) < 9e15 && prod({d->n, d->f}) * P < 9e15,
               "dlf native: conv dimensions too large");
}

bool at_least(napi_env env, size_t len, double need, const char* msg) { return range(env, (double)len >= need, msg); }

/** Reads the three buffers and the geometry of a conv kernel and checks their lengths: x-like [n, c, h, w],
 *  w-like [f, c, kh, kw], g-like [n, f, oh, ow], in the order the kernel takes them. */
enum ConvArg { CONV_X, CONV_W, CONV_G };
bool conv_args(napi_env env, napi_callback_info cb, const char* name, const ConvArg (&kinds)[3], const char* const (&names)[3],
               float* (&bufs)[3], dlf::ConvGeom* d) {
  napi_value v[4];
  F32 f[3];
  if (!args(env, cb, v)) return false;
  for (int i = 0; i < 3; i++)
    if (!get_f32(env, v[i], &f[i], names[i])) return false;
  if (!conv_geom(env, v[3], d)) return false;
  const double K = prod({d->c, d->kh, d->kw}), P = prod({d->oh, d->ow});
  for (int i = 0; i < 3; i++) {
    const double need = kinds[i] == CONV_X ? prod({d->n, d->c, d->h, d->w}) : kinds[i] == CONV_W ? d->f * K : prod({d->n, d->f}) * P;
    char msg[96];
    std::snprintf(msg, sizeof msg, "dlf native: %s %s is too short", name, names[i]);
    if (!at_least(env, f[i].len, need, msg)) return false;
    bufs[i] = f[i].data;
  }
  return true;
}

void conv_oom(napi_env env) { napi_throw_error(env, nullptr, "dlf native: out of memory for the convolution buffers"); }

// conv2d(x, w, out, geometry)
napi_value Conv2d(napi_env env, napi_callback_info cb) {
  float* b[3];
  dlf::ConvGeom d;
  if (conv_args(env, cb, "conv2d", {CONV_X, CONV_W, CONV_G}, {"x", "w", "out"}, b, &d) && !dlf::conv2d(b[0], b[1], b[2], d)) conv_oom(env);
  return nullptr;
}

// conv2dBiasAct(x, w, out, geometry, bias, relu): out = act(conv2d(x, w) + bias[f]).
napi_value Conv2dBiasAct(napi_env env, napi_callback_info cb) {
  napi_value v[6];
  if (!args(env, cb, v)) return nullptr;
  float* b[3];
  dlf::ConvGeom d;
  F32 bias;
  bool relu;
  if (!conv_args(env, cb, "conv2dBiasAct", {CONV_X, CONV_W, CONV_G}, {"x", "w", "out"}, b, &d) || !get_f32(env, v[4], &bias, "bias") ||
      !get_bool(env, v[5], &relu) || !at_least(env, bias.len, (double)d.f, "dlf native: conv2dBiasAct bias is too short"))
    return nullptr;
  if (!dlf::conv2d(b[0], b[1], b[2], d, bias.data, relu)) conv_oom(env);
  return nullptr;
}

// conv2dGradInput(grad, w, out, geometry)
napi_value Conv2dGradInput(napi_env env, napi_callback_info cb) {
  float* b[3];
  dlf::ConvGeom d;
  if (conv_args(env, cb, "conv2dGradInput", {CONV_G, CONV_W, CONV_X}, {"grad", "w", "out"}, b, &d) &&
      !dlf::conv2d_grad_input(b[0], b[1], b[2], d))
    conv_oom(env);
  return nullptr;
}

// conv2dGradWeight(x, grad, out, geometry)
napi_value Conv2dGradWeight(napi_env env, napi_callback_info cb) {
  float* b[3];
  dlf::ConvGeom d;
  if (conv_args(env, cb, "conv2dGradWeight", {CONV_X, CONV_G, CONV_W}, {"x", "grad", "out"}, b, &d) &&
      !dlf::conv2d_grad_weight(b[0], b[1], b[2], d))
    conv_oom(env);
  return nullptr;
}

// pool2d(mode, a, b | null, out, geometry): see dlf::pool2d for what a and b are per mode.
napi_value Pool2d(napi_env env, napi_callback_info cb) {
  napi_value v[5];
  int64_t mode;
  F32 a, b, out;
  int64_t g[11];
  if (!args(env, cb, v) || !get_int(env, v[0], &mode, "mode") || !get_f32(env, v[1], &a, "a") || !get_f32_or_null(env, v[2], &b, "b") ||
      !get_f32(env, v[3], &out, "out") || !get_geom(env, v[4], g, 11, "geometry"))
    return nullptr;
  const dlf::PoolGeom d = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10]};
  if (!range(env, mode <= dlf::POOL_MAX_GRAD_MASKED, "dlf native: bad pool mode") ||
      !range(env, d.sh > 0 && d.sw > 0, "dlf native: pool strides must be positive"))
    return nullptr;
  const double in = prod({d.planes, d.h, d.w}), pooled = prod({d.planes, d.oh, d.ow});
  if (!range(env, in < 9e15 && pooled < 9e15, "dlf native: pool dimensions too large")) return nullptr;
  const bool max_grad = mode == dlf::POOL_MAX_GRAD || mode == dlf::POOL_MAX_GRAD_MASKED;
  if (pooled == 0) {
    if (max_grad || mode == dlf::POOL_AVG_GRAD) {
      if (!at_least(env, out.len, in, "dlf native: pool out is too short")) return nullptr;
      for (size_t i = 0; i < (size_t)in; i++) out.data[i] = 0;
    }
    return nullptr;
  }
  // Every window must hold a real cell: the first one must end inside the plane, the last start in it.
  if (!range(env, d.h > 0 && d.w > 0 && d.kh > d.pt && d.kw > d.pl && (d.oh - 1) * d.sh - d.pt < d.h && (d.ow - 1) * d.sw - d.pl < d.w,
             "dlf native: a pooling window holds no cell of the plane"))
    return nullptr;
  const bool grad_in = mode == dlf::POOL_AVG_GRAD;
  const bool has_b = max_grad || mode == dlf::POOL_MAX_PICK;
  const double b_need = max_grad ? pooled : in;
  const double out_need = max_grad || grad_in ? in : pooled;
  if (!at_least(env, a.len, grad_in ? pooled : in, "dlf native: pool input is too short") ||
      !range(env, !has_b || b.data != nullptr, "dlf native: pool needs its second input") ||
      !at_least(env, has_b ? b.len : 0, has_b ? b_need : 0, "dlf native: pool second input is too short") ||
      !at_least(env, out.len, out_need, "dlf native: pool out is too short"))
    return nullptr;
  dlf::pool2d((int)mode, a.data, b.data, out.data, d);
  return nullptr;
}

// binaryChannel(op, a, b, out, n, side, mid, inner): side 1 (a holds mid values) or 2 (b does), each
// value repeated over `inner` consecutive elements, the pattern repeated n / (mid·inner) times.
napi_value BinaryChannel(napi_env env, napi_callback_info cb) {
  napi_value v[8];
  if (!args(env, cb, v)) return nullptr;
  F32 a, b, out;
  int64_t op, n, side, mid, inner;
  if (!get_int(env, v[0], &op, "op") || !get_f32(env, v[1], &a, "a") || !get_f32(env, v[2], &b, "b") || !get_f32(env, v[3], &out, "out") ||
      !get_int(env, v[4], &n, "n") || !get_int(env, v[5], &side, "side") || !get_int(env, v[6], &mid, "mid") ||
      !get_int(env, v[7], &inner, "inner"))
    return nullptr;
  if (n == 0) return nullptr;
  if (!range(env, op <= dlf::OP_EQ && (side == 1 || side == 2) && mid > 0 && inner > 0 && mid * inner <= n && n % (mid * inner) == 0,
             "dlf native: bad binaryChannel arguments"))
    return nullptr;
  const size_t N = (size_t)n;
  const size_t need_a = side == 1 ? (size_t)mid : N, need_b = side == 2 ? (size_t)mid : N;
  if (!range(env, out.len >= N && a.len >= need_a && b.len >= need_b, "dlf native: binaryChannel buffers are too short")) return nullptr;
  dlf::binary_channel((int)op, a.data, b.data, out.data, N, (int)side, (size_t)mid, (size_t)inner);
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

// info(): what the CPU has, the level and micro-kernel in use, and the calling thread's FTZ/DAZ.
napi_value Info(napi_env env, napi_callback_info) {
  const dlf::CpuInfo& c = dlf::cpu();
  bool ftz, daz;
  dlf::read_ftz(&ftz, &daz);
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
  napi_set_named_property(env, o, "threads", make_int(env, dlf::threads()));
  napi_set_named_property(env, o, "hardwareThreads", make_int(env, dlf::hardware_threads()));
  return o;
}

// setLevel(n): lower the dispatch level (tests run every micro-kernel the CPU can); returns the level in force.
napi_value SetLevel(napi_env env, napi_callback_info cb) {
  napi_value v[1];
  int64_t level;
  if (!args(env, cb, v) || !get_int(env, v[0], &level, "level")) return nullptr;
  return make_int(env, dlf::set_level(level > 2 ? 2 : (int)level));
}

// setThreads(n): the threads the conv kernels and large GEMMs use (1 to 16); returns the count in force.
napi_value SetThreads(napi_env env, napi_callback_info cb) {
  napi_value v[1];
  int64_t n;
  if (!args(env, cb, v) || !get_int(env, v[0], &n, "threads")) return nullptr;
  return make_int(env, dlf::set_threads(n > 16 ? 16 : (int)n));
}

napi_value Init(napi_env env, napi_value exports) {
  dlf::init_cpu(2);
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
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
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
