// What makes a checkpoint valid on its own, whatever model it will meet: checked before a
// checkpoint is written and after one is read, so that dlf never writes a checkpoint it would
// refuse and never loads one that could put NaN into a model or crash later code.
//
//   - epoch and step: integers ≥ 0; the optimizer's step equals the checkpoint's step;
//   - config hash: 64 lowercase hex digits (SHA-256);
//   - tensor names: non-empty, well-formed Unicode, none of __proto__, constructor, prototype,
//     no name both a parameter and a state tensor;
//   - shapes: integers ≥ 0 whose product is at most MAX_TENSOR_ELEMENTS and equals the number of
//     values; every value of every tensor and optimizer slot finite;
//   - optimizer: a known type keeping exactly the slots of that type (checkpoint-optimizer.ts),
//     each slot one buffer per parameter, named as the parameters and of their sizes;
//   - RNG states: four integers in [0, 2^32), not all zero;
//   - progress: monitors with a finite best value or null, best epoch in [0, epoch], waits ≥ 0,
//     a finite plateau factor ≥ 0;
//   - preprocessing: as data/standardize.ts defines it, with every std > 0 and exactly the
//     members of its kind (a regression table's target scale, when present, with std > 0; a
//     table's column rules, when present, one per feature as data/columns.ts defines them);
//   - metrics, when present: train and/or val, each a finite loss and finite known metrics.
import { MetricName } from '../config/schema.js';
import { isPreprocessing } from '../data/standardize.js';
import { oneLine } from '../errors.js';
import type { Checkpoint, Tensors } from './state.js';
import { RESERVED_KEYS } from './checkpoint-json-read.js';
import { OPTIMIZER_TYPES, slotSetsOf } from './checkpoint-optimizer.js';

/** The most elements a tensor of a checkpoint may have: 2^32, more than a checkpoint file can hold. */
const MAX_TENSOR_ELEMENTS = 2 ** 32;

/** Why a checkpoint is not valid; `nonFinite` when the reason is a NaN or infinite value. */
export interface Problem {
  message: string;
  nonFinite?: boolean;
}

/** A name quoted for a message, control characters escaped and cut to a readable length. */
export const quote = (name: string): string => `'${oneLine(name, 120)}'`;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `name` cannot name a tensor or slot, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (RESERVED_KEYS.has(name)) return 'is reserved (__proto__, constructor and prototype cannot name a tensor)';
  if (LONE_SURROGATE.test(name)) return 'is not well-formed Unicode';
  return undefined;
}

/** Why `shape` cannot be a tensor's shape, or undefined; its element count is checked to fit. */
function shapeProblem(shape: readonly unknown[]): string | undefined {
  let size = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return `has the dimension ${String(d)}, not an integer ≥ 0`;
    size *= d;
    if (size > MAX_TENSOR_ELEMENTS) return `has more than ${MAX_TENSOR_ELEMENTS} elements`;
  }
  return undefined;
}

/** The index of the first NaN or infinite value of `a`, or -1. */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x - x !== 0) return i; // NaN - NaN and ±Infinity - ±Infinity are NaN
  }
  return -1;
}

function tensorsProblem(what: string, t: Tensors): Problem | undefined {
  for (const [name, { shape, data }] of t) {
    const where = `${what} ${quote(name)}`;
    const bad = nameProblem(name);
    if (bad) return { message: `the name of ${what} ${quote(name)} ${bad}` };
    if (!Array.isArray(shape)) return { message: `${where} has no shape` };
    const s = shapeProblem(shape);
    if (s) return { message: `${where}: the shape ${s}` };
    const size = shape.reduce((a, d) => a * d, 1);
    if (data.length !== size) return { message: `${where}: the shape [${shape.join(', ')}] has ${size} elements but the data ${data.length}` };
    const i = firstNonFinite(data);
    if (i >= 0) return { message: `${where} holds ${data[i]} at index ${i}`, nonFinite: true };
  }
  return undefined;
}

function optimizerProblem(c: Checkpoint): Problem | undefined {
  const { type, state } = c.optimizer;
  if (!OPTIMIZER_TYPES.includes(type)) return { message: `unknown optimizer type ${quote(type)} (dlf knows ${OPTIMIZER_TYPES.join(', ')})` };
  if (!isCount(state.step)) return { message: `the optimizer step ${state.step} is not an integer ≥ 0` };
  if (state.step !== c.step) return { message: `the optimizer step ${state.step} differs from the checkpoint's step ${c.step}` };
  const names = Object.keys(state.slots).sort();
  const sets = slotSetsOf(type);
  if (!sets.some((s) => s.length === names.length && s.every((n, i) => n === names[i]))) {
    const allowed = sets.map((s) => (s.length ? s.join(', ') : 'none')).join(' or ');
    return { message: `the optimizer ${type} keeps the slots ${allowed}, but the checkpoint has ${names.length ? names.map(quote).join(', ') : 'none'}` };
  }
  for (const slot of names) {
    const byName = state.slots[slot];
    const held = Object.keys(byName);
    const missing = [...c.params.keys()].filter((n) => !Object.hasOwn(byName, n));
    const extra = held.filter((n) => !c.params.has(n));
    if (missing.length || extra.length) {
      const parts = [];
      if (missing.length) parts.push(`no buffer for ${missing.map(quote).join(', ')}`);
      if (extra.length) parts.push(`a buffer for ${extra.map(quote).join(', ')}, which is no parameter`);
      return { message: `optimizer slot ${quote(slot)} has ${parts.join(' and ')}` };
    }
    for (const name of held) {
      const buf = byName[name];
      const want = c.params.get(name)!.data.length;
      if (buf.length !== want) return { message: `optimizer slot ${quote(slot)} of ${quote(name)} has ${buf.length} values, the parameter ${want}` };
      const i = firstNonFinite(buf);
      if (i >= 0) return { message: `optimizer slot ${quote(slot)} of ${quote(name)} holds ${buf[i]} at index ${i}`, nonFinite: true };
    }
  }
  return undefined;
}

function rngProblem(what: string, r: unknown): string | undefined {
  const ok = Array.isArray(r) && r.length === 4 && r.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32);
  if (!ok) return `the ${what} RNG state is not four integers in [0, 2^32)`;
  if (r.every((w) => w === 0)) return `the ${what} RNG state is all zero, which no generator can have`;
  return undefined;
}

const finiteOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

function progressProblem(c: Checkpoint): string | undefined {
  const p = c.progress;
  for (const key of ['best', 'early'] as const) {
    const m = p[key];
    if (!finiteOrNull(m.best) || !isCount(m.bestEpoch) || !isCount(m.wait) || m.bestEpoch > c.epoch) {
      return `progress.${key} is not a finite best value (or null), a best epoch in [0, ${c.epoch}] and a wait ≥ 0`;
    }
  }
  const pl = p.plateau;
  // The factor may underflow to 0 after some hundreds of reductions; the rate then stays at min_lr.
  if (!(typeof pl.factor === 'number' && Number.isFinite(pl.factor) && pl.factor >= 0) || !finiteOrNull(pl.best) || !isCount(pl.wait)) {
    return 'progress.plateau is not a finite factor ≥ 0, a finite best value (or null) and a wait ≥ 0';
  }
  return undefined;
}

const TABLE_KEYS = ['kind', 'features', 'mean', 'std', 'task'];
const IMAGE_KEYS = ['kind', 'scale', 'mean', 'std', 'shape', 'task'];
const TOKEN_KEYS = ['kind', 'tokenizer', 'lowercase', 'vocab', 'length', 'labels', 'task'];

/**
 * Why the member names of a preprocessing object are not those of its kind, or undefined: a
 * table's are kind, features, mean, std and task (version 1 may lack kind), an image's kind,
 * scale, mean, std, shape and task, tokens' kind, tokenizer, lowercase, vocab, length, labels and
 * task (data/standardize.ts), and any may have classes; a table may have target (the
 * regression target's mean and std, data.standardize_target), and columns with missingValues
 * (categorical columns and missing-value rules, data/columns.ts). Checked on writing as on
 * reading, so that a field added to Preprocessing without a new checkpoint version is found
 * when a checkpoint is written, not when it is read back.
 */
export function preprocessingKeysProblem(keys: readonly string[], kind: unknown, version: number): string | undefined {
  const required = kind === 'image' ? IMAGE_KEYS : kind === 'tokens' ? TOKEN_KEYS : kind === undefined && version < 2 ? TABLE_KEYS.slice(1) : TABLE_KEYS;
  for (const k of required) if (!keys.includes(k)) return `preprocessing.${k} is missing`;
  const optional = kind === 'image' || kind === 'tokens' ? ['classes'] : ['classes', 'target', 'columns', 'missingValues'];
  for (const k of keys) if (!required.includes(k) && !optional.includes(k)) return `preprocessing has the unknown member ${quote(k)}`;
  return undefined;
}

const METRIC_NAMES: ReadonlySet<string> = new Set(['loss', ...MetricName.options]);

function metricsProblem(c: Checkpoint): string | undefined {
  if (c.metrics === undefined) return undefined;
  for (const [split, m] of Object.entries(c.metrics)) {
    if (m === undefined) continue;
    if (split !== 'train' && split !== 'val') return `metrics has the unknown split ${quote(split)}`;
    if (typeof m.loss !== 'number') return `metrics.${split} has no loss`;
    for (const [name, v] of Object.entries(m)) {
      if (v === undefined) continue;
      if (!METRIC_NAMES.has(name)) return `metrics.${split} has the unknown metric ${quote(name)}`;
      if (typeof v !== 'number' || !Number.isFinite(v)) return `metrics.${split}.${name} is ${String(v)}, not a finite number`;
    }
  }
  return undefined;
}

/** The first reason `c` is not a valid checkpoint (see the header), or undefined when it is one. */
export function checkpointProblem(c: Checkpoint): Problem | undefined {
  if (!isCount(c.epoch)) return { message: `the epoch ${c.epoch} is not an integer ≥ 0` };
  if (!isCount(c.step)) return { message: `the step ${c.step} is not an integer ≥ 0` };
  if (typeof c.configHash !== 'string' || !/^[0-9a-f]{64}$/.test(c.configHash)) return { message: 'the config hash is not 64 lowercase hex digits' };
  const t = tensorsProblem('parameter', c.params) ?? tensorsProblem('state tensor', c.state);
  if (t) return t;
  const both = [...c.state.keys()].filter((n) => c.params.has(n));
  if (both.length) return { message: `${both.map(quote).join(', ')} is both a parameter and a state tensor` };
  const o = optimizerProblem(c);
  if (o) return o;
  const r = rngProblem('shuffle', c.rng.shuffle) ?? rngProblem('dropout', c.rng.dropout) ?? progressProblem(c);
  if (r) return { message: r };
  const prep = c.preprocessing as unknown;
  if (typeof prep === 'object' && prep !== null) {
    const p = prep as Record<string, unknown>;
    const bad = preprocessingKeysProblem(
      Object.keys(p).filter((k) => p[k] !== undefined),
      p.kind,
      2,
    );
    if (bad) return { message: bad };
  }
  const badStd = isPreprocessing(prep) && prep.kind !== 'image' && prep.kind !== 'tokens' && prep.std.some((s) => !(s > 0));
  if (!isPreprocessing(prep) || badStd) return { message: 'the preprocessing is not valid' };
  const m = metricsProblem(c);
  return m ? { message: m } : undefined;
}
