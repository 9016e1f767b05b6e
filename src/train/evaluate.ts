// Evaluating a run directory: its saved config, preprocessing and a checkpoint, scored on the
// train or validation split (recreated from the same seed, standardised with the saved statistics).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileModel } from '../compile/compile.js';
import { ConfigSchema, type Config } from '../config/schema.js';
import { configHash } from '../config/hash.js';
import { loadDataset } from '../data/load.js';
import { splitDataset } from '../data/split.js';
import { applyPreprocessing } from '../data/standardize.js';
import { CheckpointError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { loadCheckpoint } from './checkpoint.js';
import type { Metrics } from './metrics.js';
import { ModelRuntime, evaluateDataset } from './runtime.js';

export interface EvalResult {
  runDir: string;
  checkpoint: string;
  epoch: number;
  split: 'train' | 'val';
  samples: number;
  metrics: Metrics;
}

/** Reads and validates a run directory's config.json. */
export function readRunConfig(runDir: string): Config {
  const file = join(runDir, 'config.json');
  if (!existsSync(file)) throw new CheckpointError('not a run directory (no config.json)', { file: runDir });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`config.json is not valid JSON: ${(e as Error).message}`, { file });
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new CheckpointError(`config.json does not match the schema: ${parsed.error.issues[0].message}`, { file });
  return parsed.data;
}

export function evaluateRun(runDirArg: string, opts: { checkpoint?: string; split?: 'train' | 'val'; kernels: Kernels }): EvalResult {
  const runDir = resolve(runDirArg);
  const config = readRunConfig(runDir);
  const split = opts.split ?? 'val';
  let ckptPath = opts.checkpoint ? resolve(opts.checkpoint) : join(runDir, 'checkpoints', 'best.json');
  if (!opts.checkpoint && !existsSync(ckptPath)) ckptPath = join(runDir, 'checkpoints', 'last.json');
  const ckpt = loadCheckpoint(ckptPath);
  if (ckpt.configHash !== configHash(config)) {
    throw new CheckpointError('checkpoint was written for a different config than this run directory holds', { file: ckptPath });
  }
  const prep = ckpt.preprocessing;
  const all = loadDataset(config.data, config.seed, prep.classes);
  const parts = splitDataset(all, config.data.split, new Rng(streamSeed(config.seed, 'split')));
  const ds = applyPreprocessing(parts[split], prep);
  const dims = { task: prep.task, features: prep.features.length, classes: prep.classes?.length };
  const model = compileModel(config, dims, (path) => ({ file: join(runDir, 'config.json'), path: path.join('.') }));
  const params = new Map<string, Float32Array>();
  for (const p of model.params) {
    const saved = ckpt.params.get(p.name);
    if (!saved || saved.data.length !== p.shape.reduce((a, b) => a * b, 1)) {
      throw new CheckpointError(`checkpoint has no parameter '${p.name}' of shape [${p.shape.join(', ')}]`, { file: ckptPath, node: p.name });
    }
    params.set(p.name, saved.data);
  }
  const rt = new ModelRuntime(model, opts.kernels, params);
  const metrics = ds.n > 0 ? evaluateDataset(rt, ds, config.train.batch_size) : { loss: NaN };
  return { runDir, checkpoint: ckptPath, epoch: ckpt.epoch, split, samples: ds.n, metrics };
}
