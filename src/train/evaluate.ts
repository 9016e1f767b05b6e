// Evaluating a run directory: its saved config, preprocessing and a checkpoint (the best by
// default), scored on the train or validation split (recreated from the same seed, standardised
// with the saved statistics) or on the test set.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileModel } from '../compile/compile.js';
import { ConfigSchema, type Config } from '../config/schema.js';
import { trainingHash } from '../config/hash.js';
import { loadDataset, loadTestSet } from '../data/load.js';
import { unseenNote } from '../data/columns.js';
import { dataDims, preprocessedDims } from '../data/dims.js';
import { splitDataset } from '../data/split.js';
import { applyPreprocessing } from '../data/standardize.js';
import { unstandardize } from '../data/target.js';
import { CheckpointError, DataError, UsageError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { type Checkpoint, loadCheckpoint } from './checkpoint.js';
import { type ClassWeights, readClassWeights, resolveClassWeights } from './class-weights.js';
import { checkMatchesModel } from './checkpoint-model.js';
import { readRunFile } from './rundir.js';
import type { Dataset } from '../data/dataset.js';
import { BINARY_METRICS, DEFAULT_THRESHOLD, type MetricName, type Metrics, metricNames, taskMetrics } from './metrics.js';
import type { ClassScores } from './class-report.js';
import { ModelRuntime, evaluateDataset } from './runtime.js';

export type Split = 'train' | 'val' | 'test';

export interface EvalResult {
  runDir: string;
  checkpoint: string;
  epoch: number;
  split: Split;
  samples: number;
  /**
   * With a label per token: the real tokens scored (padding left out), and a note that the
   * per-class table and the confusion matrix, which are per sample, are not given.
   */
  tokens?: { count: number; note: string };
  /** Regression with `keepPoints`: each sample's prediction and true value, in the target's units, in split order. */
  points?: { predicted: number[]; actual: number[] };
  metrics: Metrics;
  /** Rows: true class; columns: predicted class (classification only). */
  confusion?: number[][];
  classes?: string[];
  /** Per-class precision, recall, F1 and support, with macro and weighted averages (classification only). */
  report?: { classes: (ClassScores & { class: string })[]; macro: ClassScores; weighted: ClassScores };
  /** Two classes: the positive class (class 1), the decision threshold used, and the ranking metrics. */
  binary?: { positive: string; negative: string; threshold: number; roc_auc: number; pr_auc: number };
  /** The class weights of the loss, when the run has them. */
  classWeights?: ClassWeights;
  /** Warnings about the data (categories that went to an unknown bucket). */
  warnings?: string[];
}

export interface EvalOptions {
  checkpoint?: string;
  split?: Split;
  kernels: Kernels;
  maxMemory?: number;
  /** Overrides train.threshold (two classes only). */
  threshold?: number;
  /** Metrics computed besides those the config names. */
  metrics?: readonly MetricName[];
  /** Regression: keep each sample's prediction and true value (`points`), for residual plots. */
  keepPoints?: boolean;
}

/** Reads and validates a run directory's config.json. */
export function readRunConfig(runDir: string): Config {
  const file = join(runDir, 'config.json');
  if (!existsSync(file)) throw new CheckpointError('not a run directory (no config.json)', { file: runDir });
  let raw: unknown;
  const text = readRunFile(file, 8 << 20);
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`config.json is not valid JSON: ${(e as Error).message}`, { file });
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new CheckpointError(`config.json does not match the schema: ${parsed.error.issues[0].message}`, { file });
  return parsed.data;
}

/** A run's config, chosen checkpoint and compiled model with its parameters loaded. */
export function loadRun(runDirArg: string, checkpoint?: string, maxMemory?: number) {
  const runDir = resolve(runDirArg);
  const config = readRunConfig(runDir);
  let ckptPath = checkpoint ? resolve(checkpoint) : join(runDir, 'checkpoints', 'best.json');
  if (!checkpoint && !existsSync(ckptPath)) ckptPath = join(runDir, 'checkpoints', 'last.json');
  // Read once: a run may replace the file (by rename) meanwhile, and this copy stays consistent.
  const ckpt = loadCheckpoint(ckptPath);
  if (ckpt.configHash !== trainingHash(config)) {
    throw new CheckpointError('checkpoint was written for a different config than this run directory holds', { file: ckptPath });
  }
  const prep = ckpt.preprocessing;
  const dims = prep.kind !== 'image' ? preprocessedDims(prep) : { ...dataDims(config.data), classes: prep.classes?.length };
  const classWeights = runClassWeights(runDir, config, prep);
  const model = compileModel(config, dims, (path) => ({ file: join(runDir, 'config.json'), path: path.join('.') }), {
    optimize: true,
    maxMemory,
    classWeights: classWeights?.weights,
  });
  // Exactly the model's tensors: a missing, extra or reshaped one is an error listing them all.
  checkMatchesModel(ckpt, model.params, ckptPath);
  const params = new Map<string, Float32Array>();
  for (const [name, t] of [...ckpt.params, ...ckpt.state]) params.set(name, t.data);
  return { runDir, config, ckptPath, ckpt, prep, model, params, classWeights };
}

/**
 * The class weights the run trained with: those it recorded in class_weights.json, else (a run
 * directory without the file) resolved again from the config and, for `balanced`, the training split.
 */
function runClassWeights(runDir: string, config: Config, prep: Checkpoint['preprocessing']): ClassWeights | undefined {
  const spec = config.train.class_weights;
  if (spec === undefined || !prep.classes) return undefined;
  const recorded = readClassWeights(runDir);
  if (recorded) {
    if (recorded.classes.join('\n') !== prep.classes.join('\n')) {
      throw new CheckpointError('class_weights.json names other classes than the run', { file: join(runDir, 'class_weights.json') });
    }
    return recorded;
  }
  const labels = spec === 'balanced' ? trainLabels(config, prep) : new Float32Array(0);
  return resolveClassWeights(spec, prep.classes, labels);
}

/** The labels of the run's training split, recreated as the run split its data. */
function trainLabels(config: Config, prep: Checkpoint['preprocessing']): Float32Array {
  const all = loadDataset(config.data, config.seed, prep.classes, prep);
  return splitDataset(all, config.data.split, new Rng(streamSeed(config.seed, 'split'))).train.y;
}

/** The samples of one split of a run's data, preprocessed as the run was. */
export function splitOf(config: Config, prep: Checkpoint['preprocessing'], split: Split): Dataset {
  if (split === 'test') {
    const test = loadTestSet(config.data, prep);
    if (!test) throw new DataError('this run has no test set', {}, 'set data.test (csv) or test files (idx) in the config');
    return test;
  }
  const all = loadDataset(config.data, config.seed, prep.classes, prep);
  const parts = splitDataset(all, config.data.split, new Rng(streamSeed(config.seed, 'split')));
  return applyPreprocessing(parts[split], prep);
}

export function evaluateRun(runDirArg: string, opts: EvalOptions): EvalResult {
  const { runDir, config, ckptPath, ckpt, prep, model, params, classWeights } = loadRun(runDirArg, opts.checkpoint, opts.maxMemory);
  const split = opts.split ?? 'val';
  const task = prep.task;
  const perToken = prep.kind === 'tokens' && prep.labels === 'tokens';
  const k = perToken ? (prep as { vocab: string[] }).vocab.length : (prep.classes?.length ?? 0);
  const binary = task === 'classification' && k === 2 && !perToken;
  const metrics = requestedMetrics(task, k, config.train.metrics, opts.metrics ?? [], perToken);
  if (opts.threshold !== undefined && !binary) {
    throw new UsageError(`--threshold applies to two classes; this run has ${task === 'classification' ? `${k} classes` : 'a regression task'}`);
  }
  const threshold = opts.threshold ?? config.train.threshold ?? DEFAULT_THRESHOLD;
  const ds = splitOf(config, prep, split);
  const note = unseenNote(ds.unseen);
  if (ds.n === 0) {
    const why = split === 'val' && config.data.split.validation === 0 ? ' (the run was trained with data.split.validation: 0)' : '';
    throw new DataError(`the ${split} split of this run holds no samples${why}`, {}, split === 'train' ? undefined : 'evaluate another split: --split train');
  }
  const rt = new ModelRuntime(model, opts.kernels, params);
  const points = opts.keepPoints && ds.task === 'regression' ? { predicted: [] as number[], actual: [] as number[] } : undefined;
  const acc = evaluateDataset(rt, ds, {
    batchSize: config.train.batch_size,
    metrics: { metrics, topK: config.train.top_k, ...(perToken ? {} : { classes: prep.classes?.length }), ...(binary ? { threshold, keepScores: true } : {}) },
    ...(points
      ? {
          onBatch: (output: Float32Array, start: number, count: number, cols: number) => {
            for (let r = 0; r < count; r++) {
              points.predicted.push(unstandardize(output[r * cols], ds.target));
              points.actual.push(unstandardize(ds.y[start + r], ds.target));
            }
          },
        }
      : {}),
  });
  const result: EvalResult = {
    runDir,
    checkpoint: ckptPath,
    epoch: ckpt.epoch,
    split,
    samples: ds.n,
    ...(points ? { points } : {}),
    metrics: acc.result(),
    ...(classWeights ? { classWeights } : {}),
    ...(note ? { warnings: [note] } : {}),
  };
  if (acc.perToken) {
    const note = 'labels per token: accuracy, top_k_accuracy and perplexity count real tokens; no per-class table or confusion matrix';
    return { ...result, tokens: { count: acc.counts().tokens ?? 0, note } };
  }
  if (ds.task !== 'classification') return result;
  const classes = prep.classes ?? acc.confusion().map((_, i) => String(i));
  const report = acc.report();
  return {
    ...result,
    confusion: acc.confusion(),
    classes,
    report: { classes: report.classes.map((c, i) => ({ class: classes[i], ...c })), macro: report.macro, weighted: report.weighted },
    ...(binary ? { binary: { positive: classes[1], negative: classes[0], threshold, roc_auc: acc.rocAuc(), pr_auc: acc.prAuc() } } : {}),
  };
}

/**
 * The config's metrics (or the task's default) followed by `extra` ones it did not name. An extra
 * metric that does not apply to the run's task is a usage error.
 */
function requestedMetrics(
  task: 'classification' | 'regression',
  classes: number,
  named: readonly MetricName[] | undefined,
  extra: readonly MetricName[],
  perToken = false,
): MetricName[] {
  const allowed = taskMetrics(task, perToken);
  const what = perToken ? 'a label per token' : task;
  const hint = `${perToken ? 'with a label per token the' : task} metrics are ${allowed.join(', ')}`;
  for (const m of extra) {
    if (!allowed.includes(m)) throw new UsageError(`--metrics: '${m}' does not apply to ${what}`, hint);
    if (BINARY_METRICS.includes(m) && classes !== 2) throw new UsageError(`--metrics: '${m}' needs two classes; this run has ${classes}`);
  }
  const out = metricNames(task, named, perToken);
  for (const m of extra) if (!out.includes(m)) out.push(m);
  return out;
}
