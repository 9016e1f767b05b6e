// The training loop: per-epoch seeded shuffling, batches (the last partial one included), the
// scheduled learning rate, penalties and clipping, one optimizer update per batch, running-statistics
// updates, metrics on both splits, monitors (best checkpoint, early stopping, reduce on plateau),
// a metrics line per epoch and checkpoints written atomically every train.checkpoint_interval
// seconds and whenever training stops (writer.ts). Everything that decides what happens next lives
// in TrainState, which a checkpoint saves whole, so a resumed run continues bit for bit. A NaN or
// infinite loss stops training with a TrainingError after writing the checkpoint of the last good
// epoch; an interrupt likewise.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledModel } from '../compile/compile.js';
import { initialise } from '../compile/init.js';
import { planMemory } from '../compile/plan.js';
import { CHECKPOINT_INTERVAL_DEFAULT, type Config } from '../config/schema.js';
import type { Dataset } from '../data/dataset.js';
import type { Preprocessing } from '../data/standardize.js';
import { InterruptedError, TrainingError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { sizeOf } from '../tensor/shape.js';
import { type Checkpoint, type Progress, type Tensors, loadCheckpoint } from './checkpoint.js';
import { clipGradients } from './clip.js';
import type { EventSink } from './events.js';
import { writeJsonDurable } from '../io/write.js';
import { MetricsAccumulator, type Metrics } from './metrics.js';
import { defaultMode, initialMonitor, metricValue, observe, shouldStop } from './monitor.js';
import { createOptimizer, restoreOptimizer } from './optimizers.js';
import { addPenaltyGradients, matchesAny } from './regularize.js';
import { ModelRuntime, applyStateUpdates, evaluateDataset, feed } from './runtime.js';
import { initialPlateau, learningRate, plateauStep } from './schedule.js';
import { RunWriter } from './writer.js';

export interface EpochRecord {
  epoch: number;
  step: number;
  lr: number;
  train: Metrics;
  val?: Metrics;
  seconds: number;
}

/** Everything that carries over from one epoch to the next. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Parameters and state tensors by name. */
  params: Map<string, Float32Array>;
  optimizer?: Checkpoint['optimizer']['state'];
  rng: Checkpoint['rng'];
  progress: Progress;
  history: EpochRecord[];
}

export interface TrainOptions {
  config: Config;
  /** Hash of the config written into checkpoints (see config/hash.ts). */
  configHash: string;
  /** The config file, named in training errors. */
  configFile: string;
  model: CompiledModel;
  data: { train: Dataset; val: Dataset; test?: Dataset; preprocessing: Preprocessing };
  kernels: Kernels;
  outDir: string;
  /** Where to start: a fresh state (initState) or one restored from a checkpoint. */
  state: TrainState;
  onEvent?: EventSink;
  /** Called now and then between batches so a caller can keep its event loop (progress, signals) alive. */
  yieldEvery?: () => Promise<void>;
  /** Stop (as if interrupted) once this epoch is done; `--resume` continues exactly from there. */
  stopAfter?: number;
  /** Aborting stops training after the current batch, writing the last finished epoch's checkpoint. */
  signal?: AbortSignal;
}

export interface TrainResult {
  outDir: string;
  best: { epoch: number; metric: string; value: number };
  final: { train: Metrics; val?: Metrics; test?: Metrics };
  stopped: StopReason;
  epochs: number;
}

/** Why training ended: all epochs done, early stopping, or paused by `stopAfter` (resumable). */
export type StopReason = 'completed' | 'early_stopping' | 'paused';

/** Fresh parameters and state drawn from the `init` stream of the seed, in the model's parameter order. */
export function initParams(model: CompiledModel, seed: number): Map<string, Float32Array> {
  const rng = new Rng(streamSeed(seed, 'init'));
  const params = new Map<string, Float32Array>();
  for (const p of model.params) {
    const buf = new Float32Array(sizeOf(p.shape));
    initialise(p.init, p.shape, rng, buf, p.fans);
    params.set(p.name, buf);
  }
  return params;
}

/** The state before the first epoch. */
export function initState(model: CompiledModel, seed: number): TrainState {
  return {
    epoch: 0,
    params: initParams(model, seed),
    rng: { shuffle: new Rng(streamSeed(seed, 'shuffle')).state(), dropout: new Rng(streamSeed(seed, 'dropout')).state() },
    progress: { best: initialMonitor(), early: initialMonitor(), plateau: initialPlateau() },
    history: [],
  };
}

function isFiniteMetrics(m: Metrics | undefined): boolean {
  return !m || Object.values(m).every((v) => v === undefined || Number.isFinite(v));
}

function tensorsOf(model: CompiledModel, params: ReadonlyMap<string, Float32Array>, kind: 'param' | 'state'): Tensors {
  const t: Tensors = new Map();
  for (const p of model.params) if (p.kind === kind) t.set(p.name, { shape: p.shape, data: params.get(p.name)! });
  return t;
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { config, model, data, kernels, outDir, state } = opts;
  const emit: EventSink = opts.onEvent ?? (() => {});
  const t0 = performance.now();
  const tc = config.train;
  const { epochs, batch_size: batchSize } = tc;
  const { train: trainSet, val: valSet } = data;
  const task = trainSet.task;
  const metricOpts = { metrics: tc.metrics, topK: tc.top_k, classes: trainSet.classes?.length };

  const params = state.params;
  const rt = new ModelRuntime(model, kernels, params);
  const trainable = model.params.filter((p) => p.kind === 'param');
  const sizes = new Map(trainable.map((p) => [p.name, sizeOf(p.shape)] as [string, number]));
  const excluded = new Set(trainable.filter((p) => matchesAny(p.name, tc.regularization.exclude)).map((p) => p.name));
  const opt = createOptimizer(tc.optimizer, sizes, { noDecay: excluded });
  if (state.optimizer) restoreOptimizer(opt, state.optimizer);
  const trainParams = new Map(trainable.map((p) => [p.name, params.get(p.name)!] as [string, Float32Array]));
  const shuffleRng = Rng.fromState(state.rng.shuffle);
  const dropoutRng = Rng.fromState(state.rng.dropout);
  const { l1, l2 } = tc.regularization;
  const penalise = l1 > 0 || l2 > 0;
  const clipping = tc.clip.norm !== undefined || tc.clip.value !== undefined;

  // Bind the full-batch program up front so the memory report covers what will run.
  const full = rt.bind(Math.min(batchSize, trainSet.n), 'train');
  const mem = planMemory(full.program.plan);
  const parameterCount = trainable.reduce((s, p) => s + sizeOf(p.shape), 0);
  const batches = Math.ceil(trainSet.n / batchSize);
  const run = { stepsPerEpoch: batches, totalSteps: batches * epochs };
  const baseLr = tc.optimizer.lr;

  const bestMetric = tc.best.metric;
  const bestMode = { mode: tc.best.mode ?? defaultMode(bestMetric), min_delta: 0 };
  const es = tc.early_stopping;
  const esMode = es ? { mode: es.mode ?? defaultMode(es.metric), min_delta: es.min_delta } : undefined;
  const sched = tc.schedule;

  mkdirSync(join(outDir, 'checkpoints'), { recursive: true });
  writeJsonDurable(join(outDir, 'config.json'), config);
  writeJsonDurable(join(outDir, 'preprocessing.json'), data.preprocessing);
  emit({
    type: 'start',
    name: config.name,
    outDir,
    epochs,
    startEpoch: state.epoch + 1,
    batchesPerEpoch: batches,
    trainSamples: trainSet.n,
    valSamples: valSet.n,
    parameters: parameterCount,
    backend: kernels.name,
    memory: { ...mem, parameterBytes: parameterCount * 4 },
  });

  const order = new Int32Array(trainSet.n);
  const history = state.history;
  let progress = state.progress;
  let stopped: StopReason = 'completed';
  let lastYield = performance.now();
  let final: TrainResult['final'] = history.length
    ? { train: history[history.length - 1].train, val: history[history.length - 1].val }
    : { train: { loss: NaN } };
  const writer = new RunWriter(outDir, {
    which: tc.checkpoint,
    intervalMs: (tc.checkpoint_interval ?? CHECKPOINT_INTERVAL_DEFAULT) * 1000,
    history,
    emit,
  });

  try {
    for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
      if (esMode && shouldStop(progress.early, es!.patience)) {
        stopped = 'early_stopping';
        break;
      }
      if (opts.stopAfter !== undefined && epoch > opts.stopAfter) {
        stopped = 'paused';
        break;
      }
      const te = performance.now();
      for (let i = 0; i < order.length; i++) order[i] = i;
      shuffleRng.shuffle(order);
      const acc = new MetricsAccumulator(task, metricOpts);
      let lr = baseLr;
      for (let bi = 0; bi < batches; bi++) {
        const start = bi * batchSize;
        const count = Math.min(batchSize, trainSet.n - start);
        const b = count === full.program.batch ? full : rt.bind(count, 'train');
        feed(b, trainSet, order, start, count);
        b.ex.run(dropoutRng);
        const loss = b.loss[0];
        if (!Number.isFinite(loss)) {
          throw new TrainingError(
            `the loss became ${loss} at epoch ${epoch}, step ${opt.state.step + 1} (batch ${bi + 1} of ${batches})`,
            { file: opts.configFile },
            'lower train.optimizer.lr or check the data; the last good checkpoint is kept',
          );
        }
        if (opts.signal?.aborted) {
          throw new InterruptedError(
            `interrupted at epoch ${epoch}, step ${opt.state.step}; the checkpoint of epoch ${epoch - 1} is kept`,
            { file: outDir },
            `continue with: dlf train --resume ${outDir}`,
          );
        }
        acc.add(count, loss, b.output, b.y, b.cols);
        if (penalise) addPenaltyGradients(trainParams, b.grads, { l1, l2 }, excluded, kernels);
        if (clipping) clipGradients(b.grads, tc.clip);
        lr = learningRate(sched, baseLr, opt.state.step, run, progress.plateau.factor);
        opt.update(trainParams, b.grads, kernels, lr);
        applyStateUpdates(b);
        // Progress and the caller's event loop get a turn about every 50 ms, not every batch.
        const now = performance.now();
        if (now - lastYield > 50 || bi === batches - 1) {
          lastYield = now;
          emit({ type: 'batch', epoch, batch: bi + 1, batches, loss });
          if (opts.yieldEvery) await opts.yieldEvery();
        }
      }
      const trainMetrics = acc.result();
      const valMetrics = valSet.n > 0 ? evaluateDataset(rt, valSet, { batchSize, metrics: metricOpts }).result() : undefined;
      if (!isFiniteMetrics(trainMetrics) || !isFiniteMetrics(valMetrics)) {
        throw new TrainingError(`a metric became non-finite at epoch ${epoch}, step ${opt.state.step}`, { file: opts.configFile }, 'the last good checkpoint is kept');
      }
      final = { train: trainMetrics, val: valMetrics };
      const record: EpochRecord = { epoch, step: opt.state.step, lr, train: trainMetrics, val: valMetrics, seconds: (performance.now() - te) / 1000 };
      history.push(record);
      writer.appendEpoch(record);
      emit({ type: 'epoch', epochs, ...record });

      // Monitors: all pure state transitions, saved in the checkpoint below.
      const bestValue = metricValue(bestMetric, record) ?? record.train.loss;
      const bestObs = observe(progress.best, bestMode, bestValue, epoch);
      const early = esMode ? observe(progress.early, esMode, metricValue(es!.metric, record) ?? NaN, epoch).state : progress.early;
      const plateau = sched.type === 'plateau' ? plateauStep(progress.plateau, sched, metricValue(sched.metric, record) ?? NaN) : progress.plateau;
      progress = { best: bestObs.state, early, plateau };

      const ckpt: Checkpoint = {
        configHash: opts.configHash,
        epoch,
        step: opt.state.step,
        params: tensorsOf(model, params, 'param'),
        state: tensorsOf(model, params, 'state'),
        optimizer: { type: opt.config.type, state: opt.state },
        rng: { shuffle: shuffleRng.state(), dropout: dropoutRng.state() },
        progress,
        preprocessing: data.preprocessing,
        metrics: { train: trainMetrics, val: valMetrics },
      };
      writer.epochDone(ckpt, bestObs.improved);
    }
  } catch (e) {
    // Interrupted or failed mid-epoch: the live state is part way into an epoch, but the writer
    // holds the checkpoint of the last finished one.
    writer.flush();
    throw e;
  } finally {
    writer.close();
  }
  writer.flush();
  if (stopped === 'completed' && esMode && shouldStop(progress.early, es!.patience) && history.length < epochs) stopped = 'early_stopping';

  const best = { epoch: progress.best.bestEpoch, metric: bestMetric, value: progress.best.best ?? NaN };
  if (data.test && tc.evaluate_test) {
    // The test set is scored with the best checkpoint, as `dlf eval --split test` would.
    const bestPath = join(outDir, 'checkpoints', 'best.json');
    const scored = new Map(params);
    if (existsSync(bestPath)) {
      const saved = loadCheckpoint(bestPath);
      for (const [name, t] of [...saved.params, ...saved.state]) scored.set(name, t.data);
    }
    const testRt = new ModelRuntime(model, kernels, scored);
    final = { ...final, test: evaluateDataset(testRt, data.test, { batchSize, metrics: metricOpts }).result() };
  }
  const seconds = (performance.now() - t0) / 1000;
  const trained = history.length;
  writeJsonDurable(join(outDir, 'metrics.json'), {
    name: config.name,
    epochs: trained,
    steps: opt.state.step,
    stopped,
    final,
    best,
    seconds,
    secondsPerEpoch: history.length ? history.reduce((s, h) => s + h.seconds, 0) / history.length : 0,
    trainSamples: trainSet.n,
    valSamples: valSet.n,
    backend: kernels.name,
    memory: { ...mem, parameterBytes: parameterCount * 4 },
  });
  emit({ type: 'end', epochs: trained, best, final, seconds, outDir, stopped });
  return { outDir, best, final, stopped, epochs: trained };
}
