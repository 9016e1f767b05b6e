// Checkpoints: JSON holding a format version, the config hash, where training was (epoch, step),
// every parameter by name with its shape and data (base64 of little-endian float32, so values
// round-trip bit-exactly), the optimizer state, the RNG state and the preprocessing.
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import type { Preprocessing } from '../data/standardize.js';
import { isPreprocessing } from '../data/standardize.js';
import type { RngState } from '../tensor/rng.js';
import { sizeOf } from '../tensor/shape.js';
import { decodeF32, encodeF32 } from './encode.js';
import { writeJsonAtomic } from './files.js';
import type { Metrics } from './metrics.js';
import type { OptimizerState } from './optimizers.js';

export const CHECKPOINT_FORMAT = 'dlf-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint {
  configHash: string;
  epoch: number;
  step: number;
  params: Map<string, { shape: number[]; data: Float32Array }>;
  optimizer: { type: string; state: OptimizerState };
  rng: RngState;
  preprocessing: Preprocessing;
  metrics?: { train?: Metrics; val?: Metrics };
}

export function saveCheckpoint(path: string, c: Checkpoint): void {
  const params: Record<string, { shape: number[]; data: string }> = {};
  for (const [name, p] of c.params) params[name] = { shape: p.shape, data: encodeF32(p.data) };
  const slots: Record<string, Record<string, string>> = {};
  for (const [slot, byName] of Object.entries(c.optimizer.state.slots)) {
    slots[slot] = {};
    for (const [name, buf] of Object.entries(byName)) slots[slot][name] = encodeF32(buf);
  }
  writeJsonAtomic(path, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    configHash: c.configHash,
    epoch: c.epoch,
    step: c.step,
    params,
    optimizer: { type: c.optimizer.type, step: c.optimizer.state.step, slots },
    rng: c.rng,
    preprocessing: c.preprocessing,
    metrics: c.metrics,
  });
}

export function loadCheckpoint(path: string): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new CheckpointError('checkpoint not found', { file: path });
    throw new CheckpointError(`checkpoint is not valid JSON: ${err.message}`, { file: path });
  }
  const bad = (what: string) => new CheckpointError(`corrupt checkpoint: ${what}`, { file: path });
  const c = raw as Record<string, any>;
  if (c?.format !== CHECKPOINT_FORMAT) throw bad('not a dlf checkpoint');
  if (c.version !== CHECKPOINT_VERSION) throw new CheckpointError(`checkpoint format version ${c.version} is not supported (this dlf reads ${CHECKPOINT_VERSION})`, { file: path });
  if (typeof c.configHash !== 'string' || !Number.isInteger(c.epoch) || !Number.isInteger(c.step)) throw bad('missing configHash, epoch or step');
  const params = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, p] of Object.entries<any>(c.params ?? {})) {
    const data = typeof p?.data === 'string' ? decodeF32(p.data) : null;
    if (!Array.isArray(p?.shape) || !data || data.length !== sizeOf(p.shape)) throw bad(`parameter '${name}'`);
    params.set(name, { shape: p.shape, data });
  }
  const slots: OptimizerState['slots'] = {};
  for (const [slot, byName] of Object.entries<any>(c.optimizer?.slots ?? {})) {
    slots[slot] = {};
    for (const [name, text] of Object.entries<any>(byName)) {
      const d = typeof text === 'string' ? decodeF32(text) : null;
      if (!d) throw bad(`optimizer slot ${slot} of '${name}'`);
      slots[slot][name] = d;
    }
  }
  if (!Array.isArray(c.rng) || c.rng.length !== 4) throw bad('rng state');
  if (!isPreprocessing(c.preprocessing)) throw bad('preprocessing');
  return {
    configHash: c.configHash,
    epoch: c.epoch,
    step: c.step,
    params,
    optimizer: { type: String(c.optimizer?.type), state: { step: Number(c.optimizer?.step ?? 0), slots } },
    rng: c.rng as RngState,
    preprocessing: c.preprocessing,
    metrics: c.metrics,
  };
}
