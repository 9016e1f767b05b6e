// The TypeScript side of the native addon, made from its table (native/kernels.def) by
// scripts/gen-native-api.mjs: run it after changing the table, never edit this file by hand.
// test/kernels/native-registry.test.ts fails when the two disagree.

/** What info() returns: what the addon detected and chose. */
export interface NativeInfo {
  readonly arch: string;
  readonly avx512f: boolean;
  readonly avx512vl: boolean;
  readonly avx2: boolean;
  readonly fma: boolean;
  /** Dispatch level in force: 2 AVX-512, 1 AVX2+FMA, 0 portable C. */
  readonly level: number;
  /** The highest level this CPU supports. */
  readonly maxLevel: number;
  readonly levelName: string;
  /** The GEMM micro-kernel in use, e.g. "avx512 8x32". */
  readonly gemmKernel: string;
  /**
   * Flush-to-zero and denormals-are-zero in the kernels: the worker threads keep both on, and the
   * calling thread has them for the length of each kernel call (so results do not depend on the thread count).
   */
  readonly ftz: boolean;
  readonly daz: boolean;
  /**
   * The calling thread's own FTZ and DAZ outside kernel calls, which the addon leaves as it found
   * them: off in Node, so JavaScript keeps IEEE denormals (String(3e-310) is '3e-310').
   */
  readonly callerFtz: boolean;
  readonly callerDaz: boolean;
  /** Threads the threaded kernels use, and the CPU's hardware threads (capped at 16). */
  readonly threads: number;
  readonly hardwareThreads: number;
}

/** The addon's functions (native/addon.cc). */
export interface NativeAddon {
  /** out[t] = op(A[t]) · op(B[t]) for t < batch, A[t] at a + t·strideA (m×k after the transpose), B[t] at b + t·strideB (k×n). */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  /**
   * matmul's product, then out = act(out + bias) with bias one value per column (n of them) and act relu or none,
   * applied to each thread's band of columns right after its product (native/gemm.cc): the same bits as matmul, add and relu.
   */
  matmulBiasAct(a: Float32Array, b: Float32Array, bias: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number, relu: boolean): void;
  /**
   * out = a op b (BinaryOp). With row 0, sa and sb say whether a and b are full (1) or scalars (0; not both); with
   * row > 0 the side rowSide names (1 a, 2 b) repeats every `row` elements and the other side is full.
   */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, n: number, sa: number, sb: number, row: number, rowSide: number): void;
  /**
   * A channel broadcast (ChannelBroadcast): side 1 (a holds mid values) or 2 (b does), each value repeated over
   * `inner` consecutive elements, the pattern repeated n / (mid·inner) times.
   */
  binaryChannel(op: number, a: Float32Array, b: Float32Array, out: Float32Array, n: number, side: number, mid: number, inner: number): void;
  /** out = op(x) (UnaryOp) elementwise over x's length, p the power, slope or step value. */
  unary(op: number, x: Float32Array, out: Float32Array, p: number): void;
  /** out = g · [x > 0] (relu's gradient mask), bit for bit as the reference. */
  maskPositive(g: Float32Array, x: Float32Array, out: Float32Array): void;
  /** out[m] = Σ (or the mean) over o, i of x[(o·mid + m)·inner + i] (ReducePlan.block), in double in a fixed order. */
  reduceBlock(mean: boolean, x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
  /**
   * out[c] = Σ (or the mean) over r of x [rows, cols] (a dense layer's bias gradient), summed in float32 in row
   * order as the reference sums (native/rows.cc): the same bits.
   */
  columnSums(mean: boolean, x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /**
   * out[r·size + c] = table[bytes[rows[r]·size + c]] for every r of rows (Kernels.byteRows: a batch of byte-stored
   * images read as floats, native/rows.cc); every rows[r] must be an image of bytes and table hold 256 floats.
   */
  byteRows(bytes: Uint8Array, rows: Int32Array, table: Float32Array, out: Float32Array, size: number): void;
  /**
   * out[dst[r] + i] = x[src[r] + i] for i < len and every run r of src (Kernels.copyRows: slice, pad, concat and the
   * transposes that keep their trailing axes, native/rows.cc); dst holds at least as many runs and every run lies inside its buffer.
   */
  copyRows(x: Float32Array, out: Float32Array, src: Int32Array, dst: Int32Array, len: number): void;
  /** out[i] = x[src[i]] for every i of src (Kernels.gather: transpose and broadcast_to, native/rows.cc); every offset must lie inside x. */
  gather(x: Float32Array, src: Int32Array, out: Float32Array): void;
  /**
   * out[i] = a[aOff[i]] op b[bOff[i]] (BinaryOp) for every i of aOff: a `general` BroadcastPlan's offset tables (native/rows.cc),
   * each element one float32 operation as binary computes it; every offset must lie inside its buffer.
   */
  binaryOffsets(op: number, a: Float32Array, b: Float32Array, out: Float32Array, aOff: Int32Array, bOff: Int32Array): void;
  /** The softmax (or log-softmax) of each row of x [rows, cols], in double like rows.ts. */
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number, log: boolean): void;
  /** out[r] = the cross-entropy of softmax(logits row r) against the class labels[r]. */
  softmaxXent(logits: Float32Array, labels: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** out[r] = the mean over c of (a − b)² along row r of [rows, cols], in double like rows.ts: the same bits. */
  mse(a: Float32Array, b: Float32Array, out: Float32Array, rows: number, cols: number): void;
  sgdStep(w: Float32Array, g: Float32Array, lr: number): void;
  momentumStep(w: Float32Array, g: Float32Array, buf: Float32Array, lr: number, mu: number, nesterov: boolean): void;
  adagradStep(w: Float32Array, g: Float32Array, sum: Float32Array, lr: number, eps: number): void;
  /** Without buf, no momentum. */
  rmspropStep(w: Float32Array, g: Float32Array, sq: Float32Array, buf: Float32Array | null, lr: number, rho: number, mu: number, eps: number): void;
  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, lrT: number, epsT: number): void;
  decayStep(w: Float32Array, rate: number): void;
  penaltyGrad(w: Float32Array, g: Float32Array, l1: number, l2: number): void;
  /**
   * The convolutions (native/conv.cc), lowered to the GEMM on buffers of their own; `geometry` is
   * [n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl] (native.ts convGeometry).
   */
  conv2d(x: Float32Array, w: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** out = act(conv2d(x, w) + bias[f]), the epilogue applied to each sample as it is computed. */
  conv2dBiasAct(x: Float32Array, w: Float32Array, out: Float32Array, geometry: Int32Array, bias: Float32Array, relu: boolean): void;
  conv2dGradInput(grad: Float32Array, w: Float32Array, out: Float32Array, geometry: Int32Array): void;
  conv2dGradWeight(x: Float32Array, grad: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /**
   * Pooling by mode (PoolMode): a is x (or the gradient for avg-grad), b the gradient or u where the mode has one;
   * the geometry is [planes, h, w, oh, ow, kh, kw, sh, sw, pt, pl].
   */
  pool2d(mode: number, a: Float32Array, b: Float32Array | null, out: Float32Array, geometry: Int32Array): void;
  /**
   * The recurrent scans (native/recurrent.cc; layouts in src/kernels/ts/recurrent.ts) by cell (RecurrentCell): xg
   * [batch, steps, G·hidden], whh [hidden, G·hidden], bhn [hidden] for a GRU (else null), mask [batch, steps] (or [1, steps]), out
   * [batch, steps, P·hidden]; reverse runs from the last step to the first.
   */
  recurrentForward(cell: number, xg: Float32Array, whh: Float32Array, bhn: Float32Array | null, mask: Float32Array, out: Float32Array, batch: number, steps: number, hidden: number, reverse: boolean): void;
  /**
   * The backward pass: from the scan's output packed, whh, the mask and packed's gradient dpacked, out [batch, steps,
   * D·hidden] = the gradients of the pre-activations.
   */
  recurrentBackward(cell: number, packed: Float32Array, whh: Float32Array, mask: Float32Array, dpacked: Float32Array, out: Float32Array, batch: number, steps: number, hidden: number, reverse: boolean): void;
  /** What the CPU has and what the addon chose. */
  info(): NativeInfo;
  /** Lowers the dispatch level (0 portable, 1 AVX2, 2 AVX-512), capped by the CPU; returns the level in force. */
  setLevel(level: number): number;
  /** The threads the threaded kernels use (1 to 16; results do not depend on it); returns the count in force. */
  setThreads(threads: number): number;
}

/**
 * A parameter of the addon: a Float32Array (f32), one or null (f32?), an integer from 0 to
 * 2^53 − 1 (size), any number (num), a boolean (bool), an Int32Array of at least N non-negative
 * values (i32xN), an Int32Array of any length (i32s), a Uint8Array (u8).
 */
export type NativeParam = 'f32' | 'f32?' | 'size' | 'num' | 'bool' | `i32x${number}` | 'i32s' | 'u8';

/** Each function's parameters, in the order the addon reads them. */
export const NATIVE_SIGNATURES: { readonly [F in keyof NativeAddon]: readonly NativeParam[] } = {
  matmul: ['f32', 'f32', 'f32', 'size', 'size', 'size', 'size', 'bool', 'bool', 'size', 'size'],
  matmulBiasAct: ['f32', 'f32', 'f32', 'f32', 'size', 'size', 'size', 'size', 'bool', 'bool', 'size', 'size', 'bool'],
  binary: ['size', 'f32', 'f32', 'f32', 'size', 'size', 'size', 'size', 'size'],
  binaryChannel: ['size', 'f32', 'f32', 'f32', 'size', 'size', 'size', 'size'],
  unary: ['size', 'f32', 'f32', 'num'],
  maskPositive: ['f32', 'f32', 'f32'],
  reduceBlock: ['bool', 'f32', 'f32', 'size', 'size', 'size'],
  columnSums: ['bool', 'f32', 'f32', 'size', 'size'],
  byteRows: ['u8', 'i32s', 'f32', 'f32', 'size'],
  copyRows: ['f32', 'f32', 'i32s', 'i32s', 'size'],
  gather: ['f32', 'i32s', 'f32'],
  binaryOffsets: ['size', 'f32', 'f32', 'f32', 'i32s', 'i32s'],
  softmax: ['f32', 'f32', 'size', 'size', 'bool'],
  softmaxXent: ['f32', 'f32', 'f32', 'size', 'size'],
  mse: ['f32', 'f32', 'f32', 'size', 'size'],
  sgdStep: ['f32', 'f32', 'num'],
  momentumStep: ['f32', 'f32', 'f32', 'num', 'num', 'bool'],
  adagradStep: ['f32', 'f32', 'f32', 'num', 'num'],
  rmspropStep: ['f32', 'f32', 'f32', 'f32?', 'num', 'num', 'num', 'num'],
  adamStep: ['f32', 'f32', 'f32', 'f32', 'num', 'num', 'num', 'num'],
  decayStep: ['f32', 'num'],
  penaltyGrad: ['f32', 'f32', 'num', 'num'],
  conv2d: ['f32', 'f32', 'f32', 'i32x15'],
  conv2dBiasAct: ['f32', 'f32', 'f32', 'i32x15', 'f32', 'bool'],
  conv2dGradInput: ['f32', 'f32', 'f32', 'i32x15'],
  conv2dGradWeight: ['f32', 'f32', 'f32', 'i32x15'],
  pool2d: ['size', 'f32', 'f32?', 'f32', 'i32x11'],
  recurrentForward: ['size', 'f32', 'f32', 'f32?', 'f32', 'f32', 'size', 'size', 'size', 'bool'],
  recurrentBackward: ['size', 'f32', 'f32', 'f32', 'f32', 'f32', 'size', 'size', 'size', 'bool'],
  info: [],
  setLevel: ['size'],
  setThreads: ['size'],
};

/** The functions the addon exports. */
export const NATIVE_FUNCTIONS = Object.keys(NATIVE_SIGNATURES) as readonly (keyof NativeAddon)[];

/** The codes of native/dlf.h enum BinaryOp. */
export const BINARY_OP = { add: 0, sub: 1, mul: 2, div: 3, eq: 4 } as const;

/** The codes of native/dlf.h enum UnaryOp. */
export const UNARY_OP = { neg: 0, exp: 1, log: 2, sqrt: 3, pow: 4, relu: 5, leaky_relu: 6, sigmoid: 7, tanh: 8, step: 9, abs: 10, sign: 11 } as const;

/** The codes of native/dlf.h enum PoolMode. */
export const POOL_MODE = { max: 0, max_grad: 1, max_pick: 2, avg: 3, avg_grad: 4, max_grad_masked: 5 } as const;

/** The codes of native/dlf.h enum RecurrentCell. */
export const RECURRENT_CELL = { rnn: 0, lstm: 1, gru: 2 } as const;
