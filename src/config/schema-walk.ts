// Walking the zod schema along a key path, guided by the value the user wrote: which keys a map
// allows at that level, and which union option applies. Used to suggest keys for typos.
import type { z } from 'zod';

type Schema = z.core.$ZodType;
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  getter?: () => Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const defOf = (s: Schema): Def => s._zod.def as unknown as Def;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema under optional/default/prefault/pipe/lazy wrappers. */
export function unwrap(s: Schema): Schema {
  for (;;) {
    const d = defOf(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else return s;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Values a literal or enum schema accepts (undefined for any other schema). */
function tagValues(s: Schema): unknown[] | undefined {
  const d = defOf(unwrap(s));
  if (d.type === 'literal') return d.values;
  if (d.type === 'enum' && d.entries) return Object.values(d.entries);
  return undefined;
}

/** The tag keys an object option is recognised by: the discriminator, or its literal-valued keys. */
function tagKeys(option: Schema, discriminator: string | undefined): string[] {
  const shape = defOf(option).shape ?? {};
  if (discriminator !== undefined) return [discriminator];
  return Object.keys(shape).filter((k) => defOf(unwrap(shape[k])).type === 'literal');
}

export interface UnionOption {
  schema: Schema;
  /** e.g. `source: csv` or `type: normal`; empty for an option without tags. */
  tag: string;
}

/** The object options of a union, each with a readable tag. */
function objectOptions(union: Schema): UnionOption[] {
  const d = defOf(union);
  const out: UnionOption[] = [];
  for (const o of d.options ?? []) {
    const opt = unwrap(o);
    const shape = defOf(opt).shape;
    if (defOf(opt).type !== 'object' || !shape) continue;
    const tag = tagKeys(opt, d.discriminator)
      .map((k) => `${k}: ${(tagValues(shape[k]) ?? []).map(String).join(' | ')}`)
      .join(', ');
    out.push({ schema: opt, tag });
  }
  return out;
}

/** The object options of a union whose tags match `value` (all of them when none match). */
function matchingOptions(union: Schema, value: unknown): { match: Schema[]; others: UnionOption[] } {
  const d = defOf(union);
  const all = objectOptions(union);
  const match = all.filter(({ schema }) => {
    const keys = tagKeys(schema, d.discriminator);
    const shape = defOf(schema).shape ?? {};
    return keys.length > 0 && isRecord(value) && keys.every((k) => (tagValues(shape[k]) ?? []).includes(value[k]));
  });
  if (match.length === 0) return { match: all.map((o) => o.schema), others: [] };
  return { match: match.map((o) => o.schema), others: all.filter((o) => !match.includes(o)) };
}

/** The schema of the child `key` of a value of schema `s` (the value guides union choices). */
function childSchema(s: Schema, value: unknown, key: string | number): Schema | undefined {
  const inner = unwrap(s);
  const d = defOf(inner);
  switch (d.type) {
    case 'object':
      return d.shape?.[String(key)];
    case 'array':
      return d.element;
    case 'record':
      return d.valueType;
    case 'union': {
      const [first] = matchingOptions(inner, value).match;
      return first === undefined ? undefined : childSchema(first, value, key);
    }
    default:
      return undefined;
  }
}

/** The schema at `path` below `root`, following the user's values through unions. */
export function schemaAt(root: Schema, rootValue: unknown, path: readonly (string | number)[]): Schema | undefined {
  let s: Schema | undefined = root;
  let v: unknown = rootValue;
  for (const key of path) {
    if (s === undefined) return undefined;
    s = childSchema(s, v, key);
    v = isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return s;
}

export interface AllowedKeys {
  /** Keys allowed in the map here. */
  keys: string[];
  /** Union options that do not apply to this value, with their keys (for "only valid when ..." hints). */
  others: { tag: string; keys: string[] }[];
}

/** Which keys the map at `path` may hold. */
export function allowedKeys(root: Schema, rootValue: unknown, path: readonly (string | number)[], value: unknown): AllowedKeys {
  const s = schemaAt(root, rootValue, path);
  if (s === undefined) return { keys: [], others: [] };
  const inner = unwrap(s);
  const d = defOf(inner);
  const keysOf = (o: Schema) => Object.keys(defOf(o).shape ?? {});
  if (d.type === 'object') return { keys: keysOf(inner), others: [] };
  if (d.type !== 'union') return { keys: [], others: [] };
  const { match, others } = matchingOptions(inner, value);
  const keys = [...new Set(match.flatMap(keysOf))];
  return { keys, others: others.map((o) => ({ tag: o.tag, keys: keysOf(o.schema) })) };
}

export interface UnionForms {
  /** Values of enum and literal options. */
  values: unknown[];
  /** Tags of object options, e.g. `type: constant`. */
  maps: string[];
  /** Other kinds of option (zod type names: number, string, array, ...). */
  kinds: string[];
}

/** The forms a union accepts, for "expected one of ..." messages. */
export function unionForms(s: Schema): UnionForms {
  const forms: UnionForms = { values: [], maps: [], kinds: [] };
  const union = unwrap(s);
  for (const o of defOf(union).options ?? []) {
    const values = tagValues(o);
    if (values) forms.values.push(...values);
    else if (defOf(unwrap(o)).type !== 'object') forms.kinds.push(defOf(unwrap(o)).type);
  }
  forms.maps = objectOptions(union).map((o) => o.tag);
  return forms;
}
