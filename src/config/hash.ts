// A stable fingerprint of a config: SHA-256 of its canonical JSON (object keys sorted, no spaces).
import { createHash } from 'node:crypto';

/** JSON with object keys in sorted order at every level; undefined members are left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const configHash = (config: unknown): string => sha256Hex(canonicalJson(config));

/**
 * Keys that may change when a run is resumed: how long to train, how patient early stopping is,
 * which checkpoints are written and whether the test set is scored at the end. Every other key
 * decides what training computes and must stay as it was.
 */
const RESUMABLE_KEYS: readonly (readonly string[])[] = [
  ['train', 'epochs'],
  ['train', 'early_stopping', 'patience'],
  ['train', 'checkpoint'],
  ['train', 'evaluate_test'],
  ['train', 'checkpoint_interval'],
];

function withoutResumable(config: unknown): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(config));
  for (const path of RESUMABLE_KEYS) {
    let obj = copy;
    for (const k of path.slice(0, -1)) obj = obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[k] : undefined;
    if (obj !== null && typeof obj === 'object') delete (obj as Record<string, unknown>)[path[path.length - 1]];
  }
  return copy;
}

/** The hash checkpoints carry: of the config without the keys a resumed run may change. */
export const trainingHash = (config: unknown): string => configHash(withoutResumable(config));

/**
 * Key paths at which two configs differ, ignoring the keys a resumed run may change: maps are
 * compared key by key and lists of one length item by item, so that a changed layer is named by
 * its key (`model.layers.0.units`); two maps of different `type` (an optimizer, a schedule, a
 * layer) differ only at `type`.
 */
export function configDifferences(a: unknown, b: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const walk = (x: unknown, y: unknown, path: (string | number)[]) => {
    if (isObj(x) && isObj(y)) {
      if ('type' in x && 'type' in y && x.type !== y.type) out.push([...path, 'type']);
      else for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[k], y[k], [...path, k]);
    } else if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      x.forEach((v, i) => walk(v, y[i], [...path, i]));
    } else if (canonicalJson(x) !== canonicalJson(y)) out.push(path);
  };
  walk(withoutResumable(a), withoutResumable(b), []);
  return out;
}
