// A compiled model at run time: its parameters (by name) and one executor per (batch size, mode),
// made on first use and kept, so that steady-state training allocates nothing per batch.
import type { CompiledModel, Program } from '../compile/compile.js';
import type { Dataset } from '../data/dataset.js';
import { Executor } from '../exec/executor.js';
import type { Kernels } from '../kernels/kernels.js';
import { MetricsAccumulator, type Metrics } from './metrics.js';

export interface Bound {
  readonly program: Program;
  readonly ex: Executor;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly output: Float32Array;
  readonly loss: Float32Array;
  /** Gradient buffers by parameter name (train mode only). */
  readonly grads: ReadonlyMap<string, Float32Array>;
}

export class ModelRuntime {
  private readonly bound = new Map<string, Bound>();

  constructor(
    readonly model: CompiledModel,
    readonly kernels: Kernels,
    readonly params: ReadonlyMap<string, Float32Array>,
  ) {}

  bind(batch: number, mode: 'train' | 'eval'): Bound {
    const key = `${mode}:${batch}`;
    let b = this.bound.get(key);
    if (!b) {
      const program = this.model.program(batch);
      const ex = new Executor(mode === 'train' ? program.train : program.eval, this.kernels, this.params);
      const grads = new Map<string, Float32Array>();
      if (mode === 'train') for (const [name, id] of program.grads) grads.set(name, ex.buffer(id) as Float32Array);
      b = {
        program,
        ex,
        x: ex.buffer(program.x) as Float32Array,
        y: ex.buffer(program.y) as Float32Array,
        output: ex.buffer(program.output) as Float32Array,
        loss: ex.buffer(program.loss) as Float32Array,
        grads,
      };
      this.bound.set(key, b);
    }
    return b;
  }
}

/** Copies rows `order[start .. start+count)` of a dataset into a bound program's inputs. */
export function feed(b: Bound, ds: Dataset, order: ArrayLike<number> | null, start: number, count: number): void {
  const f = ds.features.length;
  const src = ds.x;
  const dst = b.x;
  for (let r = 0; r < count; r++) {
    const i = order ? order[start + r] : start + r;
    // An index loop rather than set(subarray()): no view object per row.
    for (let c = 0, s = i * f, d = r * f; c < f; c++) dst[d + c] = src[s + c];
    b.y[r] = ds.y[i];
  }
}

/** Columns of the model output (classes, or 1). */
export function outputCols(b: Bound): number {
  const s = b.program.graph.nodes[b.program.output].shape;
  return s[s.length - 1];
}

/**
 * Runs the forward pass over a whole dataset in batches and returns its metrics; `onBatch` sees
 * each batch's outputs (for predictions and confusion matrices).
 */
export function evaluateDataset(
  rt: ModelRuntime,
  ds: Dataset,
  batchSize: number,
  onBatch?: (output: Float32Array, start: number, count: number, cols: number) => void,
): Metrics {
  const acc = new MetricsAccumulator(ds.task);
  for (let start = 0; start < ds.n; start += batchSize) {
    const count = Math.min(batchSize, ds.n - start);
    const b = rt.bind(count, 'eval');
    feed(b, ds, null, start, count);
    b.ex.run();
    const cols = outputCols(b);
    acc.add(count, b.loss[0], b.output, b.y, cols);
    onBatch?.(b.output, start, count, cols);
  }
  return acc.result();
}
