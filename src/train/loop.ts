// The training loop: epochs until the configured count, early stopping or a pause, each trained by
// the Trainer (epoch.ts), followed by the monitors (best checkpoint, early stopping, reduce on
// plateau), a metrics line and the epoch's checkpoint handed to the RunWriter (writer.ts), which
// writes checkpoints durably every train.checkpoint_interval seconds and whenever training stops.
// Everything that decides what happens next lives in TrainState, which a checkpoint saves whole,
// so a resumed run continues bit for bit. A NaN loss or an interrupt stops training after the
// checkpoint of the last finished epoch is written, with a message saying what is on disk.
import { CLASS_WEIGHTS_FILE, type ClassWeights } from './class-weights.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledModel } from '../compile/compile.js';
import { initialise } from '../compile/init.js';
import { planMemory } from '../compile/plan.js';
import { CHECKPOINT_INTERVAL_DEFAULT, type Config } from '../config/schema.js';
import type { Dataset } from '../data/dataset.js';
import { FINGERPRINTS_FILE, type Fingerprint } from '../data/fingerprint.js';
import type { Preprocessing } from '../data/standardize.js';
import { InterruptedError, TrainingError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { writeJsonDurable } from '../io/write.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { sizeOf } from '../tensor/shape.js';
import { loadCheckpoint } from './checkpoint.js';
import { EpochStopped, Trainer } from './epoch.js';
import type { EventSink } from './events.js';
import type { Metrics } from './metrics.js';
import { defaultMode, initialMonitor, metricValue, observe, shouldStop } from './monitor.js';
import { initialPlateau, plateauStep } from './schedule.js';
import type { EpochRecord, Progress, TrainState } from './state.js';
import { type OnDisk, RunWriter } from './writer.js';

export type { EpochRecord, TrainState };

export interface TrainOptions {
  config: Config;
  /** Hash of the config written into checkpoints (see config/hash.ts). */
  configHash: string;
  /** The config file, named in training errors. */
  configFile: string;
  model: CompiledModel;
  data: { train: Dataset; val: Dataset; test?: Dataset; preprocessing: Preprocessing; classWeights?: ClassWeights };
  kernels: Kernels;
  outDir: string;
  /** Where to start: a fresh state (initState) or one restored from a checkpoint. */
  state: TrainState;
  onEvent?: EventSink;
  /** Called now and then between batches so a caller can keep its event loop (progress, signals) alive. */
  yieldEvery?: () => Promise<void>;
  /** Emit a `step` event every this many optimizer steps. */
  stepEvery?: number;
  /** Stop (as if interrupted) once this epoch is done; `--resume` continues exactly from there. */
  stopAfter?: number;
  /** Aborting (with reason 'SIGINT' or 'SIGTERM') stops training after the current batch, writing the last finished epoch's checkpoint. */
  signal?: AbortSignal;
  /** The data files read, recorded in fingerprints.json (data/fingerprint.ts). */
  fingerprints?: Fingerprint[];
  /** What a resumed run's checkpoint files hold, for messages. */
  onDisk?: OnDisk;
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

/** The monitors after an epoch: pure state transitions, saved in the epoch's checkpoint. */
function advance(progress: Progress, tc: Config['train'], record: EpochRecord, epoch: number): { progress: Progress; improved: boolean } {
  const bestMode = { mode: tc.best.mode ?? defaultMode(tc.best.metric), min_delta: 0 };
  const bestObs = observe(progress.best, bestMode, metricValue(tc.best.metric, record) ?? record.train.loss, epoch);
  const es = tc.early_stopping;
  const early = es
    ? observe(progress.early, { mode: es.mode ?? defaultMode(es.metric), min_delta: es.min_delta }, metricValue(es.metric, record) ?? NaN, epoch).state
    : progress.early;
  const sched = tc.schedule;
  const plateau = sched.type === 'plateau' ? plateauStep(progress.plateau, sched, metricValue(sched.metric, record) ?? NaN) : progress.plateau;
  return { progress: { best: bestObs.state, early, plateau }, improved: bestObs.improved };
}

/** The error that ends a run stopped part way, saying truly which checkpoints are on disk. */
function stoppedError(stop: EpochStopped, writer: RunWriter, opts: TrainOptions): Error {
  const onDisk = writer.describeOnDisk();
  if (stop.why.kind === 'interrupt') {
    const none = writer.onDisk.last === undefined && writer.onDisk.best === undefined;
    return new InterruptedError(
      `interrupted by ${stop.why.signal} at epoch ${stop.epoch}, step ${stop.step}; ${none ? 'no epoch had finished, so no checkpoint was written' : onDisk}`,
      { file: opts.outDir },
      none
        ? undefined
        : writer.onDisk.last !== undefined
          ? `continue with: dlf train --resume ${opts.outDir}`
          : 'train.checkpoint is best, so the run cannot be resumed; best.json can be evaluated',
      stop.why.signal,
    );
  }
  const { loss, batch, batches } = stop.why;
  return new TrainingError(
    `the loss became ${loss} at epoch ${stop.epoch}, step ${stop.step} (batch ${batch} of ${batches}); ${onDisk}`,
    { file: opts.configFile },
    'lower train.optimizer.lr or check the data',
  );
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { config, model, data, kernels, outDir, state } = opts;
  const emit: EventSink = opts.onEvent ?? (() => {});
  const t0 = performance.now();
  const tc = config.train;
  const { epochs } = tc;
  const { train: trainSet, val: valSet } = data;
  const trainer = new Trainer(config, model, trainSet, valSet, kernels, state.params, state);
  const mem = planMemory(trainer.full.program.plan);
  const memory = { ...mem, parameterBytes: trainer.parameterCount * 4 };

  const writer = new RunWriter(outDir, {
    which: tc.checkpoint,
    intervalMs: (tc.checkpoint_interval ?? CHECKPOINT_INTERVAL_DEFAULT) * 1000,
    history: state.history,
    emit,
    onDisk: opts.onDisk,
  });
  writeJsonDurable(join(outDir, 'config.json'), config);
  writeJsonDurable(join(outDir, 'preprocessing.json'), data.preprocessing);
  if (data.classWeights) writeJsonDurable(join(outDir, CLASS_WEIGHTS_FILE), data.classWeights);
  if (opts.fingerprints) writeJsonDurable(join(outDir, FINGERPRINTS_FILE), { files: opts.fingerprints });
  emit({
    type: 'start',
    name: config.name,
    outDir,
    epochs,
    startEpoch: state.epoch + 1,
    batchesPerEpoch: trainer.batches,
    trainSamples: trainSet.n,
    valSamples: valSet.n,
    parameters: trainer.parameterCount,
    backend: kernels.name,
    memory,
  });

  const history = state.history;
  let progress = state.progress;
  let stopped: StopReason = 'completed';
  let final: TrainResult['final'] = history.length
    ? { train: history[history.length - 1].train, val: history[history.length - 1].val }
    : { train: { loss: NaN } };
  const es = tc.early_stopping;
  const hooks = { emit, yieldEvery: opts.yieldEvery, signal: opts.signal, stepEvery: opts.stepEvery };
  if (epochs === 0 && state.epoch === 0) {
    // --epochs 0: the initialised model, written as it is so that a run can start from known weights.
    writer.writeInitial(trainer.checkpoint({ configHash: opts.configHash, epoch: 0, progress, preprocessing: data.preprocessing, metrics: undefined }));
  }
  try {
    for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
      if (es && shouldStop(progress.early, es.patience)) {
        stopped = 'early_stopping';
        break;
      }
      if (opts.stopAfter !== undefined && epoch > opts.stopAfter) {
        stopped = 'paused';
        break;
      }
      const te = performance.now();
      const { metrics: trainMetrics, lr } = await trainer.trainEpoch(epoch, progress.plateau.factor, hooks);
      const valMetrics = trainer.validate();
      if (!isFiniteMetrics(trainMetrics) || !isFiniteMetrics(valMetrics)) {
        writer.flush();
        throw new TrainingError(`a metric became non-finite at epoch ${epoch}, step ${trainer.opt.state.step}; ${writer.describeOnDisk()}`, {
          file: opts.configFile,
        });
      }
      final = { train: trainMetrics, val: valMetrics };
      const record: EpochRecord = { epoch, step: trainer.opt.state.step, lr, train: trainMetrics, val: valMetrics, seconds: (performance.now() - te) / 1000 };
      history.push(record);
      writer.appendEpoch(record);
      emit({ type: 'epoch', epochs, ...record });
      const next = advance(progress, tc, record, epoch);
      progress = next.progress;
      writer.epochDone(
        trainer.checkpoint({
          configHash: opts.configHash,
          epoch,
          progress,
          preprocessing: data.preprocessing,
          metrics: { train: trainMetrics, val: valMetrics },
        }),
        next.improved,
      );
    }
  } catch (e) {
    // Interrupted or failed mid-epoch: the live state is part way into an epoch, but the writer
    // holds the checkpoint of the last finished one.
    try {
      writer.flush();
    } finally {
      writer.closeQuietly();
    }
    throw e instanceof EpochStopped ? stoppedError(e, writer, opts) : e;
  }
  writer.flush();
  writer.close();
  if (stopped === 'completed' && es && shouldStop(progress.early, es.patience) && history.length < epochs) stopped = 'early_stopping';

  const best = { epoch: progress.best.bestEpoch, metric: tc.best.metric, value: progress.best.best ?? NaN };
  if (data.test && tc.evaluate_test) {
    // The test set is scored with the best checkpoint, as `dlf eval --split test` would.
    const bestPath = join(outDir, 'checkpoints', 'best.json');
    const scored = new Map(state.params);
    if (existsSync(bestPath)) {
      const saved = loadCheckpoint(bestPath);
      for (const [name, t] of [...saved.params, ...saved.state]) scored.set(name, t.data);
    }
    final = { ...final, test: trainer.score(data.test, scored) };
  }
  const seconds = (performance.now() - t0) / 1000;
  const trained = history.length;
  writeJsonDurable(join(outDir, 'metrics.json'), {
    name: config.name,
    epochs: trained,
    steps: trainer.opt.state.step,
    stopped,
    final,
    best,
    seconds,
    secondsPerEpoch: history.length ? history.reduce((s, h) => s + h.seconds, 0) / history.length : 0,
    trainSamples: trainSet.n,
    valSamples: valSet.n,
    backend: kernels.name,
    memory,
    ...(data.classWeights ? { classWeights: data.classWeights } : {}),
  });
  const early =
    es && stopped === 'early_stopping'
      ? { metric: es.metric, best: progress.early.best ?? NaN, bestEpoch: progress.early.bestEpoch, patience: es.patience }
      : undefined;
  emit({ type: 'end', epochs: trained, best, final, seconds, outDir, stopped, ...(early ? { early } : {}) });
  return { outDir, best, final, stopped, epochs: trained };
}
