// The kernel interface: every numeric routine an op may call. Kernels are pure, write into the
// caller's buffer, allocate nothing, and know nothing of graphs. The TypeScript implementation
// (kernels/ts) is the reference; a native implementation can fill any subset of this interface
// and leave the rest to the reference (see `withOverrides` in overrides.ts).
import type { Buf } from '../tensor/buffer.js';
import type { OptimizerKernels } from './optim-kernels.js';

/** What a fused matmul or convolution applies after the bias add. */
export type Epilogue = 'none' | 'relu';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'eq';
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'pow' // x^p
  | 'relu'
  | 'leaky_relu' // p = negative slope
  | 'sigmoid'
  | 'tanh'
  | 'step'; // x > 0 ? 1 : p

/**
 * How two inputs broadcast to the output, computed once at plan time.
 * `same`: both have the output's size; `scalarB`/`scalarA`: one side has a single element;
 * `rowB`/`rowA`: one side repeats along the leading axes (a bias row); `general`: offset tables.
 */
export type BroadcastPlan =
  | { kind: 'same'; n: number }
  | { kind: 'scalarA' | 'scalarB'; n: number }
  | { kind: 'rowA' | 'rowB'; n: number; row: number }
  | { kind: 'general'; n: number; aOff: Int32Array; bOff: Int32Array; channel?: ChannelBroadcast };

/**
 * A `general` broadcast of a special form, which kernels may loop over without the offset tables:
 * one side (`side`) holds `mid` values, each repeated over a run of `inner` consecutive output
 * elements, the whole pattern repeated n / (mid · inner) times (a per-channel bias [C, 1, 1]
 * against [N, C, H, W]: mid = C, inner = H·W); the other side has the output's size.
 */
export interface ChannelBroadcast {
  readonly side: 'a' | 'b';
  readonly mid: number;
  readonly inner: number;
}

/** A gather: out[i] = x[src[i]] (transpose, broadcast_to). */
export interface GatherPlan {
  readonly src: Int32Array;
}

/**
 * A reduction: out[o] = reduce over r of x[kept[o] + red[r]]. `innerKept` says the kept offsets
 * are the stride-1 ones (loop over r outside), otherwise the reduced ones are.
 */
export interface ReducePlan {
  readonly kept: Int32Array;
  readonly red: Int32Array;
  readonly innerKept: boolean;
  /**
   * Set when the kept axes are consecutive and some reduced axis follows them: the input is then
   * [outer, mid, inner] with mid the kept axes (a per-channel sum over [N, C, H, W]), and
   * out[m] = reduce over o, i of x[(o·mid + m)·inner + i], in the same order as `red`.
   */
  readonly block?: { readonly outer: number; readonly mid: number; readonly inner: number };
}

/** out[b] = op(A[b]) · op(B[b]) for b < batch, with A m×k and B k×n after the transposes. */
export interface MatmulDims {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  /** Elements between consecutive batch matrices (0 when one matrix is shared by the batch). */
  readonly strideA: number;
  readonly strideB: number;
}

/** Rows × cols view for softmax-like kernels over the last axis. */
export interface RowsDims {
  readonly rows: number;
  readonly cols: number;
}

/**
 * Geometry of a 2-D convolution over NCHW input x [n, c, h, w] with weights w [f, c, kh, kw] and
 * output [n, f, oh, ow]: out[b, f, oy, ox] = sum over c, ky, kx of
 * w[f, c, ky, kx] · x[b, c, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw], cells outside x reading 0.
 * The bottom and right padding are implied by oh and ow.
 */
export interface Conv2dDims {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly f: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  /** Zeros before the first row (top) and before the first column (left). */
  readonly pt: number;
  readonly pl: number;
  /**
   * Set at plan time (kernels/plans.ts `convPlan`) when the reference kernels are to lower the
   * convolution to matrix products, on working memory of their own (kernels/ts/conv-scratch.ts);
   * absent, they run their direct loops. The native kernels do not look at it.
   */
  readonly lowered?: boolean;
}

/**
 * Scratch for the lowered (im2col and GEMM) paths of one conv kernel at one geometry, with
 * K = C·KH·KW and P = OH·OW. Each pair holds a float32 and a float64 view of one memory (a kernel
 * uses the one matching its data): `col` one sample's column matrix [K, P], `fp` one sample's
 * [F, P] (a product or a copy of the gradient), `fk` one sample's weight gradient [F, K] (empty
 * for the other kernels). `acc` sums the weight gradient in float64, and `gemm` is the
 * per-sample matrix product.
 */
export interface ConvScratch {
  readonly col: ScratchPair;
  readonly fp: ScratchPair;
  readonly fk: ScratchPair;
  readonly acc: Float64Array;
  /** Room for one row or column of the gradient's nonzeros: offsets and values (max(F, OH·OW) each). */
  readonly idx: Int32Array;
  readonly val: Float64Array;
  readonly gemm: MatmulDims;
}

/** A float32 and a float64 view of the same memory. */
export interface ScratchPair {
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

/**
 * Geometry of a 2-D pooling over `planes` (= batch × channels) planes of h × w: window (oy, ox)
 * covers rows oy·sh − pt .. + kh − 1 and columns ox·sw − pl .. + kw − 1, clipped to the plane
 * (padded cells never count). Every window holds at least one real cell.
 */
export interface Pool2dDims {
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly pt: number;
  readonly pl: number;
}

/** Runs of `len` contiguous elements: out[dst[r] + i] = x[src[r] + i] (slice, pad, concat). */
export interface CopyRowsPlan {
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly len: number;
}

/** Row lookups: `rows` ids into a table of `vocab` rows of `cols` values. */
export interface GatherRowsDims {
  readonly rows: number;
  readonly cols: number;
  readonly vocab: number;
}

/** The cell of a recurrent scan: a tanh RNN, an LSTM or a GRU. */
export type RecurrentCell = 'rnn' | 'lstm' | 'gru';

/**
 * A recurrent scan over `steps` steps of `batch` sequences with `hidden` units (kernels/ts/recurrent.ts
 * describes the layouts). `reverse` runs from the last step to the first. `carry` is room for two
 * rows of `hidden` values that the reference backward pass works in (prepared once per plan step);
 * the native kernels keep their own.
 */
export interface RecurrentDims {
  readonly cell: RecurrentCell;
  readonly batch: number;
  readonly steps: number;
  readonly hidden: number;
  readonly reverse: boolean;
  readonly carry?: Float64Array;
}

export interface Kernels extends OptimizerKernels {
  readonly name: string;
  binary(op: BinaryOp, a: Buf, b: Buf, out: Buf, plan: BroadcastPlan): void;
  unary(op: UnaryOp, x: Buf, out: Buf, p: number): void;
  /** out = x (same length). */
  copy(x: Buf, out: Buf): void;
  /** out.fill(value). */
  fill(out: Buf, value: number): void;
  gather(x: Buf, out: Buf, plan: GatherPlan): void;
  reduce(op: 'sum' | 'mean' | 'max', x: Buf, out: Buf, plan: ReducePlan): void;
  matmul(a: Buf, b: Buf, out: Buf, d: MatmulDims): void;
  /**
   * out = act(op(A)·op(B) + bias) with bias a row of out's last-axis size, added after the full
   * product (the same float operations, in the same order, as matmul, then add, then relu).
   */
  matmulBiasAct(a: Buf, b: Buf, bias: Buf, out: Buf, d: MatmulDims, act: Epilogue): void;
  /**
   * out = act(conv2d(x, w) + bias[f]) with bias one value per output channel, added after the full
   * convolution (the same float operations, in the same order, as conv2d, then add, then relu).
   */
  conv2dBiasAct(x: Buf, w: Buf, bias: Buf, out: Buf, d: Conv2dDims, act: Epilogue): void;
  /** out = g · [x > 0] elementwise (same lengths): relu's gradient mask. */
  maskPositive(g: Buf, x: Buf, out: Buf): void;
  /** Softmax or log-softmax along each row. */
  softmax(x: Buf, out: Buf, d: RowsDims, log: boolean): void;
  /** Per-row cross-entropy of softmax(logits) against integer labels: out[r] = logsumexp - logit[label]. */
  softmaxXent(logits: Buf, labels: Buf, out: Buf, d: RowsDims): void;
  /** out[r, c] = labels[r] == c. */
  oneHot(labels: Buf, out: Buf, d: RowsDims): void;
  /** Elementwise stable binary cross-entropy of sigmoid(x) against targets t. */
  sigmoidBce(x: Buf, t: Buf, out: Buf): void;
  /** Per-row mean squared error: out[r] = mean over c of (a - b)^2. */
  mse(a: Buf, b: Buf, out: Buf, d: RowsDims): void;
  /** out = 2-D convolution of x by w (no bias); see Conv2dDims. */
  conv2d(x: Buf, w: Buf, out: Buf, d: Conv2dDims): void;
  /** The gradient of conv2d with respect to x (a transposed convolution): out [n, c, h, w] from grad [n, f, oh, ow]. */
  conv2dGradInput(grad: Buf, w: Buf, out: Buf, d: Conv2dDims): void;
  /** The gradient of conv2d with respect to w: out [f, c, kh, kw] from x and grad [n, f, oh, ow]. */
  conv2dGradWeight(x: Buf, grad: Buf, out: Buf, d: Conv2dDims): void;
  /** Maximum over each window. */
  maxPool2d(x: Buf, out: Buf, d: Pool2dDims): void;
  /**
   * out (x's shape) = 0, then each window's grad added at the window's argmax in x (ties: the
   * first); with `mask`, then multiplied by [x > 0] as maskPositive does (a pooling after a relu).
   */
  maxPool2dGrad(x: Buf, grad: Buf, out: Buf, d: Pool2dDims, mask?: boolean): void;
  /** out (pooled shape) = u at each window's argmax in x (ties: the first); the adjoint of maxPool2dGrad. */
  maxPool2dPick(x: Buf, u: Buf, out: Buf, d: Pool2dDims): void;
  /** Mean over the real cells of each window. */
  avgPool2d(x: Buf, out: Buf, d: Pool2dDims): void;
  /** out (input shape) = 0, then each window's grad spread evenly over its real cells. */
  avgPool2dGrad(grad: Buf, out: Buf, d: Pool2dDims): void;
  /** Copies runs of contiguous elements; writes nothing else. */
  copyRows(x: Buf, out: Buf, plan: CopyRowsPlan): void;
  /** out[r, :] = table[ids[r], :]; an id that is not an integer in [0, vocab) gives a row of NaN. */
  gatherRows(table: Buf, ids: Buf, out: Buf, d: GatherRowsDims): void;
  /**
   * Images stored as bytes, read as floats: out[r·size + c] = table[bytes[rows[r]·size + c]] for
   * every r < rows.length (a training batch gathered from data/pixels.ts storage). Every rows[r]
   * must be an image of `bytes` (rows[r]·size + size ≤ bytes.length) and table must hold 256 values.
   */
  byteRows(bytes: Uint8Array, rows: Int32Array, table: Float32Array, out: Buf, size: number): void;
  /** out = 0 ([vocab, cols]), then out[ids[r], :] += src[r, :]; ids out of range are skipped. */
  scatterAddRows(ids: Buf, src: Buf, out: Buf, d: GatherRowsDims): void;
  /**
   * A recurrent scan (RecurrentDims): from the input pre-activations xg [batch, steps, G·hidden]
   * (the input projection and biases of every step), the recurrent weights whh [hidden, G·hidden],
   * GRU's recurrent bias bhn [hidden] (null for the other cells) and the mask [batch, steps] or [1, steps]
   * (a step is real where it is > 0; elsewhere the state is carried), writes what every step computed into
   * out [batch, steps, P·hidden]: gate activations, cell state and hidden state.
   */
  recurrentForward(xg: Buf, whh: Buf, bhn: Buf | null, mask: Buf, out: Buf, d: RecurrentDims): void;
  /**
   * The backward pass of recurrentForward: from its output `packed`, whh, the mask and the gradient
   * `dpacked` of packed (every part of it), writes the gradient of the pre-activations into out
   * [batch, steps, D·hidden] (kernels/ts/recurrent.ts says what D holds per cell).
   */
  recurrentBackward(packed: Buf, whh: Buf, mask: Buf, dpacked: Buf, out: Buf, d: RecurrentDims): void;
  /** out = |x|. */
  abs(x: Buf, out: Buf): void;
  /** out = sign(x): −1, 0 or 1 (NaN stays NaN). */
  sign(x: Buf, out: Buf): void;
}
