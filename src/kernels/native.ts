// The native kernels: a Node-API addon (native/, built by `npm install` into
// build/Release/dlf_native.node) that fills part of the kernel interface; everything it does not
// cover, and every call on float64 buffers (the gradient check), goes to the TypeScript reference.
// The addon works on the Float32Arrays' own memory: nothing is copied. Its functions, their types
// and op codes come from its table, native/kernels.def (here through native-api.ts, made from it).
// Loading is lazy and never throws: a missing or broken addon is reported with the reason, and the
// caller falls back.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Buf } from '../tensor/buffer.js';
import { packageRoot } from '../package-root.js';
import type { Conv2dDims, Kernels, Pool2dDims, ReducePlan, UnaryOp } from './kernels.js';
import { BINARY_OP, NATIVE_FUNCTIONS, type NativeAddon, POOL_MODE, RECURRENT_CELL, UNARY_OP } from './native-api.js';
import { withOverrides } from './overrides.js';
import { tsKernels } from './ts/index.js';

export type NativeStatus =
  | { readonly available: true; readonly path: string; readonly addon: NativeAddon; readonly kernels: Kernels }
  | { readonly available: false; readonly path: string; readonly reason: string };

/** Where `npm install` puts the addon: build/Release/ at the package root. */
export const NATIVE_ADDON_PATH = join(packageRoot(), 'build', 'Release', 'dlf_native.node');

let loaded: NativeStatus | undefined;

/**
 * The thread count DLF_THREADS asks the native kernels for (an integer from 1 to 16), or undefined
 * when it is unset (the addon then uses every hardware thread, up to 16).
 */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.DLF_THREADS?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new UsageError(`DLF_THREADS must be an integer from 1 to 16, got '${raw}'`, 'unset it to use every core');
  }
  return n;
}

/**
 * Loads the addon once, with the thread count DLF_THREADS asks for (every hardware thread when it
 * is unset; results are the same for any count); says why when it cannot load. A bad DLF_THREADS
 * is a usage error.
 */
export function nativeStatus(): NativeStatus {
  if (loaded) return loaded;
  const threads = threadsFromEnv();
  const path = NATIVE_ADDON_PATH;
  if (!existsSync(path)) {
    loaded = {
      available: false,
      path,
      reason: `the addon was not built (no ${path}); \`npm run build:native\` builds it with a C++ compiler, python3 and make`,
    };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const missing = NATIVE_FUNCTIONS.filter((f) => typeof addon[f] !== 'function');
    if (missing.length) {
      loaded = {
        available: false,
        path,
        reason: `the addon at ${path} is out of date (it lacks ${missing.join(', ')}); rebuild it with \`npm run build:native\``,
      };
    } else {
      addon.setThreads(threads ?? addon.info().hardwareThreads);
      loaded = { available: true, path, addon, kernels: nativeKernels(addon) };
    }
  } catch (e) {
    loaded = { available: false, path, reason: `the addon at ${path} failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  return loaded;
}

/**
 * Below this many elements an elementwise call stays in TypeScript: a Node-API call costs about
 * 0.2 µs, which the reference beats on short buffers (a bias row, a scalar). Only calls whose
 * results are the same either way take this shortcut (+ − × ÷, comparisons, the exactly rounded
 * unary maps and the optimizer updates); exp, log, tanh, sigmoid and general powers always run
 * native, so that their last bit never depends on a buffer's length (a batch size).
 */
export const NATIVE_MIN_ELEMENTS = 128;

/** Unary maps whose native result is bit-identical to the reference's. */
const EXACT_UNARY = new Set<UnaryOp>(['neg', 'sqrt', 'relu', 'leaky_relu', 'step']);

/**
 * The geometry arrays the addon reads (native/addon.cc), made once per plan-time dims object: a
 * conv as [n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl], a pool as
 * [planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl].
 */
const geometries = new WeakMap<object, Int32Array>();

function convGeometry(d: Conv2dDims): Int32Array {
  let g = geometries.get(d);
  if (!g) {
    g = Int32Array.from([d.n, d.c, d.h, d.w, d.f, d.kh, d.kw, d.oh, d.ow, d.sh, d.sw, d.dh, d.dw, d.pt, d.pl]);
    geometries.set(d, g);
  }
  return g;
}

function poolGeometry(d: Pool2dDims): Int32Array {
  let g = geometries.get(d);
  if (!g) {
    g = Int32Array.from([d.planes, d.h, d.w, d.oh, d.ow, d.kh, d.kw, d.sh, d.sw, d.pt, d.pl]);
    geometries.set(d, g);
  }
  return g;
}

/** Whether a conv geometry has no empty dimension (the addon takes only those; the reference does the rest). */
const convNonEmpty = (d: Conv2dDims): boolean => d.n > 0 && d.c > 0 && d.h > 0 && d.w > 0 && d.f > 0 && d.kh > 0 && d.kw > 0 && d.oh > 0 && d.ow > 0;

/**
 * The row count of a reduction that sums x viewed as [rows, cols] over its rows (kept offsets
 * 0 … cols−1, reduced offsets r·cols), or 0 for any other plan; worked out once per plan.
 */
const columnPlans = new WeakMap<ReducePlan, number>();

function columnRows(plan: ReducePlan): number {
  let rows = columnPlans.get(plan);
  if (rows === undefined) {
    const { kept, red } = plan;
    const cols = kept.length;
    let ok = plan.innerKept && !plan.block && cols > 0 && red.length > 0;
    for (let o = 0; ok && o < cols; o++) ok = kept[o] === o;
    for (let r = 0; ok && r < red.length; r++) ok = red[r] === r * cols;
    rows = ok ? red.length : 0;
    columnPlans.set(plan, rows);
  }
  return rows;
}

/** Float32Array, told apart from Float64Array without depending on the realm. */
const f32 = (x: Buf): x is Float32Array => x.BYTES_PER_ELEMENT === 4;

/**
 * The kernel set over an addon: float32 calls go native, everything else to the reference, and
 * elementwise calls shorter than `minElements` too.
 */
export function nativeKernels(addon: NativeAddon, minElements: number = NATIVE_MIN_ELEMENTS): Kernels {
  const ts = tsKernels;
  return withOverrides(ts, 'native', {
    matmul(a, b, out, d) {
      if (f32(a) && f32(b) && f32(out)) addon.matmul(a, b, out, d.batch, d.m, d.n, d.k, d.transA, d.transB, d.strideA, d.strideB);
      else ts.matmul(a, b, out, d);
    },
    matmulBiasAct(a, b, bias, out, d, act) {
      if (f32(a) && f32(b) && f32(bias) && f32(out))
        addon.matmulBiasAct(a, b, bias, out, d.batch, d.m, d.n, d.k, d.transA, d.transB, d.strideA, d.strideB, act === 'relu');
      else ts.matmulBiasAct(a, b, bias, out, d, act);
    },
    // Convolutions on float32 buffers run natively (lowered to the GEMM, on every thread the addon
    // has), whatever path the plan chose for the reference; float64 ones (the gradient check) and
    // empty ones stay in TypeScript.
    conv2d: (x, w, out, d) => (f32(x) && f32(w) && f32(out) && convNonEmpty(d) ? addon.conv2d(x, w, out, convGeometry(d)) : ts.conv2d(x, w, out, d)),
    conv2dBiasAct(x, w, bias, out, d, act) {
      if (f32(x) && f32(w) && f32(bias) && f32(out) && convNonEmpty(d)) addon.conv2dBiasAct(x, w, out, convGeometry(d), bias, act === 'relu');
      else ts.conv2dBiasAct(x, w, bias, out, d, act);
    },
    conv2dGradInput: (g, w, out, d) =>
      f32(g) && f32(w) && f32(out) && convNonEmpty(d) ? addon.conv2dGradInput(g, w, out, convGeometry(d)) : ts.conv2dGradInput(g, w, out, d),
    conv2dGradWeight: (x, g, out, d) =>
      f32(x) && f32(g) && f32(out) && convNonEmpty(d) ? addon.conv2dGradWeight(x, g, out, convGeometry(d)) : ts.conv2dGradWeight(x, g, out, d),
    // Row softmaxes in double like the reference, with the C library's exp and log (which may
    // differ from Math.exp in the last bit of a double, as the native exp op does).
    softmax(x, out, d, log) {
      if (f32(x) && f32(out)) addon.softmax(x, out, d.rows, d.cols, log);
      else ts.softmax(x, out, d, log);
    },
    softmaxXent(logits, labels, out, d) {
      if (f32(logits) && f32(labels) && f32(out)) addon.softmaxXent(logits, labels, out, d.rows, d.cols);
      else ts.softmaxXent(logits, labels, out, d);
    },
    // Per-row mean squared error in double in the reference's order: the same bits.
    mse(a, b, out, d) {
      if (d.rows * d.cols >= minElements && f32(a) && f32(b) && f32(out)) addon.mse(a, b, out, d.rows, d.cols);
      else ts.mse(a, b, out, d);
    },
    maskPositive(g, x, out) {
      if (out.length >= minElements && f32(g) && f32(x) && f32(out)) addon.maskPositive(g, x, out);
      else ts.maskPositive(g, x, out);
    },
    // Per-channel sums and means (conv bias gradients) in eight double lanes: within rounding of the
    // reference's single running sum. Maxima and other layouts stay in TypeScript.
    // Sums over the leading axis (a dense layer's bias gradient) in float32 in row order: the
    // reference's own order, so the same bits.
    reduce(op, x, out, plan) {
      const b = plan.block;
      if (op === 'max' || !f32(x) || !f32(out) || x.length < minElements) return ts.reduce(op, x, out, plan);
      if (b) return addon.reduceBlock(op === 'mean', x, out, b.outer, b.mid, b.inner);
      const rows = columnRows(plan);
      if (rows > 0) return addon.columnSums(op === 'mean', x, out, rows, plan.kept.length);
      ts.reduce(op, x, out, plan);
    },
    // Gathers through an offset table (broadcast_to, transposes that move single elements): the same values.
    gather(x, out, plan) {
      if (f32(x) && f32(out) && plan.src.length >= minElements) addon.gather(x, plan.src, out);
      else ts.gather(x, out, plan);
    },
    // Runs of contiguous elements (slice, pad, concat, transposes that keep the trailing axes): the same values.
    copyRows(x, out, plan) {
      if (f32(x) && f32(out) && plan.src.length * plan.len >= minElements) addon.copyRows(x, out, plan.src, plan.dst, plan.len);
      else ts.copyRows(x, out, plan);
    },
    byteRows(bytes, rows, table, out, size) {
      if (f32(out) && rows.length * size >= minElements) addon.byteRows(bytes, rows, table, out, size);
      else ts.byteRows(bytes, rows, table, out, size);
    },
    // Pooling: the same comparisons and double sums as the reference, so the same bits.
    maxPool2d: (x, out, d) => (f32(x) && f32(out) ? addon.pool2d(POOL_MODE.max, x, null, out, poolGeometry(d)) : ts.maxPool2d(x, out, d)),
    maxPool2dGrad: (x, g, out, d, mask = false) =>
      f32(x) && f32(g) && f32(out)
        ? addon.pool2d(mask ? POOL_MODE.max_grad_masked : POOL_MODE.max_grad, x, g, out, poolGeometry(d))
        : ts.maxPool2dGrad(x, g, out, d, mask),
    maxPool2dPick: (x, u, out, d) =>
      f32(x) && f32(u) && f32(out) ? addon.pool2d(POOL_MODE.max_pick, x, u, out, poolGeometry(d)) : ts.maxPool2dPick(x, u, out, d),
    avgPool2d: (x, out, d) => (f32(x) && f32(out) ? addon.pool2d(POOL_MODE.avg, x, null, out, poolGeometry(d)) : ts.avgPool2d(x, out, d)),
    avgPool2dGrad: (g, out, d) => (f32(g) && f32(out) ? addon.pool2d(POOL_MODE.avg_grad, g, null, out, poolGeometry(d)) : ts.avgPool2dGrad(g, out, d)),
    // Recurrent scans: a GEMM per step over the batch, threads over the hidden units (native/recurrent.cc).
    recurrentForward(xg, whh, bhn, mask, out, d) {
      if (f32(xg) && f32(whh) && f32(mask) && f32(out) && (bhn === null || f32(bhn)))
        addon.recurrentForward(RECURRENT_CELL[d.cell], xg, whh, bhn, mask, out, d.batch, d.steps, d.hidden, d.reverse);
      else ts.recurrentForward(xg, whh, bhn, mask, out, d);
    },
    recurrentBackward(packed, whh, mask, dpacked, out, d) {
      if (f32(packed) && f32(whh) && f32(mask) && f32(dpacked) && f32(out))
        addon.recurrentBackward(RECURRENT_CELL[d.cell], packed, whh, mask, dpacked, out, d.batch, d.steps, d.hidden, d.reverse);
      else ts.recurrentBackward(packed, whh, mask, dpacked, out, d);
    },
    binary(op, a, b, out, plan) {
      if (plan.n < minElements || !(f32(a) && f32(b) && f32(out))) return ts.binary(op, a, b, out, plan);
      const code = BINARY_OP[op];
      switch (plan.kind) {
        case 'same':
          return addon.binary(code, a, b, out, plan.n, 1, 1, 0, 0);
        case 'scalarB':
          return addon.binary(code, a, b, out, plan.n, 1, 0, 0, 0);
        case 'scalarA':
          return addon.binary(code, a, b, out, plan.n, 0, 1, 0, 0);
        case 'rowB':
          if (plan.row > 0) return addon.binary(code, a, b, out, plan.n, 1, 1, plan.row, 2);
          return ts.binary(op, a, b, out, plan);
        case 'rowA':
          if (plan.row > 0) return addon.binary(code, a, b, out, plan.n, 1, 1, plan.row, 1);
          return ts.binary(op, a, b, out, plan);
        case 'general': {
          const ch = plan.channel;
          if (ch) return addon.binaryChannel(code, a, b, out, plan.n, ch.side === 'a' ? 1 : 2, ch.mid, ch.inner);
          // Through the offset tables, on every thread (an attention mask against scores, a row
          // statistic against [B, L, D]): one float32 operation an element, as the reference.
          return addon.binaryOffsets(code, a, b, out, plan.aOff, plan.bOff);
        }
      }
    },
    unary(op, x, out, p) {
      const short = x.length < minElements && (EXACT_UNARY.has(op) || (op === 'pow' && p === 2));
      if (!short && f32(x) && f32(out)) addon.unary(UNARY_OP[op], x, out, p);
      else ts.unary(op, x, out, p);
    },
    abs(x, out) {
      if (x.length >= minElements && f32(x) && f32(out)) addon.unary(UNARY_OP.abs, x, out, 0);
      else ts.abs(x, out);
    },
    sign(x, out) {
      if (x.length >= minElements && f32(x) && f32(out)) addon.unary(UNARY_OP.sign, x, out, 0);
      else ts.sign(x, out);
    },
    sgdStep: (w, g, lr) => (w.length < minElements ? ts.sgdStep(w, g, lr) : addon.sgdStep(w, g, lr)),
    momentumStep: (w, g, buf, lr, mu, nesterov) =>
      w.length < minElements ? ts.momentumStep(w, g, buf, lr, mu, nesterov) : addon.momentumStep(w, g, buf, lr, mu, nesterov),
    adagradStep: (w, g, sum, lr, eps) => (w.length < minElements ? ts.adagradStep(w, g, sum, lr, eps) : addon.adagradStep(w, g, sum, lr, eps)),
    rmspropStep: (w, g, sq, buf, lr, rho, mu, eps) =>
      w.length < minElements ? ts.rmspropStep(w, g, sq, buf, lr, rho, mu, eps) : addon.rmspropStep(w, g, sq, buf, lr, rho, mu, eps),
    adamStep: (w, g, m, v, b1, b2, lrT, epsT) =>
      w.length < minElements ? ts.adamStep(w, g, m, v, b1, b2, lrT, epsT) : addon.adamStep(w, g, m, v, b1, b2, lrT, epsT),
    decayStep: (w, rate) => (w.length < minElements ? ts.decayStep(w, rate) : addon.decayStep(w, rate)),
    penaltyGrad: (w, g, l1, l2) => (w.length < minElements ? ts.penaltyGrad(w, g, l1, l2) : addon.penaltyGrad(w, g, l1, l2)),
  });
}
