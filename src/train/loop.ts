// The training loop: per-epoch seeded shuffling, batches (the last partial one included), one
// optimizer update per batch, metrics on both splits, checkpoints and metrics files written
// atomically after every epoch. A NaN or infinite loss stops training with a TrainingError and
// leaves the last good checkpoint as it was.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { CompiledModel } from '../compile/compile.js';
import { planMemory } from '../compile/plan.js';
import { initialise } from '../compile/init.js';
import type { LoadedData } from '../data/load.js';
import { TrainingError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { sizeOf } from '../tensor/shape.js';
import { saveCheckpoint } from './checkpoint.js';
import type { EventSink } from './events.js';
import { writeFileAtomic, writeJsonAtomic } from './files.js';
import { MetricsAccumulator, type Metrics } from './metrics.js';
import { createOptimizer } from './optimizers.js';
import { ModelRuntime, evaluateDataset, feed, outputCols } from './runtime.js';

export interface TrainOptions {
  resolved: ResolvedConfig;
  model: CompiledModel;
  data: LoadedData;
  kernels: Kernels;
  outDir: string;
  onEvent?: EventSink;
  /** Called between batches so a caller can keep its event loop (progress, signals) alive. */
  yieldEvery?: () => Promise<void>;
}

export interface TrainResult {
  outDir: string;
  best: { epoch: number; metric: string; value: number };
  final: { train: Metrics; val?: Metrics };
  params: ReadonlyMap<string, Float32Array>;
}

/** Fresh parameters drawn from the `init` stream of the seed, in the model's parameter order. */
export function initParams(model: CompiledModel, seed: number): Map<string, Float32Array> {
  const rng = new Rng(streamSeed(seed, 'init'));
  const params = new Map<string, Float32Array>();
  for (const p of model.params) {
    const buf = new Float32Array(sizeOf(p.shape));
    initialise(p.init, p.shape, rng, buf);
    params.set(p.name, buf);
  }
  return params;
}

function isFiniteMetrics(m: Metrics): boolean {
  return Object.values(m).every((v) => v === undefined || Number.isFinite(v));
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { resolved, model, data, kernels, outDir } = opts;
  const config: Config = resolved.config;
  const emit: EventSink = opts.onEvent ?? (() => {});
  const t0 = performance.now();
  const { epochs, batch_size: batchSize } = config.train;
  const { train: trainSet, val: valSet, preprocessing } = data;

  const params = initParams(model, config.seed);
  const rt = new ModelRuntime(model, kernels, params);
  const sizes = new Map([...params].map(([n, p]) => [n, p.length] as [string, number]));
  const opt = createOptimizer(config.train.optimizer, sizes);
  const shuffleRng = new Rng(streamSeed(config.seed, 'shuffle'));

  // Bind the full-batch programs up front so the memory report covers what will run.
  const full = rt.bind(Math.min(batchSize, trainSet.n), 'train');
  const mem = planMemory(full.program.train);
  const parameterCount = [...params.values()].reduce((s, p) => s + p.length, 0);
  const batches = Math.ceil(trainSet.n / batchSize);

  mkdirSync(join(outDir, 'checkpoints'), { recursive: true });
  writeJsonAtomic(join(outDir, 'config.json'), config);
  writeJsonAtomic(join(outDir, 'preprocessing.json'), preprocessing);
  emit({
    type: 'start',
    name: config.name,
    outDir,
    epochs,
    startEpoch: 1,
    batchesPerEpoch: batches,
    trainSamples: trainSet.n,
    valSamples: valSet.n,
    parameters: parameterCount,
    backend: kernels.name,
    memory: { ...mem, parameterBytes: parameterCount * 4 },
  });

  const order = new Int32Array(trainSet.n);
  const metricName = valSet.n > 0 ? 'val.loss' : 'train.loss';
  let best = { epoch: 0, metric: metricName, value: Infinity };
  const history: string[] = [];
  let final: { train: Metrics; val?: Metrics } = { train: { loss: NaN } };
  const lr = config.train.optimizer.lr;
  let lastYield = performance.now();

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const te = performance.now();
    for (let i = 0; i < order.length; i++) order[i] = i;
    shuffleRng.shuffle(order);
    const acc = new MetricsAccumulator(trainSet.task);
    for (let bi = 0; bi < batches; bi++) {
      const start = bi * batchSize;
      const count = Math.min(batchSize, trainSet.n - start);
      const b = count === full.program.batch ? full : rt.bind(count, 'train');
      feed(b, trainSet, order, start, count);
      b.ex.run();
      const loss = b.loss[0];
      if (!Number.isFinite(loss)) {
        throw new TrainingError(
          `the loss became ${loss} at epoch ${epoch}, step ${opt.state.step + 1} (batch ${bi + 1} of ${batches})`,
          { file: resolved.file },
          'lower train.optimizer.lr or check the data; the last good checkpoint is kept',
        );
      }
      acc.add(count, loss, b.output, b.y, outputCols(b));
      opt.update(params, b.grads, kernels);
      // Progress and the caller's event loop get a turn about every 50 ms, not every batch.
      const now = performance.now();
      if (now - lastYield > 50 || bi === batches - 1) {
        lastYield = now;
        emit({ type: 'batch', epoch, batch: bi + 1, batches, loss });
        if (opts.yieldEvery) await opts.yieldEvery();
      }
    }
    const trainMetrics = acc.result();
    const valMetrics = valSet.n > 0 ? evaluateDataset(rt, valSet, batchSize) : undefined;
    if (!isFiniteMetrics(trainMetrics) || (valMetrics && !isFiniteMetrics(valMetrics))) {
      throw new TrainingError(`a metric became non-finite at epoch ${epoch}, step ${opt.state.step}`, { file: resolved.file }, 'the last good checkpoint is kept');
    }
    final = { train: trainMetrics, val: valMetrics };
    const seconds = (performance.now() - te) / 1000;
    const record = { epoch, step: opt.state.step, lr, train: trainMetrics, val: valMetrics, seconds };
    history.push(JSON.stringify(record));
    writeFileAtomic(join(outDir, 'metrics.jsonl'), history.join('\n') + '\n');
    emit({ type: 'epoch', epochs, ...record });

    const score = (valMetrics ?? trainMetrics).loss;
    const ckpt = {
      configHash: resolved.hash,
      epoch,
      step: opt.state.step,
      params: new Map([...params].map(([n, d]) => [n, { shape: model.params.find((p) => p.name === n)!.shape, data: d }])),
      optimizer: { type: opt.config.type, state: opt.state },
      rng: shuffleRng.state(),
      preprocessing,
      metrics: { train: trainMetrics, val: valMetrics },
    };
    const which = config.train.checkpoint;
    if (which !== 'best') {
      const path = join(outDir, 'checkpoints', 'last.json');
      saveCheckpoint(path, ckpt);
      emit({ type: 'checkpoint', epoch, kind: 'last', path });
    }
    if (score < best.value) {
      best = { epoch, metric: metricName, value: score };
      if (which !== 'last') {
        const path = join(outDir, 'checkpoints', 'best.json');
        saveCheckpoint(path, ckpt);
        emit({ type: 'checkpoint', epoch, kind: 'best', path });
      }
    }
  }

  const seconds = (performance.now() - t0) / 1000;
  writeJsonAtomic(join(outDir, 'metrics.json'), {
    name: config.name,
    epochs,
    steps: opt.state.step,
    final,
    best,
    seconds,
    secondsPerEpoch: seconds / epochs,
    trainSamples: trainSet.n,
    valSamples: valSet.n,
    backend: kernels.name,
    memory: { ...mem, parameterBytes: parameterCount * 4 },
  });
  emit({ type: 'end', epochs, best, final, seconds, outDir });
  return { outDir, best, final, params };
}
