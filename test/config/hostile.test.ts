// The config loader on hostile files: not regular files, too large, not UTF-8, YAML built to
// exhaust the parser (aliases, nesting), tags that would mean more than plain data, and keys and
// values made to break messages. Every case is a ConfigError (or a UsageError for --set) with one
// line per problem, at its line:column where there is one, and yaml never prints a warning.
import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_MAX_BYTES, MAX_ISSUES, YAML_MAX_ALIAS_VALUES, YAML_MAX_DEPTH } from '../../src/config/limits.js';
import { ConfigError, DlfError } from '../../src/errors.js';
import { NO_DEV_ZERO, NO_FIFO, aliasBomb, deepBlock, deepFlow, makeFifo, makeLink, scratch } from '../hostile/make.js';
import { VALID } from './tmp.js';

const tmp = scratch('dlf-config-hostile-');
afterAll(() => tmp.cleanup());

let n = 0;
/** The DlfError loading `text` (or the file at `path`) throws, with its lines. */
function failure(text: string | Buffer | null, opts: { set?: string[]; path?: string } = {}): { e: DlfError; lines: string[] } {
  const file = opts.path ?? tmp.write(`c${n++}.yaml`, text ?? '');
  try {
    loadConfig(file, { set: opts.set });
  } catch (e) {
    if (e instanceof DlfError) return { e, lines: e.format().split('\n') };
    throw e;
  }
  throw new Error('expected a DlfError');
}

/** The lines without the temporary file name. */
const at = (lines: string[]) => lines.map((l) => l.replace(/^.*?c\d+\.yaml/, ''));

describe('config files that are not regular files, or too large, or not UTF-8', () => {
  it.skipIf(NO_FIFO)('a named pipe', () => {
    const { e } = failure(null, { path: makeFifo(tmp.path('pipe.yaml')) });
    expect(e.format()).toMatch(/pipe\.yaml: config file is a named pipe \(FIFO\), not a regular file$/);
  });

  it.skipIf(NO_DEV_ZERO)('a link to /dev/zero, and /dev/zero itself', () => {
    expect(failure(null, { path: makeLink(tmp.path('zero.yaml'), '/dev/zero') }).e.message).toBe('config file is a character device, not a regular file');
    expect(failure(null, { path: '/dev/zero' }).e.message).toMatch(/character device/);
  });

  it('a directory', () => {
    const dir = tmp.path('dir.yaml');
    mkdirSync(dir);
    expect(failure(null, { path: dir }).e.message).toMatch(/is a directory/);
  });

  it('a file over the cap', () => {
    const { e } = failure('# ' + 'x'.repeat(CONFIG_MAX_BYTES) + '\n');
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/^config file is 256\.0 KiB, more than the 256\.0 KiB dlf reads/);
  });

  it('invalid UTF-8, at its line', () => {
    const { lines } = failure(Buffer.concat([Buffer.from('name: a\nseed: '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    expect(at(lines)).toEqual([':2: not valid UTF-8 at byte 15 (save the file as UTF-8)']);
  });
});

describe('aliases', () => {
  it.each([
    ['an undefined alias', 'name: *x\n', [':1:7: alias *x has no anchor &x before it (an anchor must come before the aliases that use it)']],
    [
      'an alias before its anchor',
      'name: *x\nseed: &x 1\n',
      [':1:7: alias *x has no anchor &x before it (an anchor must come before the aliases that use it)'],
    ],
    ['an alias inside its own anchor', 'name: t\nx: &a [1, *a]\n', [':2:11: alias *a refers to a value that contains it']],
    ['an alias as a key', 'a: &k x\n*k : 1\n', [':2:1: a map key must be a plain name, not an alias']],
  ])('%s', (_name, text, expected) => {
    expect(at(failure(text).lines)).toEqual(expected);
  });

  it('the billion laughs stops at the alias where the expansion passes the cap', () => {
    const t = Date.now();
    const { lines } = failure(aliasBomb(9, 9));
    // a4's aliases of a3 (1549 values each) pass the cap at the sixth: line 5.
    expect(at(lines)).toEqual([`:5:35: aliases expand to more than ${YAML_MAX_ALIAS_VALUES} values (aliases of aliases multiply; write the values out)`]);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('a wide bomb of one level, and too many aliases', () => {
    const wide = `a: &a [${Array(200).fill('x').join(',')}]\nb: [${Array(100).fill('*a').join(',')}]\n`;
    expect(failure(wide).e.message).toBe(`aliases expand to more than ${YAML_MAX_ALIAS_VALUES} values`);
    const many = `a: &a 1\nb: [${Array(1001).fill('*a').join(',')}]\n`;
    expect(failure(many).e.message).toBe('more than 1000 aliases');
  });

  it('aliases that nest too deeply when expanded', () => {
    const d = 20;
    const text = `a: &a ${deepFlow(d)}\nb: &b ${'['.repeat(d)}*a${']'.repeat(d)}\n`;
    expect(failure(text).e.message).toBe(`alias *a nests values more than ${YAML_MAX_DEPTH} levels deep`);
  });

  it('aliases within the caps still work', () => {
    const text = VALID.replace('seed: 1', 'seed: &s 1')
      .replace('epochs: 20', 'epochs: *s')
      .replace('{type: dense, units: 10}', '&last {type: dense, units: 10}');
    expect(loadConfig(tmp.write('ok-alias.yaml', text)).config.train.epochs).toBe(1);
  });

  it('--set values may not use aliases', () => {
    const file = tmp.write('valid.yaml', VALID.replace('seed: 1', 'seed: &a 1'));
    for (const v of ['*a', '[*a]', '{x: *b}']) {
      const { lines } = failure(null, { path: file, set: [`seed=${v}`] });
      expect(lines).toEqual([`--set seed=${v}: invalid value: alias *${v.includes('b') ? 'b' : 'a'}: aliases cannot be used in --set values`]);
    }
  });
});

describe('nesting', () => {
  it.each([
    ['10,000 nested flow sequences', `name: t\nx: ${deepFlow(10_000)}\n`, /^:2:\d+: invalid YAML: nested too deeply to parse$/],
    ['10,000 nested block sequences', `name: t\nx:\n  ${deepBlock(10_000)}`, /^:3:\d+: invalid YAML: nested too deeply to parse$/],
    ['nesting beyond the cap that parses', `name: t\nx: ${deepFlow(YAML_MAX_DEPTH + 5)}\n`, /^:2:\d+: nested more than 32 levels deep/],
  ])('%s', (_name, text, expected) => {
    const { lines } = failure(text);
    expect(lines).toHaveLength(1);
    expect(at(lines)[0]).toMatch(expected);
  });

  it('an unclosed deep structure reports a few errors, not hundreds', () => {
    const { lines } = failure(`name: t\nx: ${'['.repeat(400)}\n`);
    expect(lines.length).toBeLessThanOrEqual(4);
    for (const l of lines) expect(l).not.toContain('\n');
  });

  it('--set paths and values are held to the same depth', () => {
    const file = tmp.write('valid2.yaml', VALID);
    expect(() => loadConfig(file, { set: [`${Array(40).fill('a').join('.')}=1`] })).toThrow(/more than 32 parts/);
    expect(failure(null, { path: file, set: [`a.b.c=${deepFlow(31)}`] }).e.message).toBe('invalid value: nested more than 32 levels deep');
  });
});

describe('tags', () => {
  const hint = '(dlf configs hold plain values; the only tags allowed are !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)';
  it.each([
    ['!!python/object', 'name: !!python/object:os.system t\n', `:1:7: tag !!python/object:os.system is not supported ${hint}`],
    ['!custom', 'name: t\nseed: !custom 1\n', `:2:7: tag !custom is not supported ${hint}`],
    ['!include of a path', 'name: t\ndata: !include ../../etc/passwd\n', `:2:7: tag !include is not supported ${hint}`],
    ['!!binary', 'name: t\nx: !!binary aGVsbG8=\n', `:2:4: tag !!binary is not supported ${hint}`],
    ['!!timestamp', 'name: t\nx: !!timestamp 2001-01-01\n', `:2:4: tag !!timestamp is not supported ${hint}`],
    ['!!set', 'name: t\nx: !!set {a, b}\n', `:2:4: tag !!set is not supported ${hint}`],
    ['a tag in a flow list', 'name: t\nx: [1, !x 2]\n', `:2:8: tag !x is not supported ${hint}`],
    ['a verbatim tag', 'name: t\nx: !<tag:example.com,2000:x> 1\n', `:2:4: tag tag:example.com,2000:x is not supported ${hint}`],
    ['!!int 3.5', 'name: t\nseed: !!int 3.5\n', ":2:7: !!int needs an integer, got '3.5'"],
    ['!!bool yes', 'name: t\nx: !!bool yes\n', ":2:4: !!bool needs true or false, got 'yes'"],
    ['!!null x', 'name: t\nx: !!null x\n', ":2:4: !!null needs an empty value, got 'x'"],
    ['!!float abc', 'name: t\nx: !!float abc\n', ":2:4: !!float needs a number, got 'abc'"],
    ['!!map on a list', 'name: t\nx: !!map [1]\n', ':2:4: !!map needs a map'],
    ['!!str on a map', 'name: t\nx: !!str {a: 1}\n', ':2:4: !!str needs a single value, not a map'],
  ])('%s', (_name, text, expected) => {
    expect(at(failure(text).lines)).toEqual([expected]);
  });

  it('the core tags that fit their values work', () => {
    const text = VALID.replace('seed: 1', 'seed: !!float 3')
      .replace('epochs: 20', 'epochs: !!int 0x10')
      .replace('name: digits-mlp', 'name: !!str digits-mlp')
      .replace('lr: 0.001', 'lr: !!float 1e-3');
    const c = loadConfig(tmp.write('tags-ok.yaml', text)).config;
    expect([c.seed, c.train.epochs, c.name, c.train.optimizer.lr]).toEqual([3, 16, 'digits-mlp', 0.001]);
  });
});

describe('keys', () => {
  it('a complex key is refused, and nothing is printed', () => {
    expect(at(failure('name: t\n? [a, b]\n: 1\n').lines)).toEqual([':2:3: a map key must be a plain name, not a list']);
    expect(at(failure('name: t\n? {a: 1}\n: 1\n').lines)).toEqual([':2:3: a map key must be a plain name, not a map']);
  });

  it('duplicate keys, also when one is quoted', () => {
    expect(at(failure('name: a\n"name": b\n').lines)).toEqual([':2:1: invalid YAML: Map keys must be unique']);
  });

  it('a flood of unknown keys is reported as the first few and a count', () => {
    const text = VALID + Array.from({ length: 5000 }, (_, i) => `k${i}: 1`).join('\n') + '\n';
    const { lines } = failure(text);
    expect(lines).toHaveLength(MAX_ISSUES + 1);
    expect(lines[MAX_ISSUES]).toMatch(/: 4980 more problems not shown$/);
  });

  it('keys and values with line breaks or great length stay on one line', () => {
    const { lines } = failure(VALID.replace('seed: 1', `"se\\ned": 1\nx${'y'.repeat(1000)}: 2`));
    expect(lines.length).toBe(2);
    expect(lines[0]).toContain('se\\ned: unknown key');
    for (const l of lines) expect(l.length).toBeLessThan(600);
    expect(failure(VALID.replace('seed: 1', 'seed: "1\\n2"')).lines).toHaveLength(1);
  });
});

describe('no warnings from the YAML library', () => {
  const warn = vi.fn();
  let saved: typeof process.emitWarning;
  beforeEach(() => {
    saved = process.emitWarning;
    process.emitWarning = warn as unknown as typeof process.emitWarning;
    vi.spyOn(console, 'warn').mockImplementation(warn);
    vi.spyOn(console, 'log').mockImplementation(warn);
  });
  afterEach(() => {
    process.emitWarning = saved;
    vi.restoreAllMocks();
    warn.mockReset();
  });

  it('for complex keys, unknown tags, directives and odd documents', () => {
    for (const text of ['? [a, b]\n: 1\n', 'x: !custom 1\n', '%YAML 1.3\n---\nname: t\n', '%FOO bar\n---\nname: t\n', 'name: t\n...\n', 'a: !!binary x\n']) {
      failure(text);
    }
    expect(warn).not.toHaveBeenCalled();
  });
});
