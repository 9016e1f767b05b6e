// `--set key.path=value`: the value is read as YAML (so 5 is a number, false a boolean,
// {type: sgd, lr: 0.1} a map) and put into the document before validation, so the schema checks
// it like anything in the file. Every node an override adds is remembered with its origin.
// A value is held to the rules of the file (yaml-check.ts: core tags only, bounded nesting) and
// may not use aliases: it has no anchors of its own, and those of the file are not its to use.
import { type Document, isAlias, isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap } from 'yaml';
import { oneLine, UsageError } from '../errors.js';
import { YAML_MAX_DEPTH } from './limits.js';
import { yamlProblems } from './yaml-check.js';
import { cleanMessage, keyText, YAML_OPTIONS } from './yaml-doc.js';

export interface SetArg {
  /** The argument as given, e.g. `train.epochs=5`. */
  arg: string;
  path: string[];
  valueText: string;
}

/** Origins of nodes added by --set: node -> the place to report, e.g. `--set train.epochs=5`. */
export type Origins = Map<unknown, string>;

export function parseSetArg(arg: string): SetArg {
  const eq = arg.indexOf('=');
  const hint = 'write --set key.path=value, e.g. --set train.epochs=5';
  if (eq < 0) throw new UsageError(`--set '${oneLine(arg, 80)}' has no '='`, hint);
  const path = arg.slice(0, eq).trim().split('.');
  if (path.some((p) => p.trim() === '')) throw new UsageError(`--set '${oneLine(arg, 80)}' has an empty key`, hint);
  if (path.length > YAML_MAX_DEPTH) throw new UsageError(`--set '${oneLine(arg, 80)}' has a key path of more than ${YAML_MAX_DEPTH} parts`);
  return { arg, path: path.map((p) => p.trim()), valueText: arg.slice(eq + 1) };
}

export const setPlace = (set: SetArg) => `--set ${oneLine(set.arg, 120)}`;

const isEmpty = (n: unknown) => n === null || n === undefined || (isScalar(n) && n.value === null);

function describeNode(n: unknown): string {
  if (isScalar(n)) return typeof n.value === 'string' ? `the string '${oneLine(n.value, 40)}'` : oneLine(String(n.value), 40);
  return 'a value';
}

/** Put one override into the document; an error message (with the key path it concerns) when impossible. */
export function applySet(doc: Document, set: SetArg, origins: Origins): { path?: string; message: string; hint?: string } | undefined {
  const parsed = parseDocument(set.valueText, YAML_OPTIONS);
  if (parsed.errors.length) return { message: `invalid value: ${cleanMessage(parsed.errors[0].message)}` };
  const problem = yamlProblems(parsed, set.valueText, { noAliases: 'aliases cannot be used in --set values', baseDepth: set.path.length })[0];
  if (problem) return { message: `invalid value: ${problem.message}`, ...(problem.hint ? { hint: problem.hint } : {}) };
  const node = parsed.contents ?? new Scalar(null);
  origins.set(node, setPlace(set));
  const fresh = () => {
    const m = new YAMLMap();
    origins.set(m, setPlace(set));
    return m;
  };
  if (isEmpty(doc.contents)) doc.contents = fresh();
  let cur: unknown = doc.contents;
  for (let i = 0; i < set.path.length; i++) {
    const seg = set.path[i];
    const last = i === set.path.length - 1;
    const here = set.path.slice(0, i).join('.');
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isMap(cur)) {
      let pair = cur.items.find((p) => keyText(p.key) === seg);
      if (!pair) {
        pair = new Pair(new Scalar(seg), null);
        cur.items.push(pair);
      }
      if (last) pair.value = node;
      else if (isEmpty(pair.value)) pair.value = fresh();
      cur = pair.value;
    } else if (isSeq(cur)) {
      if (!/^\d+$/.test(seg)) return { path: here, message: `is a list; '${seg}' is not an index` };
      const idx = Number(seg);
      const n = cur.items.length;
      if (idx > n) return { path: here, message: `has ${n} item${n === 1 ? '' : 's'}; index ${idx} is out of range` };
      if (last) cur.items[idx] = node;
      else if (isEmpty(cur.items[idx])) cur.items[idx] = fresh();
      cur = cur.items[idx];
    } else {
      return { path: here || undefined, message: `is ${describeNode(cur)}, not a map or a list; cannot set '${seg}' in it` };
    }
  }
  return undefined;
}
