// A checkpoint as a JSON document and back. documentOf gives the document to write and to digest
// (ordered Maps, tensors as Float32Array); readDocument takes a parsed document apart, checking
// that every member has the JSON type it must have and that no member is missing or unknown, and
// decodes the tensors' base64 strictly. What the values mean (integers, finite numbers, matching
// names and sizes) is checked by checkpoint-check.ts.
import { parsePreprocessing } from '../data/standardize.js';
import type { Metrics } from './metrics.js';
import type { MonitorState } from './monitor.js';
import type { OptimizerState } from './optimizers.js';
import type { PlateauState } from './schedule.js';
import type { RngState } from '../tensor/rng.js';
import type { Checkpoint, Tensors } from './state.js';
import { ByteSlice, type JsonObject, type JsonValue } from './checkpoint-json-read.js';
import type { DocObject, DocValue } from './checkpoint-json-write.js';
import { preprocessingKeysProblem, quote } from './checkpoint-check.js';
import { decodeF32 } from './encode.js';

export const CHECKPOINT_FORMAT = 'dlf-checkpoint';

/** A member of the document that is missing, unknown or of the wrong type; the message names its path. */
export class DocumentProblem extends Error {}

// ---- writing ----------------------------------------------------------------------------------

/** A plain value (preprocessing, monitor states) as a document value, keys in their own order. */
function plainDoc(v: unknown): DocValue | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((e) => plainDoc(e) ?? null);
  if (typeof v === 'object' && v !== null) {
    return new Map(Object.entries(v).map(([k, m]) => [k, plainDoc(m)]));
  }
  return v as DocValue;
}

function tensorsDoc(t: Tensors): DocObject {
  return new Map(
    [...t].map(([name, { shape, data }]) => [
      name,
      new Map<string, DocValue>([
        ['shape', [...shape]],
        ['data', data],
      ]),
    ]),
  );
}

/**
 * The document of `c` in the order it is written: format, version, digest (when given), config
 * hash, epoch, step, params, state, optimizer, rng, progress, preprocessing, metrics.
 */
export function documentOf(c: Checkpoint, version: number, digest?: string): DocObject {
  const slots: DocObject = new Map(Object.entries(c.optimizer.state.slots).map(([slot, byName]) => [slot, new Map<string, DocValue>(Object.entries(byName))]));
  return new Map<string, DocValue | undefined>([
    ['format', CHECKPOINT_FORMAT],
    ['version', version],
    ['digest', digest],
    ['configHash', c.configHash],
    ['epoch', c.epoch],
    ['step', c.step],
    ['params', tensorsDoc(c.params)],
    ['state', tensorsDoc(c.state)],
    [
      'optimizer',
      new Map<string, DocValue>([
        ['type', c.optimizer.type],
        ['step', c.optimizer.state.step],
        ['slots', slots],
      ]),
    ],
    [
      'rng',
      new Map<string, DocValue>([
        ['shuffle', [...c.rng.shuffle]],
        ['dropout', [...c.rng.dropout]],
      ]),
    ],
    ['progress', plainDoc(c.progress)],
    ['preprocessing', plainDoc(c.preprocessing)],
    ['metrics', plainDoc(c.metrics)],
  ]);
}

// ---- reading ----------------------------------------------------------------------------------

const problem = (where: string, what: string): never => {
  throw new DocumentProblem(`${where} ${what}`);
};

function object(v: JsonValue | undefined, where: string): JsonObject {
  if (!(v instanceof Map)) problem(where, v === undefined ? 'is missing' : 'is not an object');
  return v as JsonObject;
}

/** `v` as an object with exactly the `required` members and any of the `optional` ones. */
function members(v: JsonValue | undefined, where: string, required: readonly string[], optional: readonly string[] = []): JsonObject {
  const o = object(v, where || 'the checkpoint');
  for (const k of required) if (!o.has(k)) problem(where ? `${where}.${k}` : k, 'is missing');
  for (const k of o.keys()) if (!required.includes(k) && !optional.includes(k)) problem(where || 'the checkpoint', `has the unknown member ${quote(k)}`);
  return o;
}

function string(v: JsonValue | undefined, where: string): string {
  if (typeof v !== 'string') problem(where, v instanceof ByteSlice ? 'is a string too long for it' : 'is not a string');
  return v as string;
}

function number(v: JsonValue | undefined, where: string): number {
  if (typeof v !== 'number') problem(where, 'is not a number');
  return v as number;
}

function numberOrNull(v: JsonValue | undefined, where: string): number | null {
  return v === null ? null : number(v, where);
}

function numbers(v: JsonValue | undefined, where: string): number[] {
  if (!Array.isArray(v) || !v.every((e) => typeof e === 'number')) problem(where, 'is not an array of numbers');
  return v as number[];
}

function floats(v: JsonValue | undefined, where: string): Float32Array {
  if (typeof v !== 'string' && !(v instanceof ByteSlice)) problem(where, 'is not a base64 string');
  const out = decodeF32(v instanceof ByteSlice ? v.bytes : (v as string));
  if (!out) problem(where, 'is not canonical standard base64 of float32 values');
  return out as Float32Array;
}

function tensors(v: JsonValue | undefined, where: string, what: string): Tensors {
  const out: Tensors = new Map();
  for (const [name, t] of object(v, where)) {
    const at = `${what} ${quote(name)}`;
    const m = members(t, at, ['shape', 'data']);
    out.set(name, { shape: numbers(m.get('shape'), `${at}: shape`), data: floats(m.get('data'), `${at}: data`) });
  }
  return out;
}

function monitor(v: JsonValue | undefined, where: string): MonitorState {
  const m = members(v, where, ['best', 'bestEpoch', 'wait']);
  return {
    best: numberOrNull(m.get('best'), `${where}.best`),
    bestEpoch: number(m.get('bestEpoch'), `${where}.bestEpoch`),
    wait: number(m.get('wait'), `${where}.wait`),
  };
}

function plateau(v: JsonValue | undefined, where: string): PlateauState {
  const m = members(v, where, ['factor', 'best', 'wait']);
  return {
    factor: number(m.get('factor'), `${where}.factor`),
    best: numberOrNull(m.get('best'), `${where}.best`),
    wait: number(m.get('wait'), `${where}.wait`),
  };
}

function slots(v: JsonValue | undefined, where: string): OptimizerState['slots'] {
  const out: OptimizerState['slots'] = Object.create(null);
  for (const [slot, byName] of object(v, where)) {
    const buffers: Record<string, Float32Array> = Object.create(null);
    for (const [name, text] of object(byName, `${where} ${quote(slot)}`)) buffers[name] = floats(text, `optimizer slot ${quote(slot)} of ${quote(name)}`);
    out[slot] = buffers;
  }
  return out;
}

function metrics(v: JsonValue | undefined, where: string): Metrics {
  const out: Record<string, number> = Object.create(null);
  for (const [name, value] of object(v, where)) out[name] = number(value, `${where}.${name}`);
  return out as Metrics;
}

/** A JSON value as a plain value: objects become prototype-less objects (keys were checked safe). */
function plain(v: JsonValue): unknown {
  if (v instanceof ByteSlice) return problem('preprocessing', 'holds a string too long for it');
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) {
    const o: Record<string, unknown> = Object.create(null);
    for (const [k, m] of v) o[k] = plain(m);
    return o;
  }
  return v;
}

/**
 * The checkpoint held by a parsed document of format `version` (1 or 2), and the digest it
 * carries (version 2). Throws DocumentProblem naming the first member that is wrong.
 */
export function readDocument(doc: JsonValue, version: number): { ckpt: Checkpoint; digest?: string } {
  const top = ['format', 'version', 'configHash', 'epoch', 'step', 'params', 'state', 'optimizer', 'rng', 'progress', 'preprocessing'];
  const d = members(doc, '', version >= 2 ? [...top, 'digest'] : top, ['metrics']);
  const opt = members(d.get('optimizer'), 'optimizer', ['type', 'step', 'slots']);
  const rng = members(d.get('rng'), 'rng', ['shuffle', 'dropout']);
  const progress = members(d.get('progress'), 'progress', ['best', 'early', 'plateau']);
  const prepDoc = object(d.get('preprocessing'), 'preprocessing');
  const badKeys = preprocessingKeysProblem([...prepDoc.keys()], prepDoc.get('kind'), version);
  if (badKeys) throw new DocumentProblem(badKeys);
  const preprocessing = parsePreprocessing(plain(prepDoc));
  if (!preprocessing) problem('preprocessing', 'is not valid');
  let ckptMetrics: Checkpoint['metrics'];
  if (d.has('metrics')) {
    const m = members(d.get('metrics'), 'metrics', [], ['train', 'val']);
    ckptMetrics = {};
    if (m.has('train')) ckptMetrics.train = metrics(m.get('train'), 'metrics.train');
    if (m.has('val')) ckptMetrics.val = metrics(m.get('val'), 'metrics.val');
  }
  const ckpt: Checkpoint = {
    configHash: string(d.get('configHash'), 'configHash'),
    epoch: number(d.get('epoch'), 'epoch'),
    step: number(d.get('step'), 'step'),
    params: tensors(d.get('params'), 'params', 'parameter'),
    state: tensors(d.get('state'), 'state', 'state tensor'),
    optimizer: {
      type: string(opt.get('type'), 'optimizer.type'),
      state: { step: number(opt.get('step'), 'optimizer.step'), slots: slots(opt.get('slots'), 'optimizer.slots') },
    },
    rng: { shuffle: numbers(rng.get('shuffle'), 'rng.shuffle') as RngState, dropout: numbers(rng.get('dropout'), 'rng.dropout') as RngState },
    progress: {
      best: monitor(progress.get('best'), 'progress.best'),
      early: monitor(progress.get('early'), 'progress.early'),
      plateau: plateau(progress.get('plateau'), 'progress.plateau'),
    },
    preprocessing: preprocessing!,
    ...(ckptMetrics ? { metrics: ckptMetrics } : {}),
  };
  return version >= 2 ? { ckpt, digest: string(d.get('digest'), 'digest') } : { ckpt };
}
