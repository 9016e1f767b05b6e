// docs/config.md against the zod schema, walked here on its own rather than through the generator
// that writes the file: every key the schema allows has a row with a default (or "required" or
// "optional") and a description, and every key a worked example is titled with exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HAND_WRITTEN_MARK } from '../../src/config/docs.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { unwrap } from '../../src/config/schema-walk.js';

type Schema = z.core.$ZodType;
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
}
const defOf = (s: Schema) => s._zod.def as unknown as Def;

/** Whether values of `s` are maps of named keys (or may be: a union with such an option). */
function holdsKeys(s: Schema): boolean {
  const d = defOf(unwrap(s));
  if (d.type === 'object') return true;
  if (d.type === 'union') return (d.options ?? []).some(holdsKeys);
  if (d.type === 'array') return d.element !== undefined && holdsKeys(d.element);
  if (d.type === 'record') return d.valueType !== undefined && holdsKeys(d.valueType);
  return false;
}

/**
 * Every key path below `s`, written as docs/config.md writes them: `a.b` for key b of map a,
 * `a[]` for an item of list a, `a.<name>` for any key of map a. A schema already being walked
 * further up (a recursive one) is not walked again.
 */
function keyPaths(s: Schema, path: string, out: Set<string>, walking: Set<Schema> = new Set()): Set<string> {
  const inner = unwrap(s);
  if (walking.has(inner)) return out;
  walking.add(inner);
  const d = defOf(inner);
  if (d.type === 'object') {
    for (const [k, child] of Object.entries(d.shape ?? {})) {
      const p = path ? `${path}.${k}` : k;
      out.add(p);
      keyPaths(child, p, out, walking);
    }
  } else if (d.type === 'union') {
    for (const o of d.options ?? []) keyPaths(o, path, out, walking);
  } else if (d.type === 'array' && d.element && holdsKeys(d.element)) {
    keyPaths(d.element, `${path}[]`, out, walking);
  } else if (d.type === 'record' && d.valueType && holdsKeys(d.valueType)) {
    keyPaths(d.valueType, `${path}.<name>`, out, walking);
  }
  walking.delete(inner);
  return out;
}

const file = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
const mark = file.indexOf(HAND_WRITTEN_MARK);
const reference = mark < 0 ? file : file.slice(0, mark);
const examples = mark < 0 ? '' : file.slice(mark);

/** The table rows of the reference: key → [type, allowed values, default, description]. */
const rows = new Map<string, string[]>();
for (const line of reference.split('\n')) {
  const m = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
  if (!m) continue;
  // Cells are split on | that is not escaped.
  const cells = m[2].split(/(?<!\\)\|/).map((c) => c.trim());
  if (!rows.has(m[1])) rows.set(m[1], cells);
}

/**
 * The row that documents `path`: its own, or, where a structure is documented once and referred
 * to elsewhere ("as `model.layers[]`"), the row of the same key under the path it is documented at.
 */
function rowOf(path: string, seen: Set<string> = new Set()): string[] | undefined {
  if (rows.has(path)) return rows.get(path);
  if (seen.has(path)) return undefined;
  seen.add(path);
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '.' && !path.startsWith('[]', i)) continue;
    const prefix = path.slice(0, i);
    const as = /\bas `([^`]+)`/.exec(rows.get(prefix)?.[1] ?? '');
    if (as) return rowOf(as[1] + path.slice(i), seen);
  }
  return undefined;
}

const paths = [...keyPaths(ConfigSchema as unknown as Schema, '', new Set())];

describe('docs/config.md covers the schema', () => {
  it('walks a schema of the expected size', () => {
    // A walk that found almost nothing would pass the tests below for the wrong reason.
    expect(paths).toContain('data.split.stratify');
    expect(paths).toContain('model.layers[].units');
    expect(paths).toContain('model.graph.nodes[].layer.units');
    expect(paths).toContain('model.graph.params.<name>.shape');
    expect(paths.length).toBeGreaterThan(100);
  });

  it('has a row for every key, with a default and a description', () => {
    const missing = paths.filter((p) => rowOf(p) === undefined);
    expect(missing, 'keys without a row in docs/config.md (npm run build && npm run docs)').toEqual([]);
    const bare = paths.filter((p) => {
      const [, , def, description] = rowOf(p)!;
      return !def || !description;
    });
    expect(bare, 'rows without a default or a description (give the key a .describe() in the schema)').toEqual([]);
  });

  it('names only keys of the schema in the titles of its worked examples', () => {
    const titles = examples.split('\n').filter((l) => l.startsWith('### '));
    expect(titles.length).toBeGreaterThan(5);
    const keys = titles.flatMap((t) => [...t.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)[`:]/g)].map((m) => m[1]));
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.filter((k) => !paths.includes(k))).toEqual([]);
  });
});
