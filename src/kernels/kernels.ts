// The kernel interface: every numeric routine an op may call. Kernels are pure, write into the
// caller's buffer, allocate nothing, and know nothing of graphs. The TypeScript implementation
// (kernels/ts) is the reference; a native implementation can fill any subset of this interface
// and leave the rest to the reference (see `withOverrides`).
import type { Buf } from '../graph/types.js';

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
  | { kind: 'general'; n: number; aOff: Int32Array; bOff: Int32Array };

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

export interface Kernels {
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
  /** SGD in place: w -= lr * g. */
  sgdStep(w: Float32Array, g: Float32Array, lr: number): void;
  /** Adam in place with bias correction folded into lrT (= lr * sqrt(1-b2^t) / (1-b1^t)) and epsT. */
  adamStep(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    b1: number,
    b2: number,
    lrT: number,
    epsT: number,
  ): void;
}

/** A kernel set where the given kernels replace the reference ones (for a partial native set). */
export function withOverrides(base: Kernels, name: string, over: Partial<Omit<Kernels, 'name'>>): Kernels {
  return { ...base, ...over, name };
}
