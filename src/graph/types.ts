// The graph IR: nodes with an op, inputs, attributes, a static shape and a deterministic name,
// and the contract every primitive op fulfils (shape rule, forward, VJP).
import type { Shape } from '../tensor/shape.js';
import type { Buf } from '../tensor/buffer.js';
import type { Kernels } from '../kernels/kernels.js';
import type { GraphBuilder } from './builder.js';

export type { Buf };

export type Attrs = Record<string, unknown>;

/**
 * Leaf kinds that are not ops: `input` is fed per batch, `param` is trained, `state` is kept across
 * steps and saved but not trained (running statistics), `const` is a constant filled once with
 * `attrs.value` (or holding the vector `attrs.values`), and `random` is refilled before every run from the run's RNG: each element is
 * `attrs.scale` with probability `attrs.keep`, else 0 (dropout masks).
 */
export type LeafKind = 'input' | 'param' | 'state' | 'const' | 'random';

export interface Node {
  readonly id: number;
  /** An op name from OPS, or a leaf kind. */
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  readonly shape: Shape;
  /** Deterministic name, e.g. `layer0/dense/w`, `layer0/dense/matmul:0`. */
  readonly name: string;
}

/** What a forward kernel call gets besides buffers: the shapes and attributes, and what prepare() computed. */
export interface Step<A = Attrs, P = unknown> {
  readonly inShapes: readonly Shape[];
  readonly outShape: Shape;
  readonly attrs: A;
  readonly prep: P;
}

/** One gradient-check case: input shapes (and the attributes) an op is checked at. */
export interface GradCase {
  readonly shapes: Shape[];
  readonly attrs?: Attrs;
  /** Per input: how to draw values. `positive` for log/sqrt/pow, `labels:C` for class indices < C. */
  readonly domains?: ('any' | 'positive' | 'distinct' | `labels:${number}` | 'binary')[];
  /** Short label shown in the test name. */
  readonly label?: string;
}

export interface OpDef<A extends Attrs = Attrs, P = unknown> {
  /** Human description, shown by `dlf graph --ops`. */
  readonly doc: string;
  /**
   * Whether a config may name the op: `public` ops are the graph form's language (`model.graph.nodes[].op`,
   * listed by `dlf graph --ops`); `internal` ones exist only for autodiff (gradients) or the graph
   * optimiser (fused ops), which make them themselves. Every op says which, so a new op is exposed
   * to YAML only by a decision.
   */
  readonly visibility: 'public' | 'internal';
  /** Number of inputs. */
  readonly arity: number;
  /**
   * Shape rule: the output shape from the input shapes and attributes, or throws an Error whose
   * message says what does not fit (the builder adds the node name and place).
   */
  shape(ins: readonly Shape[], attrs: A): Shape;
  /** Plan-time precomputation (strides, sizes) so that forward() allocates nothing. */
  prepare?(ins: readonly Shape[], out: Shape, attrs: A): P;
  /**
   * At least the bytes of the typed arrays prepare() allocates (index tables, scratch), worked out
   * from the shapes without allocating, so that the memory check of compiling counts them before
   * any plan is prepared. An op whose prepare() allocates must give it (test/graph/prepare-bytes.test.ts).
   */
  prepareBytes?(ins: readonly Shape[], out: Shape, attrs: A): number;
  /** Computes the output into `out` from `ins`, through the kernel interface only. */
  forward(k: Kernels, ins: readonly Buf[], out: Buf, step: Step<A, P>): void;
  /**
   * The vector-Jacobian product: given the node and the gradient of the loss with respect to its
   * output (a node id), returns one gradient node id per input, or null where there is none.
   * Gradients are built as new graph nodes.
   */
  vjp(g: GraphBuilder, node: Node, grad: number): (number | null)[];
  /** The output may share input 0's buffer (a pure view, such as reshape). */
  readonly alias?: boolean;
  /**
   * An elementwise op that may write its output over an input of the output's shape whose value
   * dies at this step (the planner proves that): each output element is computed from the input
   * elements at the same index only, read before it is written.
   */
  readonly inPlace?: boolean;
  /** Cases the gradient check runs; an op with no differentiable input leaves it empty. */
  readonly gradCheck: readonly GradCase[];
  /**
   * Set on the backward kernel of a fused op (recurrent_seq_grad) whose own VJP, a second
   * derivative, dlf does not implement: its vjp throws, its gradCheck is empty, and it is checked
   * through the gradient-check cases of the ops whose VJP it serves (named here).
   */
  readonly gradientOf?: readonly string[];
}

/** Identity helper that keeps each op's attribute and prep types while checking it is an OpDef. */
export function defineOp<A extends Attrs, P = undefined>(def: OpDef<A, P>): OpDef<A, P> {
  return def;
}
