// Property tests of the checkpoint loader: whatever the bytes (random, cut short, with flipped
// bytes, or a valid checkpoint with a field deleted, replaced by a value of another type, a huge
// number, a prototype key or bad base64), loading gives either a CheckpointError or a checkpoint;
// never another exception, a hang or an unbounded allocation. A checkpoint loaded from edited
// bytes whose digest was left alone equals the original (the digest caught every other edit);
// one whose digest was recomputed is valid (finite values, consistent shapes and slots) and
// round-trips. Runs are bounded: a few hundred cases each over a 3 KB checkpoint.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { type Checkpoint, checkpointBytes, parseCheckpoint } from '../../src/train/checkpoint.js';
import { checkpointProblem } from '../../src/train/checkpoint-check.js';
import { tempDir } from '../cli/helpers.js';
import { resigned } from './checkpoint-digest-ref.js';
import { expectSame, sampleCheckpoint, saved } from './checkpoint-fixture.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const original = sampleCheckpoint();
const bytes = readFileSync(saved(tmp.dir, original));
const text = bytes.toString('utf8');
const RUNS = { numRuns: 300 };

/** Loads `input`: the checkpoint, or undefined after a CheckpointError; any other outcome fails. */
function load(input: Uint8Array | string): Checkpoint | undefined {
  const b = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  try {
    return parseCheckpoint(b, 'c.json');
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    expect(e.format()).not.toContain('\n');
    return undefined;
  }
}

/** A loaded checkpoint is valid: no problem, every value finite, and it saves and loads back the same. */
function expectValid(c: Checkpoint): void {
  expect(checkpointProblem(c)).toBeUndefined();
  const all = [...c.params.values(), ...c.state.values()].map((t) => t.data);
  for (const byName of Object.values(c.optimizer.state.slots)) all.push(...Object.values(byName));
  for (const a of all) expect(a.every(Number.isFinite)).toBe(true);
  expectSame(parseCheckpoint(checkpointBytes(c), 'again.json'), c);
}

// ---- structured mutations of the parsed document ------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path to a value inside `v` (the root excluded). */
function pathsOf(v: Json, path: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...path, k], ...pathsOf((v as any)[k], [...path, k])]);
}

const isData = (p: Path) =>
  ((p[0] === 'params' || p[0] === 'state') && p.length === 3 && p[2] === 'data') || (p[0] === 'optimizer' && p[1] === 'slots' && p.length === 4);

/** An object with the given members in order; a `__proto__` key becomes an own member, not a prototype. */
function objectOf(entries: [string, Json][]): { [k: string]: Json } {
  const o: { [k: string]: Json } = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const strange: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 32,
  4294967295,
  '',
  'x',
  'AAAA',
  '__proto__',
  [],
  {},
  [1, 2, 3, 4],
  [0, 0, 0, 0],
  [-1, 2.5],
  { a: 1 },
  'A'.repeat(70_000),
];
const keys = ['__proto__', 'constructor', 'prototype', '', 'x', 'shape', 'data', 'm', 'layer0/dense/w'];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'add'; at: number; key: string; value: Json }
  | { kind: 'base64'; at: number; edit: number; pos: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...strange), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>),
  }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), key: fc.constantFrom(...keys) }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.constantFrom(...keys), value: fc.constantFrom(...strange) }),
  fc.record({ kind: fc.constant('base64' as const), at: fc.nat(), edit: fc.nat(7), pos: fc.nat() }),
);

/** Base64 edits: whitespace, the URL-safe alphabet, padding removed or added, cut short, another character. */
function editBase64(s: string, edit: number, pos: number): string {
  const i = s.length ? pos % s.length : 0;
  switch (edit) {
    case 0:
      return s.slice(0, i) + ' ' + s.slice(i); // prettier-ignore
    case 1:
      return s.slice(0, i) + '\n' + s.slice(i); // prettier-ignore
    case 2:
      return s.replace(/\+/g, '-').replace(/\//g, '_') + (/[+/]/.test(s) ? '' : '-___'); // prettier-ignore
    case 3:
      return s.replace(/=+$/, ''); // prettier-ignore
    case 4:
      return s + '='; // prettier-ignore
    case 5:
      return s.slice(0, Math.max(0, s.length - 1 - (pos % 4))); // prettier-ignore
    case 6:
      return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1); // prettier-ignore
    default:
      return s.slice(0, i) + 'AAAA' + s.slice(i); // prettier-ignore
  }
}

/** The sample's document with `m` applied (paths chosen modulo the number of paths). */
function mutated(m: Mutation): Record<string, Json> {
  const doc = JSON.parse(text) as Record<string, Json>;
  const all = pathsOf(doc);
  const targets = m.kind === 'base64' ? all.filter(isData) : m.kind === 'add' ? [[], ...all.filter((p) => isObject(get(doc, p)))] : all;
  const path = targets[m.at % targets.length];
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = get(doc, parentPath) as any;
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'replace':
      parent[last] = m.value;
      break;
    case 'rename':
      if (Array.isArray(parent)) parent[last as number] = m.key;
      else set(doc, parentPath, objectOf(Object.entries(parent).map(([k, v]) => [k === last ? m.key : k, v as Json])));
      break;
    case 'add': {
      const target = get(doc, path) as { [k: string]: Json };
      set(doc, path, objectOf([...Object.entries(target), [m.key, m.value]]));
      break;
    }
    case 'base64':
      parent[last] = editBase64(parent[last] as string, m.edit, m.pos);
      break;
  }
  return doc;
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
const get = (v: Json, p: Path): Json => p.reduce<Json>((o, k) => (o as any)[k], v);
function set(doc: Record<string, Json>, p: Path, value: Json): void {
  if (p.length === 0) {
    for (const k of Object.keys(doc)) delete doc[k];
    for (const [k, v] of Object.entries(value as object)) Object.defineProperty(doc, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else (get(doc, p.slice(0, -1)) as any)[p[p.length - 1]] = value;
}

describe('the checkpoint loader, on any input', () => {
  it('arbitrary bytes, JSON-like text and JSON values give a CheckpointError', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789.eE-tfrueaslnu \n'.split('')), maxLength: 60 });
    const headed = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ format: 'dlf-checkpoint', version: 2, ...(isObject(v) ? (v as object) : { v }) }));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), jsonish, headed), (input) => {
        expect(load(input)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('a checkpoint cut at any point gives a CheckpointError (or, cut in the final newline, the original)', () => {
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), (n) => {
        const c = load(bytes.subarray(0, n));
        if (bytes.subarray(n).toString().trim() === '') expectSame(c!, original);
        else expect(c).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('flipped bytes give a CheckpointError or the original checkpoint', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const b = Buffer.from(bytes);
        for (const [at, value] of flips) b[at] = value;
        const c = load(b);
        if (c) expectSame(c, original);
      }),
      { numRuns: 1000 },
    );
  });

  it('structured mutations with the digest left alone give a CheckpointError or the original', () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const c = load(JSON.stringify(mutated(m), null, 2));
        if (c) expectSame(c, original);
      }),
      RUNS,
    );
  });

  it('structured mutations with the digest recomputed give a CheckpointError or a valid checkpoint', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const c = load(resigned(mutated(m)));
        if (c) {
          accepted++;
          expectValid(c);
        }
      }),
      RUNS,
    );
    expect(accepted).toBeGreaterThan(0); // some mutations keep a checkpoint valid (wait 1 → 0, say)
  });

  it('huge or deep structures are refused without allocating them', () => {
    const t0 = performance.now();
    const cases = [
      text.replace('"shape": [3, 2]', '"shape": [4294967296, 4294967296, 4294967296]'),
      text.replace('"shape": [3, 2]', `"shape": [${Array(100_000).fill(1).join(',')}, 3, 2]`),
      text.replace('"epoch": 3', `"epoch": ${'['.repeat(1_000_000)}`),
      text.replace('"epoch": 3', `"epoch": 1${'0'.repeat(100_000)}`),
      text.replace('"epoch": 3', '"epoch": 1e999999'),
    ];
    for (const t of cases) expect(load(t)).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
