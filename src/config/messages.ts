// zod issues in words for people: "expected a number, got string '64'", "must be > 0",
// "expected one of relu, tanh, got 'rleu'" with a did-you-mean hint. Pure: issue + the user's values in.
import type { z } from 'zod';
import { allowedKeys, schemaAt, unionForms } from './schema-walk.js';
import { closest, didYouMean } from '../suggest.js';
import { oneLine } from '../errors.js';
import { type KeyPath, toKeyPath, valueAt } from './paths.js';

type Issue = z.core.$ZodIssue;

/** What an issue is explained against: the user's plain value (after --set) and the schema. */
interface Ctx {
  root: unknown;
  schema: z.core.$ZodType;
}

export interface Explained {
  path: (string | number)[];
  message: string;
  hint?: string;
  /** Point at the key itself (an unknown key) rather than at its value. */
  atKey?: boolean;
  /** For an unknown key that looks like a typo: the allowed key it is probably meant to be. */
  meant?: string;
}

/** Words longer than this get no did-you-mean: a typo is short, and edit distance costs length². */
const MAX_SUGGEST = 64;

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  tuple: 'a list [height, width]',
  null: 'an empty value',
};

const expectedName = (e: string) => EXPECTED[e] ?? `a ${e}`;

/** How a YAML value reads in a message. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return `string '${oneLine(v.length > 40 ? v.slice(0, 37) + '...' : v)}'`;
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : Number.isFinite(v) ? `number ${v}` : v > 0 ? '.inf' : '-.inf';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return typeof v;
}

const list = (values: readonly unknown[]) => values.map(String).join(', ');
const plural = (n: number | bigint, word: string) => `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;

function suggestValue(value: unknown, values: readonly unknown[]): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_SUGGEST) return undefined;
  return didYouMean(
    value,
    values.filter((v): v is string => typeof v === 'string'),
  );
}

function bound(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const n = small ? issue.minimum : issue.maximum;
  switch (issue.origin) {
    case 'array':
    case 'set':
      if (small && n === 1) return 'must not be empty';
      return `must have ${small ? 'at least' : 'at most'} ${plural(n, 'item')}`;
    case 'string':
      if (small && n === 1) return 'must not be empty';
      return `must have ${small ? 'at least' : 'at most'} ${plural(n, 'character')}`;
    default:
      return `must be ${small ? '>' : '<'}${issue.inclusive ? '=' : ''} ${n}`;
  }
}

/** A union branch "applies" when the value is of its kind and its tags (literal keys) match. */
function branchApplies(branch: Issue[]): boolean {
  return !branch.some(
    (i) =>
      (i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')) ||
      (i.path.length === 1 && i.code === 'invalid_value' && i.values.length === 1),
  );
}

/** "expected one of zeros, ones, or a map with type: constant | normal, got ..." for a value no option accepts. */
function unionMessage(ctx: Ctx, path: KeyPath, value: unknown): { message: string; hint?: string } {
  const s = schemaAt(ctx.schema, ctx.root, path);
  if (s === undefined) return { message: 'matches none of the allowed forms' };
  const { values, maps, kinds } = unionForms(s);
  const parts: string[] = [];
  if (values.length) parts.push(`one of ${list(values)}`);
  const tagKeys = [...new Set(maps.map((t) => t.split(':')[0]))];
  if (tagKeys.length === 1 && maps.every((t) => !t.includes(','))) {
    parts.push(`a map with ${tagKeys[0]}: ${maps.map((t) => t.slice(tagKeys[0].length + 2)).join(' | ')}`);
  } else for (const tag of maps) parts.push(`a map with ${tag}`);
  for (const k of kinds) parts.push(expectedName(k));
  const isMap = typeof value === 'object' && value !== null && !Array.isArray(value);
  const tag = isMap && tagKeys.length === 1 ? (value as Record<string, unknown>)[tagKeys[0]] : undefined;
  let got = describeValue(value);
  if (isMap && tagKeys.length === 1) {
    got = tag === undefined ? `a map without ${tagKeys[0]}` : `a map with ${tagKeys[0]}: ${String(tag)}`;
  }
  return { message: `expected ${parts.join(', or ')}, got ${got}`, hint: suggestValue(value, values) };
}

function unknownKeys(issue: Extract<Issue, { code: 'unrecognized_keys' }>, ctx: Ctx): Explained[] {
  const at = toKeyPath(issue.path);
  const here = valueAt(ctx.root, at).value;
  const present = new Set(typeof here === 'object' && here !== null ? Object.keys(here) : []);
  const { keys, others } = allowedKeys(ctx.schema, ctx.root, at, here);
  const free = keys.filter((k) => !present.has(k));
  return issue.keys.map((key) => {
    // A typo of an allowed key is one message, `unknown key; did you mean 'layers'?`, and the
    // "required key is missing" of the key it was meant to be is dropped (mergeMisspelt).
    const meant = key.length <= MAX_SUGGEST ? closest(key, free) : undefined;
    if (meant !== undefined) return { path: [...at, key], message: `unknown key; did you mean '${meant}'?`, atKey: true, meant };
    // Every option that takes the key, e.g. `type: rmsprop, adam, adamw`.
    const elsewhere = others.filter((o) => o.keys.includes(key)).map((o) => o.tag);
    const tags = elsewhere.length ? `${elsewhere[0].split(':')[0]}: ${elsewhere.map((t) => t.split(': ').slice(1).join(': ')).join(', ')}` : '';
    const hint = elsewhere.length ? `'${oneLine(key, 60)}' is only valid with ${tags}` : keys.length ? `allowed keys: ${list(keys)}` : undefined;
    return { path: [...at, key], message: 'unknown key', hint, atKey: true };
  });
}

/**
 * Drops the issues a typo of a key caused, where an unknown key beside them was meant to be that
 * key: its "required key is missing", and a rule of the map that names it (`model: give exactly
 * one of model.layers or model.graph` when `layrs` was meant to be `layers`).
 */
export function mergeMisspelt(explained: Explained[]): Explained[] {
  const typos = explained.filter((e) => e.meant !== undefined).map((e) => ({ parent: e.path.slice(0, -1), meant: e.meant! }));
  if (typos.length === 0) return explained;
  const same = (a: KeyPath, b: KeyPath) => a.length === b.length && a.every((k, i) => String(k) === String(b[i]));
  const caused = (e: Explained) =>
    typos.some(({ parent, meant }) => {
      if (e.message.startsWith('required key is missing')) return same(e.path, [...parent, meant]);
      return same(e.path, parent) && e.message.includes([...parent, meant].join('.'));
    });
  const seen = new Set<string>();
  return explained.filter((e) => {
    if (e.meant === undefined) return !caused(e);
    // The same typo may come from zod's unknown keys and from a missing key's typoFor.
    const id = JSON.stringify(e.path);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * A key beside a missing one that is probably its typo (`tpye` for a missing `type`), as an
 * unknown-key message; undefined when there is none. zod reports no unknown keys of a union whose
 * discriminator is missing, so this is the only message such a typo gets.
 */
function typoFor(ctx: Ctx, path: KeyPath): Explained[] | undefined {
  const parent = path.slice(0, -1);
  const missing = String(path[path.length - 1]);
  const here = valueAt(ctx.root, parent).value;
  if (typeof here !== 'object' || here === null || Array.isArray(here)) return undefined;
  const { keys, others } = allowedKeys(ctx.schema, ctx.root, parent, here);
  const known = new Set([...keys, ...others.flatMap((o) => o.keys)]);
  const typo = Object.keys(here).find((k) => !known.has(k) && k.length <= MAX_SUGGEST && closest(k, [missing]) === missing);
  return typo === undefined ? undefined : [{ path: [...parent, typo], message: `unknown key; did you mean '${missing}'?`, atKey: true, meant: missing }];
}

/** One zod issue as one or more located messages (unknown keys split per key, unions opened up). */
export function explainIssue(issue: Issue, ctx: Ctx, prefix: KeyPath = []): Explained[] {
  const path = [...prefix, ...toKeyPath(issue.path)];
  const { found, value } = valueAt(ctx.root, path);
  const one = (message: string, hint?: string): Explained[] =>
    (message.startsWith('required key is missing') ? typoFor(ctx, path) : undefined) ?? [{ path, message, ...(hint ? { hint } : {}) }];
  switch (issue.code) {
    case 'invalid_type':
      if (!found) return one('required key is missing');
      return one(`expected ${expectedName(issue.expected)}, got ${describeValue(value)}`);
    case 'too_small':
    case 'too_big':
      return one(bound(issue));
    case 'invalid_value':
      if (!found) return one(`required key is missing; expected ${issue.values.length > 1 ? 'one of ' : ''}${list(issue.values)}`);
      if (issue.values.length === 1) return one(`must be ${String(issue.values[0])}, got ${describeValue(value)}`);
      return one(`expected one of ${list(issue.values)}, got ${describeValue(value)}`, suggestValue(value, issue.values));
    case 'unrecognized_keys':
      return unknownKeys({ ...issue, path }, ctx);
    case 'invalid_format':
      return one(issue.message.startsWith('Invalid') && issue.pattern ? `must match ${issue.pattern}` : issue.message);
    case 'not_multiple_of':
      return one(`must be a multiple of ${issue.divisor}`);
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        const options = issue.options;
        if (!found) return one(`required key is missing; expected one of ${list(options)}`);
        return one(`expected one of ${list(options)}, got ${describeValue(value)}`, suggestValue(value, options));
      }
      if (!found) return one('required key is missing');
      const applying = issue.errors.filter(branchApplies);
      if (applying.length === 1) return applying[0].flatMap((i) => explainIssue(i, ctx, path));
      const { message, hint } = unionMessage(ctx, path, value);
      return one(message, hint);
    }
    default:
      return one(issue.message);
  }
}
