// Hostile corpus, configs: YAML built to exhaust or trick the parser (aliases, nesting, tags,
// complex keys), text that is not UTF-8, and keys and values made to break messages, in the file
// and through --set. Through the real CLI: validate, train and summary.
import { afterAll, beforeAll } from 'vitest';
import { configText, csvData, fixtures } from './cli.js';
import { type Case, type Context, family, inTurn } from './corpus.js';
import { aliasBomb, deepBlock, deepFlow, scratch } from './make.js';

let ctx: Context;
beforeAll(() => {
  const s = scratch('dlf-corpus-yaml-');
  ctx = { s, fx: fixtures(s) };
});
afterAll(() => ctx.s.cleanup());

/** Every case runs through train, some through validate or summary too: all three load configs alike. */
const commands = inTurn(['validate', 'summary']);

/** A valid config (iris) with `edit` applied to its text. Its lines: 1 name, 2 seed, 3 data, ..., 8 layers. */
const valid = () => configText(csvData(ctx.fx.iris));

/** A case whose config is `text(valid)`, refused at `line` saying `says`; `set` adds --set arguments. */
function yamlCase(
  name: string,
  text: (valid: string) => string | Buffer,
  line: number | undefined,
  says: RegExp,
  more: { set?: string[]; maxLines?: number; file?: string } = {},
): Case {
  return {
    name,
    commands: commands(),
    make: (slug) => {
      const config = ctx.s.write(`${slug}.yaml`, text(valid()));
      const extra = (more.set ?? []).flatMap((s) => ['--set', s]);
      const file = more.file ?? (more.set ? `--set ${more.set[0]}` : config);
      return { config, extra, expect: { file, line: more.set ? undefined : line, says, maxLines: more.maxLines } };
    },
  };
}

const NO_ANCHOR = /alias \*x has no anchor &x before it/;

family(
  'YAML aliases',
  [
    yamlCase('an undefined alias', (v) => v.replace('seed: 1', 'seed: *x'), 2, NO_ANCHOR),
    yamlCase('an alias before its anchor', (v) => v.replace('seed: 1', 'seed: *x') + 'x: &x 1\n', 2, NO_ANCHOR),
    yamlCase('an alias inside its own anchor', (v) => v + 'x: &x [1, [*x]]\n', 15, /alias \*x refers to a value that contains it/),
    yamlCase('the billion laughs', (v) => v + aliasBomb(9, 9), 19, /aliases expand to more than 10000 values/),
    yamlCase(
      'a wide alias bomb',
      (v) => v + `a: &a [${Array(500).fill('lol').join(', ')}]\nb: [${Array(50).fill('*a').join(', ')}]\n`,
      16,
      /aliases expand to more than 10000 values/,
    ),
    yamlCase('a thousand and one aliases', (v) => v + `a: &a 1\nb: [${Array(1001).fill('*a').join(', ')}]\n`, 16, /more than 1000 aliases/),
    yamlCase('--set key=*a with no anchor', (v) => v, undefined, /alias \*a: aliases cannot be used in --set values/, { set: ['name=*a'] }),
    yamlCase(
      '--set key=*a with an anchor in the file',
      (v) => v.replace('name: hostile', 'name: &a hostile'),
      undefined,
      /aliases cannot be used in --set values/,
      { set: ['seed=*a'] },
    ),
    yamlCase('--set of a map holding an alias', (v) => v, undefined, /aliases cannot be used/, { set: ['train.optimizer={type: adam, lr: *lr}'] }),
  ],
  () => ctx,
);

family(
  'YAML nesting',
  [
    yamlCase('10,000 nested flow sequences', (v) => v + `x: ${deepFlow(10_000)}\n`, 15, /nested too deeply to parse/),
    yamlCase('10,000 nested block sequences', (v) => v + `x:\n  ${deepBlock(10_000)}`, 16, /nested too deeply to parse/),
    yamlCase('10,000 nested flow maps', (v) => v + `x: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`, 15, /nested too deeply to parse/),
    yamlCase('40 nested lists, within what the parser takes', (v) => v + `x: ${deepFlow(40)}\n`, 15, /nested more than 32 levels deep/),
    yamlCase('an unclosed deep structure', (v) => v + `x: ${'['.repeat(500)}\n`, undefined, /invalid YAML/, { maxLines: 4 }),
    yamlCase('an unclosed deep map', (v) => v + `x: ${'{a: '.repeat(500)}\n`, undefined, /invalid YAML/, { maxLines: 4 }),
    yamlCase('--set with a key path of 100 parts', (v) => v, undefined, /--set 'a\.a\.a.*' has a key path of more than 32 parts/, {
      set: [`${Array(100).fill('a').join('.')}=1`],
      file: '--set',
    }),
    yamlCase('--set with a deeply nested value', (v) => v, undefined, /invalid value: nested too deeply to parse/, {
      set: [`a=${deepFlow(5000)}`],
      file: '--set a=[[[',
    }),
    yamlCase('--set with a value nested 40 levels', (v) => v, undefined, /invalid value: nested more than 32 levels deep/, {
      set: [`a=${deepFlow(40)}`],
      file: '--set a=[[[',
    }),
  ],
  () => ctx,
);

const UNSUPPORTED = /tag .* is not supported \(dlf configs hold plain values/;
family(
  'YAML tags and keys',
  [
    yamlCase('!!python/object', (v) => v.replace('name: hostile', 'name: !!python/object:os.system hostile'), 1, UNSUPPORTED),
    yamlCase('!!python/object/apply on a list', (v) => v + 'x: !!python/object/apply:os.system [ls]\n', 15, UNSUPPORTED),
    yamlCase('a custom tag', (v) => v.replace('seed: 1', 'seed: !custom 1'), 2, /tag !custom is not supported/),
    yamlCase('!include of ../../etc/passwd', (v) => v.replace(/path: .*/, 'path: !include ../../etc/passwd'), 5, /tag !include is not supported/),
    yamlCase('!!binary', (v) => v + 'x: !!binary aGVsbG8gd29ybGQ=\n', 15, /tag !!binary is not supported/),
    yamlCase('!!timestamp and !!set', (v) => v + 'x: !!timestamp 2001-12-14\ny: !!set {a, b}\n', 15, /tag !!timestamp is not supported/, { maxLines: 2 }),
    yamlCase(
      'a %TAG directive',
      (v) => `%TAG !e! tag:example.com,2000:\n---\n${v}x: !e!thing 1\n`,
      undefined,
      /tag tag:example\.com,2000:thing is not supported/,
    ),
    yamlCase('!!int 3.5', (v) => v.replace('epochs: 1', 'epochs: !!int 3.5'), 12, /!!int needs an integer, got '3\.5'/),
    yamlCase('!!bool yes', (v) => v + 'x: !!bool yes\n', 15, /!!bool needs true or false/),
    yamlCase('!!map on a list', (v) => v + 'x: !!map [1, 2]\n', 15, /!!map needs a map/),
    yamlCase('a complex key (a list)', (v) => v + '? [a, b]\n: 1\n', 15, /a map key must be a plain name, not a list/),
    yamlCase('a complex key (a map)', (v) => v + '? {a: 1}\n: 1\n', 15, /a map key must be a plain name, not a map/),
    yamlCase('an alias as a key', (v) => v.replace('name: hostile', 'name: &k hostile') + '*k : 1\n', 15, /not an alias/),
    yamlCase('a duplicate key', (v) => v + 'seed: 2\n', 15, /Map keys must be unique/),
    yamlCase('--set of a tagged value', (v) => v, undefined, /tag !include is not supported/, { set: ['data.path=!include /etc/passwd'] }),
    yamlCase('--set of !!binary', (v) => v, undefined, /tag !!binary is not supported/, { set: ['name=!!binary aGk='] }),
  ],
  () => ctx,
);

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const NOT_UTF8 = /not valid UTF-8 at byte \d+/;
family(
  'config text that is not UTF-8',
  [
    yamlCase('a stray byte 0xff', (v) => bytes(v.split('seed: 1')[0], 'seed: ', [0xff], v.split('seed: 1')[1]), 2, NOT_UTF8),
    yamlCase('an overlong encoding of /', (v) => bytes(v, 'x: ', [0xc0, 0xaf], '\n'), 15, NOT_UTF8),
    yamlCase('an encoded surrogate', (v) => bytes(v, 'x: ', [0xed, 0xa0, 0x80], '\n'), 15, NOT_UTF8),
    yamlCase('a truncated sequence at the end', (v) => bytes(v, 'x: ', [0xe2, 0x82]), 15, NOT_UTF8),
    yamlCase('UTF-16 with a byte-order mark', (v) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(v, 'utf16le')]), 1, NOT_UTF8),
    yamlCase('Latin-1 text', (v) => Buffer.from(v.replace('hostile', 'h\u00f4te'), 'latin1'), 1, NOT_UTF8),
  ],
  () => ctx,
);

family(
  'messages that echo the input',
  [
    yamlCase(
      'a misspelt key is one line with a did-you-mean',
      (v) => v.replace('  layers:', '  layrs:'),
      8,
      /model\.layrs: unknown key; did you mean 'layers'\?\n$/,
    ),
    yamlCase(
      'a misspelt discriminator',
      (v) => v.replace('{type: dense, units: 3}', '{tpye: dense, units: 3}'),
      10,
      /tpye: unknown key; did you mean 'type'\?\n$/,
    ),
    yamlCase('a key with a line break', (v) => v + '"evil\\nerror: fake": 1\n', 15, /evil\\nerror: fake: unknown key/),
    yamlCase('a value with control characters', (v) => v.replace('source: csv', 'source: "a\\u0007\\u001b[31mred"'), 4, /got string 'a\\x07\\x1b\[31mred'/),
    yamlCase('a key of 1000 characters', (v) => v + `${'k'.repeat(1000)}: 1\n`, 15, /kkk… unknown key|kkk…: unknown key/),
    {
      name: 'a label name of 900 characters',
      commands: commands(),
      make: (slug) => {
        const config = ctx.s.write(`${slug}.yaml`, valid().replace('label: species', `label: ${'n'.repeat(900)}`));
        return { config, expect: { file: ctx.fx.iris, line: 1, says: /column 'nnnn[^']*…': label column not found/ } };
      },
    },
    yamlCase('5,000 unknown keys', (v) => v + Array.from({ length: 5000 }, (_, i) => `k${i}: 1`).join('\n') + '\n', 15, /unknown key/, { maxLines: 21 }),
    yamlCase('--set of a value with a line break', (v) => v, undefined, /--set name=a\\nerror: b: invalid value/, {
      set: ['name=a\nerror: b'],
      file: '--set name=a\\n',
    }),
  ],
  () => ctx,
);
