// The stages of a training run, in the order `dlf train` takes them: load and validate the
// config, compile (shape check, before any data is read), load the data, compile against the
// data's classes, then build the starting state: fresh, warm-started from a checkpoint (--init),
// or restored from a run directory (--resume). Nothing is written before the last check has
// passed, so bad input never leaves a half-made run directory.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkNumericClasses } from '../compile/agree.js';
import { type CompiledModel, compileModel } from '../compile/compile.js';
import type { Locator } from '../compile/model.js';
import { canonicalJson, configDifferences, trainingHash } from '../config/hash.js';
import { type ResolvedConfig, loadConfig } from '../config/load.js';
import { formatPath, valueAt } from '../config/paths.js';
import type { Dataset } from '../data/dataset.js';
import { dataDims, preprocessedDims } from '../data/dims.js';
import { FINGERPRINTS_FILE, type Fingerprint, compareFingerprints, fingerprintData, parseFingerprints } from '../data/fingerprint.js';
import { loadData, loadTestSet } from '../data/load.js';
import { isSequenceTask } from '../data/sequence-tasks.js';
import { withStratifyDefault, withTargetDefault } from '../data/split.js';
import type { Preprocessing } from '../data/standardize.js';
import { CheckpointError, ConfigError, DataError, oneLine } from '../errors.js';
import { sizeOf } from '../tensor/shape.js';
import { type Checkpoint, loadCheckpoint } from './checkpoint.js';
import { type ClassWeights, resolveClassWeights } from './class-weights.js';
import { checkCheckpointable, checkMatchesModel, checkOptimizerMatches } from './checkpoint-model.js';
import { type EpochRecord, type TrainState, initState } from './loop.js';
import { metricIssues } from './metrics.js';
import { parseMetric, watchedMetrics } from './monitor.js';
import { LOCK_NAME } from './lock.js';
import { METRICS_CAP, readRunFile, readRunJson } from './rundir.js';
import type { OnDisk } from './writer.js';

/**
 * A locator for compile errors: key path → file, line, column and the dotted path. A key the file
 * does not write (a default) is placed at its nearest written parent, or the top of the file, so
 * that every semantic error has a line; one that a --set put there has no line in the file.
 */
export function locatorOf(rc: ResolvedConfig): Locator {
  return (path) => {
    let pos = rc.locate(path);
    if (!pos && !written(rc.raw, path)) {
      for (let n = path.length - 1; n >= 0 && !pos; n--) pos = n === 0 ? { line: 1, col: 1 } : rc.locate(path.slice(0, n));
    }
    return { file: rc.file, ...(pos ? { line: pos.line, col: pos.col } : {}), path: formatPath(path) };
  };
}

/** Whether the config as written (after --set) has a value at `path`. */
function written(raw: unknown, path: readonly (string | number)[]): boolean {
  let v = raw;
  for (const k of path) {
    if (typeof v !== 'object' || v === null || !(k in v)) return false;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v !== undefined;
}

export interface PreparedRun {
  resolved: ResolvedConfig;
  model: CompiledModel;
  data: { train: Dataset; val: Dataset; test?: Dataset; preprocessing: Preprocessing; classWeights?: ClassWeights };
  /** Every data file read, with its size and SHA-256, taken as it was read. */
  fingerprints: Fingerprint[];
}

/** Config → compile → data → compile with the data's classes. Throws the first problem found. */
export function prepareRun(configFile: string, set: string[] = [], maxMemory?: number): PreparedRun {
  const loaded = withBestDefault(loadConfig(configFile, { set }));
  return prepareResolved(withData(loaded, withTargetDefault(withStratifyDefault(loaded.config.data))), maxMemory);
}

/** Whether the config holds out no validation split (validation 0 and no cross-validation fold). */
const noValidation = (config: ResolvedConfig['config']) => config.data.split.validation === 0 && config.data.split.fold === undefined;

/**
 * With no validation split the monitors (best checkpoint, early stopping, plateau) watch the train
 * split's metric where the config does not write one (val.loss would have nothing to measure).
 * `saved`: the config of a run being resumed, whose choices an unwritten key keeps.
 */
function withBestDefault(rc: ResolvedConfig, saved?: ResolvedConfig['config']): ResolvedConfig {
  const savedMetric = new Map(saved ? watchedMetrics(saved.train).map((w) => [w.path.join('.'), w.metric]) : []);
  const train = structuredClone(rc.config.train);
  let changed = false;
  for (const w of watchedMetrics(train)) {
    if (written(rc.raw, w.path)) continue;
    const metric = savedMetric.get(w.path.join('.')) ?? (noValidation(rc.config) ? w.metric.replace(/^val\./, 'train.') : w.metric);
    if (metric === w.metric) continue;
    const owner = w.path[1] === 'best' ? train.best : w.path[1] === 'early_stopping' ? train.early_stopping! : (train.schedule as { metric: string });
    owner.metric = metric;
    changed = true;
  }
  // A run saved when top_k defaulted to 5 keeps its k.
  if (saved?.train.top_k !== undefined && !written(rc.raw, ['train', 'top_k']) && train.top_k === undefined) {
    train.top_k = saved.train.top_k;
    changed = true;
  }
  if (!changed) return rc;
  const config = { ...rc.config, train };
  return { ...rc, config, hash: trainingHash(config) };
}

/** With no validation split, a val.* metric watched by a monitor is a config error at its key. */
function checkWatchedSplits(config: ResolvedConfig['config'], locate: Locator): void {
  if (!noValidation(config)) return;
  const issues = watchedMetrics(config.train)
    .filter((w) => parseMetric(w.metric)?.split === 'val')
    .map((w) => ({
      place: locate(w.path),
      message: `watches ${w.metric}, but data.split.validation is 0: there is no validation split`,
      hint: `watch ${w.metric.replace(/^val\./, 'train.')} (--set ${w.path.join('.')}=${w.metric.replace(/^val\./, 'train.')}) or hold out a validation split (data.split.validation > 0)`,
    }));
  if (issues.length) throw new ConfigError(issues);
}

/** `rc` with its data section replaced (and its hash recomputed). */
function withData(rc: ResolvedConfig, data: ResolvedConfig['config']['data']): ResolvedConfig {
  if (data === rc.config.data) return rc;
  const config = { ...rc.config, data };
  return { ...rc, config, hash: trainingHash(config) };
}

/** `maxMemory`: the memory bound of compiling (compile/memory.ts), checked before data is read. */
function prepareResolved(resolved: ResolvedConfig, maxMemory?: number): PreparedRun {
  const { config } = resolved;
  const locate = locatorOf(resolved);
  checkWatchedSplits(config, locate);
  // Images and generated data: shapes and memory are checked before any data row is read. A CSV
  // table's inputs are known only once its columns are fitted on the training split, and text's
  // once its vocabulary is; both are small enough (data/limits.ts) to read first.
  const early = config.data.source === 'csv' || config.data.source === 'text' ? loadData(config.data, config.seed, locate) : undefined;
  const dims = early ? preprocessedDims(early.preprocessing) : dataDims(config.data);
  checkTopK(config, dims.classes, locate);
  checkMetrics(config, dims.task, dims.classes, locate, dims.targetShape !== undefined);
  const checked = compileModel(config, dims, locate, { optimize: true, maxMemory });
  checkCheckpointable(checked.params, config.train.optimizer); // names a checkpoint can hold, a size it can be read back at
  const loaded = early ?? loadData(config.data, config.seed, locate);
  const test = loadTestSet(config.data, loaded.preprocessing);
  // After the readers, which refuse what is not a regular file and name the problem first.
  const fingerprints = fingerprintData(config.data);
  // With a label per token the classes are the vocabulary, which the dims already tell.
  const classes = loaded.train.classes?.length ?? (loaded.train.targetShape ? dims.classes : undefined);
  if (loaded.train.classes) checkNumericClasses(config, loaded.train.classes, written(resolved.raw, ['data', 'task']), outputWidth(checked), locate);
  checkTopK(config, classes ?? dims.classes, locate);
  checkThreshold(config, loaded.train.task, classes ?? dims.classes, locate);
  checkMetrics(config, loaded.train.task, classes ?? dims.classes, locate, loaded.train.targetShape !== undefined);
  const classWeights = weightsOf(config, loaded.train, locate);
  // Compiled again only when the data told what the config did not: the number of classes, or class weights.
  const model =
    classes === dims.classes && !classWeights
      ? checked
      : compileModel(config, { ...dims, classes }, locate, { optimize: true, maxMemory, classWeights: classWeights?.weights });
  return { resolved, model, data: { ...loaded, ...(test ? { test } : {}), ...(classWeights ? { classWeights } : {}) }, fingerprints };
}

/** train.metrics must fit the task and the classes: each problem at its item of the list. */
function checkMetrics(config: ResolvedConfig['config'], task: Dataset['task'], classes: number | undefined, locate: Locator, perToken: boolean): void {
  const issues = metricIssues(task, classes, config.train.metrics, perToken).map((i) => ({
    place: locate(['train', 'metrics', i.index]),
    message: i.message,
    hint: i.hint,
  }));
  if (issues.length) throw new ConfigError(issues);
}

/** A written train.threshold needs two classes: with more, or a regression, it would do nothing. */
function checkThreshold(config: ResolvedConfig['config'], task: Dataset['task'], classes: number | undefined, locate: Locator): void {
  const t = config.train.threshold;
  if (t === undefined || (task === 'classification' && (classes === undefined || classes === 2))) return;
  throw new ConfigError([
    {
      place: locate(['train', 'threshold']),
      message: `is ${t}, but ${task === 'regression' ? 'the task is regression' : `the data has ${classes} classes`}: a decision threshold needs two classes`,
      hint: 'remove train.threshold',
    },
  ]);
}

/** A written train.top_k must be below the number of classes (when known): k = classes always scores 1. */
function checkTopK(config: ResolvedConfig['config'], classes: number | undefined, locate: Locator): void {
  const k = config.train.top_k;
  if (k === undefined || classes === undefined || k < classes) return;
  throw new ConfigError([
    {
      place: locate(['train', 'top_k']),
      message: `is ${k}, but the data has ${classes} classes: top_k_accuracy would always be 1`,
      hint: `use a k below ${classes} (--set train.top_k=${Math.max(1, Math.min(5, classes - 1))}), or leave top_k out for min(5, classes - 1)`,
    },
  ]);
}

/** The last axis of the model's output ([batch, n] → n), or undefined for another rank. */
function outputWidth(model: CompiledModel): number | undefined {
  const p = model.program(model.batch, 'train');
  const shape = p.graph.nodes[p.output].shape;
  return shape.length === 2 ? shape[1] : undefined;
}

/** train.class_weights resolved on the training split; config errors point into the config file. */
function weightsOf(config: ResolvedConfig['config'], train: Dataset, locate: Locator): ClassWeights | undefined {
  const spec = config.train.class_weights;
  if (spec === undefined) return undefined;
  if (train.targetShape) {
    throw new ConfigError([
      { place: locate(['train', 'class_weights']), message: 'class weights are not supported with a label per token', hint: 'remove train.class_weights' },
    ]);
  }
  if (train.task !== 'classification' || !train.classes) {
    throw new ConfigError([{ place: locate(['train', 'class_weights']), message: 'class weights apply to classification, not regression' }]);
  }
  try {
    return resolveClassWeights(spec, train.classes, train.y);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(
      e.issues.map((i) => ({ ...i, place: { ...locate(['train', 'class_weights', ...(i.place.path ?? '').split('.').slice(2)]), path: i.place.path } })),
    );
  }
}

/** Copies a checkpoint's tensors into `params`, which must match by name and shape. */
function warmStart(params: Map<string, Float32Array>, model: CompiledModel, ckpt: Checkpoint, file: string): void {
  checkMatchesModel(ckpt, model.params, file);
  const saved = new Map([...ckpt.params, ...ckpt.state]);
  for (const p of model.params) params.get(p.name)!.set(saved.get(p.name)!.data.subarray(0, sizeOf(p.shape)));
}

/** A fresh run, optionally warm-started from a checkpoint. */
export function freshState(run: PreparedRun, initFrom?: string): TrainState {
  const state = initState(run.model, run.resolved.config.seed);
  if (initFrom) warmStart(state.params, run.model, loadCheckpoint(resolve(initFrom)), resolve(initFrom));
  return state;
}

/**
 * Prepares continuing the run in `runDir` from its last checkpoint. The run's saved config is the
 * base; `set` (and a config file, when given) may change only the keys listed in RESUMABLE_KEYS.
 */
export function prepareResume(
  runDir: string,
  opts: { configFile?: string; set?: string[]; allowDataChange?: boolean; maxMemory?: number },
): { run: PreparedRun; state: TrainState; outDir: string; onDisk: OnDisk } {
  const outDir = resolve(runDir);
  const savedFile = join(outDir, 'config.json');
  if (!existsSync(savedFile)) {
    throw new CheckpointError(
      'not a run directory (no config.json)',
      { file: outDir },
      existsSync(join(outDir, LOCK_NAME))
        ? `it was stopped before it started training; remove it and start again: dlf train <config> --out ${outDir}`
        : undefined,
    );
  }
  const saved = loadConfig(savedFile);
  const given = withBestDefault(loadConfig(opts.configFile ?? savedFile, { set: opts.set ?? [] }), saved.config);
  // A config that does not say whether to stratify continues the run as it was split.
  const split = given.config.data.split;
  const stratified =
    split.stratify === undefined && saved.config.data.split.stratify !== undefined
      ? withData(given, { ...given.config.data, split: { ...split, stratify: saved.config.data.split.stratify } })
      : given;
  // Likewise whether to standardise the target.
  const resolved = withSavedTarget(stratified, saved.config.data);
  const diff = configDifferences(saved.config, resolved.config);
  if (diff.length) {
    const locate = locatorOf(resolved);
    throw new ConfigError(
      diff.map((path) => {
        const set = resolved.setBy(path);
        return {
          place: set ? { file: set, path: formatPath(path) } : locate(path),
          message: `differs from the run being resumed: ${shown(valueAt(resolved.config, path))} here, ${shown(valueAt(saved.config, path))} in the run`,
          hint: 'a resumed run may change only train.epochs, train.early_stopping.patience, train.checkpoint, train.checkpoint_interval and train.evaluate_test',
        };
      }),
    );
  }
  const ckptFile = join(outDir, 'checkpoints', 'last.json');
  if (!existsSync(ckptFile)) {
    const restart = `to start it again in the same directory: rm -r ${outDir} && dlf train <config> --out ${outDir}`;
    if (saved.config.train.checkpoint === 'best') {
      throw new CheckpointError(
        'the run has no checkpoints/last.json to resume from: it was trained with train.checkpoint: best, which keeps only the best epoch',
        { file: outDir },
        restart,
      );
    }
    throw new CheckpointError(
      'the run has no checkpoint to resume from: it was stopped before its first checkpoint was written (checkpoints are written every train.checkpoint_interval seconds and when training stops)',
      { file: outDir },
      restart,
    );
  }
  const ckpt = loadCheckpoint(ckptFile);
  if (ckpt.configHash !== resolved.hash) {
    throw new CheckpointError('checkpoint was written for a different config than the run directory holds', { file: ckptFile });
  }
  checkOptimizerMatches(ckpt, resolved.config.train.optimizer, ckptFile);
  if (resolved.config.train.epochs < ckpt.epoch) {
    const pos = resolved.locate(['train', 'epochs']);
    throw new ConfigError([
      {
        place: { file: resolved.file, ...(pos ? { line: pos.line, col: pos.col } : {}), path: 'train.epochs' },
        message: `is ${resolved.config.train.epochs}, but the run has already trained ${ckpt.epoch} epochs`,
        hint: `give --epochs ${ckpt.epoch} or more to continue it; dlf eval scores it as it is`,
      },
    ]);
  }
  const recorded = readFingerprints(outDir);
  const run = prepareResolved(resolved, opts.maxMemory);
  // The data files were fingerprinted as they were read: compared, not hashed a second time.
  const changes = recorded ? compareFingerprints(recorded, run.fingerprints) : [];
  if (changes.length && !opts.allowDataChange) {
    const c = changes[0];
    throw new DataError(
      `data file ${c.what} since the run started` +
        (changes.length > 1
          ? ` (and ${changes.length - 1} more: ${changes
              .slice(1)
              .map((x) => x.path)
              .join(', ')})`
          : ''),
      { file: c.path },
      'resuming on other data would mix two data sets in one run; pass --allow-data-change to resume anyway',
    );
  }
  const state = initState(run.model, resolved.config.seed);
  warmStart(state.params, run.model, ckpt, ckptFile);
  state.epoch = ckpt.epoch;
  state.optimizer = ckpt.optimizer.state;
  state.rng = ckpt.rng;
  state.progress = ckpt.progress;
  state.history = readHistory(join(outDir, 'metrics.jsonl'), ckpt.epoch);
  const onDisk: OnDisk = { last: ckpt.epoch };
  if (existsSync(join(outDir, 'checkpoints', 'best.json')) && ckpt.progress.best.bestEpoch > 0) onDisk.best = ckpt.progress.best.bestEpoch;
  return { run, state, outDir, onDisk };
}

/** A config value in a message: its JSON on one line, or `not set`. */
function shown(v: { found: boolean; value: unknown }): string {
  return v.found && v.value !== undefined ? oneLine(canonicalJson(v.value), 80) : 'not set';
}

/** The fingerprints a run recorded, or undefined for a run that has none (made by an older dlf). */
export function readFingerprints(runDir: string): Fingerprint[] | undefined {
  const file = join(runDir, FINGERPRINTS_FILE);
  const raw = readRunJson(file);
  if (raw === undefined) return undefined;
  const f = parseFingerprints(raw);
  if (!f) throw new CheckpointError('does not list data fingerprints', { file });
  return f;
}

/**
 * The per-epoch records of a run up to and including `epoch`. Lines are appended one per epoch
 * (writer.ts), so a process killed mid-write can leave the last line cut short: it is dropped.
 */
function readHistory(file: string, epoch: number): EpochRecord[] {
  if (!existsSync(file)) return [];
  const lines = readRunFile(file, METRICS_CAP)
    .split('\n')
    .filter((l) => l.trim());
  const records: EpochRecord[] = [];
  for (const [i, line] of lines.entries()) {
    let r: EpochRecord;
    try {
      r = JSON.parse(line) as EpochRecord;
    } catch {
      if (i === lines.length - 1) break;
      throw new CheckpointError(`line ${i + 1} is not valid JSON`, { file });
    }
    if (typeof r !== 'object' || r === null || !Number.isInteger(r.epoch) || typeof r.train !== 'object' || r.train === null) {
      throw new CheckpointError(`line ${i + 1} is not an epoch's record`, { file });
    }
    if (r.epoch <= epoch) records.push(r);
  }
  return records;
}

/** `given` with the saved run's `data.standardize_target` when `given` does not say. */
function withSavedTarget(given: ResolvedConfig, saved: ResolvedConfig['config']['data']): ResolvedConfig {
  const data = given.config.data;
  if (data.source === 'idx' || data.source === 'text' || saved.source === 'idx' || saved.source === 'text') return given;
  if (isSequenceTask(data) || isSequenceTask(saved)) return given;
  if (data.standardize_target !== undefined || saved.standardize_target === undefined) return given;
  return withData(given, { ...data, standardize_target: saved.standardize_target });
}
