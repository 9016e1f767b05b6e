// One training step, value by value, for drawing the chain rule: the training program as built
// (every primitive the layers and autodiff made, not the optimiser's fused ones) run once on the
// first batch of the training split as the first epoch of training feeds it (the seeded shuffle,
// the dropout stream), with every value it computes summarised the moment it is computed. The
// gradients are those of the loss the graph computes: regularisation penalties and clipping,
// which training applies after the graph has run, and the optimizer's update are not part of it.
import type { CompiledModel, Program } from '../compile/compile.js';
import type { LayerInfo } from '../compile/model.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/dataset.js';
import { DataError } from '../errors.js';
import type { Buf } from '../graph/types.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { bucketsOf, epochOrder } from './epoch.js';
import { loadRun, splitOf } from './evaluate.js';
import { initParams } from './loop.js';
import { ModelRuntime, feed } from './runtime.js';
import { prepareRun } from './session.js';

/** Tensors with at most this many elements are shown whole; larger ones by their statistics. */
export const SMALL_TENSOR = 8;

/** A value in brief: its statistics (float64 over the float32 elements) and, when small, every element. */
export interface ValueSummary {
  readonly size: number;
  readonly values?: readonly number[];
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

export interface StepValues {
  /** The program as built that was run, with its backward trace. */
  readonly program: Program & { readonly layers: readonly LayerInfo[] };
  /** Every value the step computed, by node id (nodes the step does not need are absent). */
  readonly values: ReadonlyMap<number, ValueSummary>;
  /** The training samples of the batch, as indices into the training split, in the order fed. */
  readonly rows: readonly number[];
  readonly loss: number;
}

export function summarize(buf: Buf): ValueSummary {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < buf.length; i++) {
    sum += buf[i];
    if (buf[i] < min) min = buf[i];
    if (buf[i] > max) max = buf[i];
  }
  const mean = sum / buf.length;
  let sq = 0;
  for (let i = 0; i < buf.length; i++) sq += (buf[i] - mean) ** 2;
  const std = Math.sqrt(sq / buf.length);
  return { size: buf.length, ...(buf.length <= SMALL_TENSOR ? { values: Array.from(buf) } : {}), mean, std, min, max };
}

/**
 * Runs one training step of `model` with `params` (parameters and state tensors by name, not
 * changed) on the first batch that training on `train` with `config` feeds, and returns every
 * value it computed.
 */
export function stepValues(model: CompiledModel, config: Config, params: ReadonlyMap<string, Float32Array>, train: Dataset, kernels: Kernels): StepValues {
  if (train.n === 0) throw new DataError('the training split is empty: there is no batch to run');
  const count = Math.min(config.train.batch_size, train.n);
  const shuffle = config.train.shuffle !== false ? new Rng(streamSeed(config.seed, 'shuffle')) : undefined;
  const order = epochOrder(new Int32Array(train.n), shuffle, bucketsOf(config, train));
  const program = model.asBuilt(count, 'train');
  // A runtime whose training program is the graph as built.
  const b = new ModelRuntime({ ...model, program: () => program }, kernels, params).bind(count, 'train');
  feed(b, train, order, 0, count);
  const values = new Map<number, ValueSummary>();
  b.ex.runWatched((id, buf) => values.set(id, summarize(buf)), new Rng(streamSeed(config.seed, 'dropout')));
  return { program, values, rows: Array.from(order.subarray(0, count)), loss: b.loss[0] };
}

/** Where the weights of a step came from. */
export type StepWeights = { readonly kind: 'initial'; readonly seed: number } | { readonly kind: 'checkpoint'; readonly file: string; readonly epoch: number };

export interface StepOfRun extends StepValues {
  readonly config: Config;
  readonly weights: StepWeights;
  /** Samples in the training split. */
  readonly trainSamples: number;
}

/** The step of a config file (with --set overrides) from its freshly initialised parameters. */
export function configStepValues(configFile: string, opts: { set?: string[]; kernels: Kernels }): StepOfRun {
  const { resolved, model, data } = prepareRun(configFile, opts.set ?? []);
  const { config } = resolved;
  const step = stepValues(model, config, initParams(model, config.seed), data.train, opts.kernels);
  return { ...step, config, weights: { kind: 'initial', seed: config.seed }, trainSamples: data.train.n };
}

/**
 * The step of a run directory: its saved config and a checkpoint's weights (best.json by default,
 * else last.json), on the first batch of its training split, recreated as the run split its data.
 */
export function runStepValues(runDir: string, opts: { checkpoint?: string; kernels: Kernels }): StepOfRun {
  const { config, ckptPath, ckpt, prep, model, params } = loadRun(runDir, opts.checkpoint);
  const train = splitOf(config, prep, 'train');
  const step = stepValues(model, config, params, train, opts.kernels);
  return { ...step, config, weights: { kind: 'checkpoint', file: ckptPath, epoch: ckpt.epoch }, trainSamples: train.n };
}
