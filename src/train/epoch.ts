// One epoch of training: the seeded shuffle (with data.bucket, into batches of similar length), the batches (the last partial one included), the
// scheduled learning rate, penalties and clipping, one optimizer update per batch and the
// running-statistics updates; then the validation metrics and the checkpoint of the epoch. The
// Trainer owns the runtime, optimizer and random streams for the whole run; it decides nothing
// about when to stop or what to write (loop.ts does).
import type { CompiledModel } from '../compile/compile.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/dataset.js';
import type { Preprocessing } from '../data/standardize.js';
import { type InterruptSignal, interruptOf } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng } from '../tensor/rng.js';
import { sizeOf } from '../tensor/shape.js';
import type { Checkpoint, Progress, Tensors, TrainState } from './state.js';
import { clipGradients } from './clip.js';
import type { EventSink } from './events.js';
import { MetricsAccumulator, type Metrics, type MetricsOptions } from './metrics.js';
import { createOptimizer, restoreOptimizer, type Optimizer } from './optimizers.js';
import { addPenaltyGradients, matchesAny } from './regularize.js';
import { type Bound, ModelRuntime, applyStateUpdates, evaluateDataset, feed, labelShape } from './runtime.js';
import { type RunLength, learningRate } from './schedule.js';

/** Why an epoch stopped part way: a signal, or a loss that is no longer finite. */
export class EpochStopped extends Error {
  constructor(
    readonly why: { kind: 'interrupt'; signal: InterruptSignal } | { kind: 'diverged'; loss: number; batch: number; batches: number },
    readonly epoch: number,
    /** Optimizer steps taken when it stopped. */
    readonly step: number,
  ) {
    super(why.kind);
  }
}

export interface EpochHooks {
  emit: EventSink;
  /** Emit a `step` event every this many optimizer steps (undefined: none). */
  stepEvery?: number;
  yieldEvery?: () => Promise<void>;
  signal?: AbortSignal;
}

function tensorsOf(model: CompiledModel, params: ReadonlyMap<string, Float32Array>, kind: 'param' | 'state'): Tensors {
  const t: Tensors = new Map();
  for (const p of model.params) if (p.kind === kind) t.set(p.name, { shape: p.shape, data: params.get(p.name)! });
  return t;
}

/** Length bucketing (data.bucket): the length of every training sample and the batch size. */
export interface Buckets {
  /** Real (non-padding) tokens of each sample. */
  lengths: Int32Array;
  batch: number;
}

/** Batches sorted together when bucketing: a pool of this many batches is sorted by length, then cut into batches. */
export const BUCKET_POOL = 50;

/**
 * The order an epoch feeds the training samples in: 0 … n−1, shuffled by `rng` when the run
 * shuffles. With `buckets`, batches are made of samples of similar length: the (shuffled) order
 * is cut into pools of BUCKET_POOL batches, each pool sorted by length (stable, so equal lengths
 * keep their shuffled order) and cut into batches, and the full batches are then shuffled by
 * `rng` (the last, partial batch stays last, as the epoch loop expects). Every draw is from `rng`,
 * so a resumed run orders its epochs as the run it continues.
 */
export function epochOrder(order: Int32Array, rng: Rng | undefined, buckets?: Buckets): Int32Array {
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (rng) rng.shuffle(order);
  if (buckets) bucketInPlace(order, buckets, rng);
  return order;
}

function bucketInPlace(order: Int32Array, { lengths, batch }: Buckets, rng: Rng | undefined): void {
  const n = order.length;
  const pool = batch * BUCKET_POOL;
  for (let start = 0; start < n; start += pool) {
    const part = Array.from(order.subarray(start, Math.min(n, start + pool)));
    part.sort((a, b) => lengths[a] - lengths[b]); // Array.prototype.sort is stable
    order.set(part, start);
  }
  const full = Math.floor(n / batch);
  if (!rng || full < 2) return;
  const batches = new Int32Array(full);
  for (let b = 0; b < full; b++) batches[b] = b;
  rng.shuffle(batches);
  const sorted = order.slice(0, full * batch);
  for (let b = 0; b < full; b++) order.set(sorted.subarray(batches[b] * batch, (batches[b] + 1) * batch), b * batch);
}

/** The real tokens of each sample of a data set of token ids (ids other than padding, 0). */
export function sampleLengths(ds: Dataset): Int32Array {
  const L = ds.n > 0 ? ds.x.length / ds.n : 0;
  const out = new Int32Array(ds.n);
  for (let i = 0; i < ds.n; i++) {
    let k = 0;
    for (let j = i * L, end = j + L; j < end; j++) if (ds.x[j] !== 0) k++;
    out[i] = k;
  }
  return out;
}

/** The buckets `config` asks for on `train` (data.bucket on token data), else undefined. */
export function bucketsOf(config: Config, train: Dataset): Buckets | undefined {
  if (config.data.source !== 'text' || !config.data.bucket || !train.tokens) return undefined;
  return { lengths: sampleLengths(train), batch: config.train.batch_size };
}

export class Trainer {
  readonly rt: ModelRuntime;
  readonly opt: Optimizer;
  /** The program bound for a full batch (made up front so the memory report covers it). */
  readonly full: Bound;
  readonly batches: number;
  readonly parameterCount: number;
  private readonly trainParams: Map<string, Float32Array>;
  private readonly excluded: Set<string>;
  private readonly shuffleRng: Rng;
  private readonly dropoutRng: Rng;
  private readonly order: Int32Array;
  private readonly buckets: Buckets | undefined;
  private readonly run: RunLength;
  private readonly metricOpts: MetricsOptions;
  private lastYield = performance.now();

  constructor(
    private readonly config: Config,
    private readonly model: CompiledModel,
    private readonly trainSet: Dataset,
    private readonly valSet: Dataset,
    kernels: Kernels,
    private readonly params: Map<string, Float32Array>,
    state: TrainState,
  ) {
    const tc = config.train;
    this.rt = new ModelRuntime(model, kernels, params);
    const trainable = model.params.filter((p) => p.kind === 'param');
    const sizes = new Map(trainable.map((p) => [p.name, sizeOf(p.shape)] as [string, number]));
    this.excluded = new Set(trainable.filter((p) => matchesAny(p.name, tc.regularization.exclude)).map((p) => p.name));
    this.opt = createOptimizer(tc.optimizer, sizes, { noDecay: this.excluded });
    if (state.optimizer) restoreOptimizer(this.opt, state.optimizer);
    this.trainParams = new Map(trainable.map((p) => [p.name, params.get(p.name)!] as [string, Float32Array]));
    this.shuffleRng = Rng.fromState(state.rng.shuffle);
    this.dropoutRng = Rng.fromState(state.rng.dropout);
    this.full = this.rt.bind(Math.min(tc.batch_size, trainSet.n), 'train');
    this.parameterCount = trainable.reduce((s, p) => s + sizeOf(p.shape), 0);
    this.batches = Math.ceil(trainSet.n / tc.batch_size);
    this.run = { stepsPerEpoch: this.batches, totalSteps: this.batches * tc.epochs };
    this.order = new Int32Array(trainSet.n);
    this.buckets = bucketsOf(config, trainSet);
    this.metricOpts = { metrics: tc.metrics, topK: tc.top_k, threshold: tc.threshold, target: trainSet.target, ...labelShape(trainSet) };
  }

  /** Trains one epoch; returns its training metrics and the last learning rate used. Throws EpochStopped. */
  async trainEpoch(epoch: number, plateauFactor: number, hooks: EpochHooks): Promise<{ metrics: Metrics; lr: number }> {
    const tc = this.config.train;
    const { batch_size: batchSize } = tc;
    const { l1, l2 } = tc.regularization;
    const penalise = l1 > 0 || l2 > 0;
    const clipping = tc.clip.norm !== undefined || tc.clip.value !== undefined;
    const baseLr = tc.optimizer.lr;
    const { trainSet, opt, order } = this;
    epochOrder(order, tc.shuffle !== false ? this.shuffleRng : undefined, this.buckets);
    const acc = new MetricsAccumulator(trainSet.task, this.metricOpts);
    let lr = baseLr;
    for (let bi = 0; bi < this.batches; bi++) {
      const start = bi * batchSize;
      const count = Math.min(batchSize, trainSet.n - start);
      const b = count === this.full.program.batch ? this.full : this.rt.bind(count, 'train');
      feed(b, trainSet, order, start, count);
      b.ex.run(this.dropoutRng);
      const loss = b.loss[0];
      if (!Number.isFinite(loss)) {
        throw new EpochStopped({ kind: 'diverged', loss, batch: bi + 1, batches: this.batches }, epoch, opt.state.step + 1);
      }
      const interrupted = interruptOf(hooks.signal);
      if (interrupted) throw new EpochStopped({ kind: 'interrupt', signal: interrupted }, epoch, opt.state.step);
      acc.add(count, loss, b.output, b.y, b.cols);
      if (penalise) addPenaltyGradients(this.trainParams, b.grads, { l1, l2 }, this.excluded, this.rt.kernels);
      if (clipping) clipGradients(b.grads, tc.clip);
      lr = learningRate(tc.schedule, baseLr, opt.state.step, this.run, plateauFactor);
      opt.update(this.trainParams, b.grads, this.rt.kernels, lr);
      applyStateUpdates(b);
      if (hooks.stepEvery && opt.state.step % hooks.stepEvery === 0) hooks.emit({ type: 'step', epoch, step: opt.state.step, loss, lr });
      // Progress and the caller's event loop get a turn about every 50 ms, not every batch.
      const now = performance.now();
      if (now - this.lastYield > 50 || bi === this.batches - 1) {
        this.lastYield = now;
        hooks.emit({ type: 'batch', epoch, batch: bi + 1, batches: this.batches, loss });
        if (hooks.yieldEvery) await hooks.yieldEvery();
      }
    }
    return { metrics: acc.result(), lr };
  }

  /** Metrics on the validation split, or undefined when it is empty. */
  validate(): Metrics | undefined {
    if (this.valSet.n === 0) return undefined;
    return evaluateDataset(this.rt, this.valSet, { batchSize: this.config.train.batch_size, metrics: this.metricOpts }).result();
  }

  /** Metrics of `data` with the given parameters (the test set with the best checkpoint's). */
  score(data: Dataset, params: ReadonlyMap<string, Float32Array>): Metrics {
    const rt = params === this.params ? this.rt : new ModelRuntime(this.model, this.rt.kernels, params);
    return evaluateDataset(rt, data, { batchSize: this.config.train.batch_size, metrics: this.metricOpts }).result();
  }

  /** The checkpoint of the state now; it shares buffers with the live state. */
  checkpoint(c: { configHash: string; epoch: number; progress: Progress; preprocessing: Preprocessing; metrics: Checkpoint['metrics'] }): Checkpoint {
    return {
      configHash: c.configHash,
      epoch: c.epoch,
      step: this.opt.state.step,
      params: tensorsOf(this.model, this.params, 'param'),
      state: tensorsOf(this.model, this.params, 'state'),
      optimizer: { type: this.opt.config.type, state: this.opt.state },
      rng: { shuffle: this.shuffleRng.state(), dropout: this.dropoutRng.state() },
      progress: c.progress,
      preprocessing: c.preprocessing,
      metrics: c.metrics,
    };
  }
}
