// What a layer builder gets: the graph builder, the mode, and ways to declare trainable
// parameters, state (non-trainable tensors kept in checkpoints, such as batchnorm's running
// statistics), random masks (dropout) and state updates applied after each training step.
import type { InitConfig, LayerConfig } from '../../config/schema.js';
import type { Place } from '../../errors.js';
import type { GraphBuilder } from '../../graph/builder.js';

export type Mode = 'train' | 'eval';

export interface LayerCtx {
  readonly g: GraphBuilder;
  readonly mode: Mode;
  /** Where the layer is in the YAML (for errors). */
  readonly place: Place;
  /**
   * A trainable parameter named `<scope>/<name>` (the scope is the layer's). Returns its node.
   * `fans` ([fan_in, fan_out]) overrides the default of glorot/he initialisers, which treat the last
   * axis as outputs and the rest as inputs (right for dense [in, out]; a conv kernel [F, C, KH, KW]
   * passes [C·KH·KW, F·KH·KW]).
   */
  param(name: string, shape: number[], init: InitConfig, fans?: [number, number]): number;
  /** A non-trainable tensor saved in checkpoints, e.g. a running mean. Returns its node. */
  state(name: string, shape: number[], init: InitConfig): number;
  /**
   * A tensor of the given shape refilled before every run from the run's seeded RNG: each element
   * is `scale` with probability `keep`, else 0 (a dropout mask).
   */
  randomMask(shape: number[], keep: number, scale: number): number;
  /** After each training step: state ← momentum·state + (1 − momentum)·value (value: a node of the state's shape). */
  updateState(stateNode: number, valueNode: number, momentum: number): void;
  /**
   * The padding mask of the model input's sequence when the input is token ids and a layer's input
   * has its length L: a node [batch, L] of 1 at a real token and 0 at padding (id 0), made on first
   * call and shared. Undefined when the input is not a sequence of tokens, or of another length. A
   * layer that mixes positions (recurrent layers, attention) uses it for a [batch, L, ...] input;
   * one that pools the sequence uses it to leave padding out.
   */
  mask(L: number): number | undefined;
  /**
   * A node every layer of the model may share (such as attention's score bias): `build` runs once
   * per `key`, outside any layer's scope, and later calls get the same node.
   */
  shared(key: string, build: () => number): number;
  /** The number of classes of the data, when known (a dense layer's `units: classes`). */
  readonly classes?: number;
  /** The vocabulary size when the input is token ids (an embedding layer's default `vocab`). */
  readonly vocab?: number;
}

/** Builds a layer of one type from its config and its input nodes; returns the output node. */
export type LayerBuilder<T extends LayerConfig['type']> = (ctx: LayerCtx, cfg: Extract<LayerConfig, { type: T }>, inputs: number[]) => number;

/** A size given as one number or [height, width]. */
export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}
