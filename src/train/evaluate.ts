// Evaluating a run directory: its saved config, preprocessing and a checkpoint (the best by
// default), scored on the train or validation split (recreated from the same seed, standardised
// with the saved statistics) or on the test set.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileModel } from '../compile/compile.js';
import { ConfigSchema, type Config } from '../config/schema.js';
import { trainingHash } from '../config/hash.js';
import { loadDataset, loadTestSet } from '../data/load.js';
import { dataDims } from '../data/dims.js';
import { splitDataset } from '../data/split.js';
import { applyPreprocessing } from '../data/standardize.js';
import { CheckpointError, DataError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { type Checkpoint, loadCheckpoint } from './checkpoint.js';
import { checkMatchesModel } from './checkpoint-model.js';
import { readRunFile } from './rundir.js';
import type { Dataset } from '../data/dataset.js';
import type { Metrics } from './metrics.js';
import { ModelRuntime, evaluateDataset } from './runtime.js';

export type Split = 'train' | 'val' | 'test';

export interface EvalResult {
  runDir: string;
  checkpoint: string;
  epoch: number;
  split: Split;
  samples: number;
  metrics: Metrics;
  /** Rows: true class; columns: predicted class (classification only). */
  confusion?: number[][];
  classes?: string[];
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
  const dims = { ...dataDims(config.data), classes: prep.classes?.length };
  const model = compileModel(config, dims, (path) => ({ file: join(runDir, 'config.json'), path: path.join('.') }), { optimize: true, maxMemory });
  // Exactly the model's tensors: a missing, extra or reshaped one is an error listing them all.
  checkMatchesModel(ckpt, model.params, ckptPath);
  const params = new Map<string, Float32Array>();
  for (const [name, t] of [...ckpt.params, ...ckpt.state]) params.set(name, t.data);
  return { runDir, config, ckptPath, ckpt, prep, model, params };
}

/** The samples of one split of a run's data, preprocessed as the run was. */
export function splitOf(config: Config, prep: Checkpoint['preprocessing'], split: Split): Dataset {
  if (split === 'test') {
    const test = loadTestSet(config.data, config.seed, prep);
    if (!test) throw new DataError('this run has no test set', {}, 'set data.test (csv) or test files (idx) in the config');
    return test;
  }
  const all = loadDataset(config.data, config.seed, prep.classes);
  const parts = splitDataset(all, config.data.split, new Rng(streamSeed(config.seed, 'split')));
  return applyPreprocessing(parts[split], prep);
}

export function evaluateRun(runDirArg: string, opts: { checkpoint?: string; split?: Split; kernels: Kernels; maxMemory?: number }): EvalResult {
  const { runDir, config, ckptPath, ckpt, prep, model, params } = loadRun(runDirArg, opts.checkpoint, opts.maxMemory);
  const split = opts.split ?? 'val';
  const ds = splitOf(config, prep, split);
  const rt = new ModelRuntime(model, opts.kernels, params);
  const acc = evaluateDataset(rt, ds, {
    batchSize: config.train.batch_size,
    metrics: { metrics: config.train.metrics, topK: config.train.top_k, classes: prep.classes?.length },
  });
  const classification = ds.task === 'classification';
  return {
    runDir,
    checkpoint: ckptPath,
    epoch: ckpt.epoch,
    split,
    samples: ds.n,
    metrics: acc.result(),
    ...(classification ? { confusion: acc.confusion(), classes: prep.classes } : {}),
  };
}
