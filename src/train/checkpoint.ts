// Checkpoints: JSON holding a format version, the config hash, where training was (epoch, step),
// every parameter and state tensor by name with its shape and data (base64 of little-endian
// float32, so values round-trip bit-exactly), the optimizer state, the RNG states, the monitors
// (best checkpoint, early stopping, reduce-on-plateau) and the preprocessing: all that resuming
// needs to continue exactly where training stopped.
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import type { Preprocessing } from '../data/standardize.js';
import { parsePreprocessing } from '../data/standardize.js';
import type { RngState } from '../tensor/rng.js';
import { sizeOf } from '../tensor/shape.js';
import { decodeF32, encodeF32 } from './encode.js';
import { writeJsonDurable } from '../io/write.js';
import type { Metrics } from './metrics.js';
import type { MonitorState } from './monitor.js';
import type { OptimizerState } from './optimizers.js';
import type { PlateauState } from './schedule.js';

export const CHECKPOINT_FORMAT = 'dlf-checkpoint';
export const CHECKPOINT_VERSION = 1;

export type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

export interface Progress {
  best: MonitorState;
  early: MonitorState;
  plateau: PlateauState;
}

export interface Checkpoint {
  configHash: string;
  epoch: number;
  step: number;
  /** Trainable parameters by name. */
  params: Tensors;
  /** Non-trainable state tensors (running statistics) by name. */
  state: Tensors;
  optimizer: { type: string; state: OptimizerState };
  rng: { shuffle: RngState; dropout: RngState };
  progress: Progress;
  preprocessing: Preprocessing;
  metrics?: { train?: Metrics; val?: Metrics };
}

function encodeTensors(t: Tensors): Record<string, { shape: number[]; data: string }> {
  const out: Record<string, { shape: number[]; data: string }> = {};
  for (const [name, p] of t) out[name] = { shape: p.shape, data: encodeF32(p.data) };
  return out;
}

export function saveCheckpoint(path: string, c: Checkpoint): void {
  const slots: Record<string, Record<string, string>> = {};
  for (const [slot, byName] of Object.entries(c.optimizer.state.slots)) {
    slots[slot] = {};
    for (const [name, buf] of Object.entries(byName)) slots[slot][name] = encodeF32(buf);
  }
  writeJsonDurable(path, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    configHash: c.configHash,
    epoch: c.epoch,
    step: c.step,
    params: encodeTensors(c.params),
    state: encodeTensors(c.state),
    optimizer: { type: c.optimizer.type, step: c.optimizer.state.step, slots },
    rng: c.rng,
    progress: c.progress,
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
  const tensors = (what: string, raw: unknown): Tensors => {
    const t: Tensors = new Map();
    for (const [name, p] of Object.entries<any>(raw ?? {})) {
      const data = typeof p?.data === 'string' ? decodeF32(p.data) : null;
      if (!Array.isArray(p?.shape) || !data || data.length !== sizeOf(p.shape)) throw bad(`${what} '${name}'`);
      t.set(name, { shape: p.shape, data });
    }
    return t;
  };
  const params = tensors('parameter', c.params);
  const state = tensors('state tensor', c.state);
  const slots: OptimizerState['slots'] = {};
  for (const [slot, byName] of Object.entries<any>(c.optimizer?.slots ?? {})) {
    slots[slot] = {};
    for (const [name, text] of Object.entries<any>(byName)) {
      const d = typeof text === 'string' ? decodeF32(text) : null;
      if (!d) throw bad(`optimizer slot ${slot} of '${name}'`);
      slots[slot][name] = d;
    }
  }
  const rngOk = (r: unknown) => Array.isArray(r) && r.length === 4 && r.every((w) => Number.isInteger(w));
  if (!rngOk(c.rng?.shuffle) || !rngOk(c.rng?.dropout)) throw bad('rng state');
  const pr = c.progress;
  if (typeof pr?.best !== 'object' || typeof pr?.early !== 'object' || typeof pr?.plateau !== 'object') throw bad('progress');
  const preprocessing = parsePreprocessing(c.preprocessing);
  if (!preprocessing) throw bad('preprocessing');
  return {
    configHash: c.configHash,
    epoch: c.epoch,
    step: c.step,
    params,
    state,
    optimizer: { type: String(c.optimizer?.type), state: { step: Number(c.optimizer?.step ?? 0), slots } },
    rng: { shuffle: c.rng.shuffle as RngState, dropout: c.rng.dropout as RngState },
    progress: pr as Progress,
    preprocessing,
    metrics: c.metrics,
  };
}
