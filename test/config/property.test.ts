// Property tests of the config loader and the --set parser (fast-check): any bytes as a config
// file, near-misses of a valid config, and any --set argument give a config or a DlfError with
// printable lines, in bounded time; never an uncaught exception or a printed warning.
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseSetArg } from '../../src/config/overrides.js';
import { RUNS, applyEdits, edits, valueOrDlfError } from '../hostile/property.js';
import { scratch } from '../hostile/make.js';
import { VALID } from './tmp.js';

const tmp = scratch('dlf-config-property-');
afterAll(() => tmp.cleanup());
const file = tmp.path('config.yaml');
const load = (bytes: string | Uint8Array, set?: string[]) => {
  writeFileSync(file, bytes);
  return valueOrDlfError(() => loadConfig(file, { set }));
};

/** YAML pieces that reach the parser's and the checker's branches. */
const YAML_TOKENS = [
  '&a ',
  '&b ',
  '*a',
  '*b',
  '*a ',
  '!!float ',
  '!!int ',
  '!!str ',
  '!!bool ',
  '!!null ',
  '!!map ',
  '!!seq ',
  '!!binary ',
  '!custom ',
  '!<tag:x> ',
  '? ',
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ', ',
  '\n',
  '\n  ',
  '  ',
  '\t',
  '"',
  "'",
  '#',
  '|\n',
  '>-\n',
  '%YAML 1.1\n---\n',
  '%TAG !e! tag:e.com:\n---\n',
  '---\n',
  '...\n',
  '\u0000',
  '\ufeff',
  '\u2028',
  'é',
  '<<: *a\n',
  '~',
  '.inf',
  '-.inf',
  '.nan',
  '1e400',
  '0x1F',
  '0o17',
  'true',
  'null',
  '""',
  "''",
];

/** Nothing may be printed while loading: collects what would have been. */
const printed = vi.fn();
let savedWarning: typeof process.emitWarning;
beforeEach(() => {
  savedWarning = process.emitWarning;
  process.emitWarning = printed as unknown as typeof process.emitWarning;
  vi.spyOn(console, 'warn').mockImplementation(printed);
  vi.spyOn(console, 'log').mockImplementation(printed);
});
afterEach(() => {
  process.emitWarning = savedWarning;
  vi.restoreAllMocks();
  expect(printed).not.toHaveBeenCalled();
  printed.mockReset();
});

describe('loadConfig on any input', () => {
  it('any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => void load(bytes)),
      { numRuns: RUNS },
    );
  });

  it('any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => void load(text)),
      { numRuns: RUNS },
    );
  });

  it('near-misses of a valid config', () => {
    fc.assert(
      fc.property(edits(YAML_TOKENS, 8), (list) => void load(applyEdits(VALID, list))),
      { numRuns: RUNS * 2 },
    );
  });

  it('deep and wide structures', () => {
    const shape = fc.record({ depth: fc.integer({ min: 1, max: 3000 }), open: fc.constantFrom('[', '{a: ', '- ', '[&x '), close: fc.boolean() });
    fc.assert(
      fc.property(shape, ({ depth, open, close }) => {
        const closer = open === '[' || open === '[&x ' ? ']' : open === '{a: ' ? '}' : '';
        void load(`${VALID}x: ${open.repeat(depth)}1${close ? closer.repeat(depth) : ''}\n`);
      }),
      { numRuns: 40 },
    );
  });

  it('aliases of aliases', () => {
    const bomb = fc.record({ levels: fc.integer({ min: 1, max: 12 }), width: fc.integer({ min: 1, max: 12 }) });
    fc.assert(
      fc.property(bomb, ({ levels, width }) => {
        let s = VALID + 'a0: &a0 [x]\n';
        for (let i = 1; i <= levels; i++)
          s += `a${i}: &a${i} [${Array(width)
            .fill(`*a${i - 1}`)
            .join(', ')}]\n`;
        void load(s);
      }),
      { numRuns: 60 },
    );
  });
});

describe('--set on any argument', () => {
  const keys = fc.constantFrom('name', 'seed', 'train.epochs', 'train.optimizer', 'model.layers.0.units', 'model.layers.9', 'data', 'a.b.c', '', '.', 'x..y');
  const values = fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

  it('parseSetArg gives a SetArg or a DlfError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (arg) => void valueOrDlfError(() => parseSetArg(arg))),
      { numRuns: RUNS },
    );
  });

  it('loading with --set key=value gives a config or a DlfError', () => {
    writeFileSync(file, VALID);
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, values), { minLength: 1, maxLength: 3 }), (sets) => {
        const args = sets.map(([k, v]) => `${k}=${v}`);
        void valueOrDlfError(() => loadConfig(file, { set: args }));
      }),
      { numRuns: RUNS },
    );
  });
});
