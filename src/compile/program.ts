// A compiled program: its graph, the nodes that matter to training, and its plan (or, before the
// plan is prepared, the layout of its buffers).
import type { LossConfig } from '../config/schema.js';
import type { BackwardTrace } from '../graph/autodiff.js';
import type { Graph } from '../graph/builder.js';
import type { Mode } from './layers/types.js';
import type { LayerInfo, ParamSpec, StateUpdate } from './model.js';
import type { Layout, Plan } from './plan.js';

/** What a program is made of, before its plan is prepared: the graph and the layout of its buffers. */
export interface ProgramParts {
  readonly batch: number;
  readonly mode: Mode;
  readonly graph: Graph;
  readonly x: number;
  readonly y: number;
  readonly output: number;
  readonly loss: number;
  /** The loss function, as lossOf chose it for the output width. */
  readonly lossName: LossConfig;
  /** Gradient node of each trainable parameter, by name (training programs only). */
  readonly grads: ReadonlyMap<string, number>;
  /** Running-statistics updates to apply after each training step. */
  readonly stateUpdates: readonly StateUpdate[];
  /**
   * A training program as built (not optimised): the gradient of every node on the way from the
   * parameters to the loss, and which rule made each backward node (for drawing the chain rule).
   * The optimiser folds nodes together, so an optimised program has none.
   */
  readonly backward?: BackwardTrace;
}

export interface Program extends ProgramParts {
  /** Computes the output, the loss and, in training, every gradient and state-update value. */
  readonly plan: Plan;
}

/** A program laid out but not prepared: where every value lives, with nothing allocated. */
export interface ProgramLayout extends ProgramParts {
  readonly layout: Layout;
  readonly params: ParamSpec[];
  readonly layers: LayerInfo[];
}
