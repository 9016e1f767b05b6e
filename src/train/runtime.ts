// A compiled model at run time: its parameters and state tensors (by name) and one executor per
// (batch size, mode), made on first use and kept, so that steady-state training allocates nothing
// per batch.
import type { CompiledModel, Mode, Program } from '../compile/compile.js';
import { gatherRows, type Dataset } from '../data/dataset.js';
import { imageOf } from '../data/pixels.js';
import { Executor } from '../exec/executor.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Rng } from '../tensor/rng.js';
import { MetricsAccumulator, type Metrics, type MetricsOptions } from './metrics.js';

export interface Bound {
  readonly program: Program;
  readonly ex: Executor;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly output: Float32Array;
  readonly loss: Float32Array;
  /** Gradient buffers by parameter name (training only). */
  readonly grads: ReadonlyMap<string, Float32Array>;
  /** State tensors with the values to move them towards after a training step. */
  readonly updates: readonly { state: Float32Array; value: Float32Array; momentum: number }[];
  /** Columns of the model output (classes, or 1). */
  readonly cols: number;
  /** One source image per sample of the batch: where feed() reads a batch of pixels from. */
  readonly images: Int32Array;
}

export class ModelRuntime {
  private readonly bound = new Map<string, Bound>();

  constructor(
    readonly model: CompiledModel,
    readonly kernels: Kernels,
    /** Parameters and state tensors by name; shared with the executors, updated in place. */
    readonly params: ReadonlyMap<string, Float32Array>,
  ) {}

  bind(batch: number, mode: Mode): Bound {
    const key = `${mode}:${batch}`;
    let b = this.bound.get(key);
    if (!b) {
      const program = this.model.program(batch, mode);
      const ex = new Executor(program.plan, this.kernels, this.params);
      const grads = new Map<string, Float32Array>();
      for (const [name, id] of program.grads) grads.set(name, ex.buffer(id) as Float32Array);
      const x = ex.buffer(program.x) as Float32Array;
      const outShape = program.graph.nodes[program.output].shape;
      b = {
        program,
        ex,
        x,
        y: ex.buffer(program.y) as Float32Array,
        output: ex.buffer(program.output) as Float32Array,
        loss: ex.buffer(program.loss) as Float32Array,
        grads,
        updates: program.stateUpdates.map((u) => ({
          state: this.params.get(u.state)!,
          value: ex.buffer(u.value) as Float32Array,
          momentum: u.momentum,
        })),
        cols: outShape[outShape.length - 1],
        images: new Int32Array(batch),
      };
      this.bound.set(key, b);
    }
    return b;
  }
}

/** Moves every state tensor towards its new value: s ← m·s + (1 − m)·v. */
export function applyStateUpdates(b: Bound): void {
  for (const { state, value, momentum } of b.updates) {
    const c = 1 - momentum;
    for (let i = 0; i < state.length; i++) state[i] = momentum * state[i] + c * value[i];
  }
}

/** Labels per sample: 1, or the size of the data's targetShape (a label per token). */
export function labelsPerSample(ds: Pick<Dataset, 'targetShape'>): number {
  return ds.targetShape ? ds.targetShape.reduce((a, b) => a * b, 1) : 1;
}

/**
 * What the metrics need to know of `ds`'s labels: its classes and, with a label per token, how
 * many labels each sample has (its classes being its vocabulary).
 */
export function labelShape(ds: Dataset): Pick<MetricsOptions, 'classes' | 'positions'> {
  if (!ds.targetShape) return { classes: ds.classes?.length };
  return { positions: labelsPerSample(ds), classes: ds.classes?.length ?? ds.tokens?.vocab.length };
}

/**
 * Copies samples `order[start .. start+count)` (or `start ..` without an order) into a bound
 * program's inputs; `count` is the program's batch size. Images stored as bytes are read through
 * the kernels (byteRows), the rest by gatherRows. With a label per token each sample's labels
 * (size(targetShape) of them) are copied as one row.
 */
export function feed(b: Bound, ds: Dataset, order: ArrayLike<number> | null, start: number, count: number): void {
  const p = ds.pixels;
  const { images } = b;
  const bytes = p !== undefined && count === images.length;
  const t = labelsPerSample(ds);
  for (let r = 0; r < count; r++) {
    const row = order ? order[start + r] : start + r;
    if (bytes) images[r] = imageOf(p, row);
    if (t === 1) b.y[r] = ds.y[row];
    else for (let j = 0, from = row * t, to = r * t; j < t; j++) b.y[to + j] = ds.y[from + j];
  }
  // b.x holds images.length samples (the batch the program was bound at): its length over that is one sample's size.
  if (bytes) b.ex.kernels.byteRows(p.bytes, images, p.values, b.x, b.x.length / images.length);
  else gatherRows(ds, order, start, count, b.x);
}

export interface EvalOptions {
  batchSize: number;
  metrics?: ConstructorParameters<typeof MetricsAccumulator>[1];
  /** Sees each batch's outputs (predictions, confusion matrices). */
  onBatch?: (output: Float32Array, start: number, count: number, cols: number) => void;
  /** For models with random masks in evaluation (none of the built-in layers have any). */
  rng?: Rng;
}

/** Runs the evaluation program over a whole dataset in batches; returns the accumulator. */
export function evaluateDataset(rt: ModelRuntime, ds: Dataset, opts: EvalOptions): MetricsAccumulator {
  const acc = new MetricsAccumulator(ds.task, { target: ds.target, ...labelShape(ds), ...opts.metrics });
  for (let start = 0; start < ds.n; start += opts.batchSize) {
    const count = Math.min(opts.batchSize, ds.n - start);
    const b = rt.bind(count, 'eval');
    feed(b, ds, null, start, count);
    b.ex.run(opts.rng);
    acc.add(count, b.loss[0], b.output, b.y, b.cols);
    opts.onBatch?.(b.output, start, count, b.cols);
  }
  return acc;
}

export type { Metrics };
