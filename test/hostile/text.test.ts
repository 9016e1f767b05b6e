// Hostile corpus, text data (data.source: text): files that are empty, white space, binary, not
// UTF-8, a line too long, shorter than a language model's window; CSV text files without the text
// column, with an empty text cell or label, with only a header. Through the real CLI: validate,
// train and summary each refuse with one line naming the file (and its line or row).
import { afterAll, beforeAll } from 'vitest';
import { fixtures } from './cli.js';
import { type Case, type Command, type Context, family } from './corpus.js';
import { scratch } from './make.js';

let ctx: Context;
beforeAll(() => {
  const s = scratch('dlf-corpus-text-');
  ctx = { s, fx: fixtures(s) };
});
afterAll(() => ctx.s.cleanup());

const commands: Command[] = ['validate', 'train', 'summary'];

/** A config reading `path` as text, with `keys` added to its data block, and a model of existing layers. */
function textConfig(path: string, keys: string): string {
  return [
    'name: hostile-text',
    'seed: 1',
    'data:',
    '  source: text',
    `  path: ${JSON.stringify(path)}`,
    `  ${keys}`,
    'model:',
    '  layers:',
    '    - {type: embedding, dim: 4}',
    '    - {type: flatten}',
    '    - {type: dense, units: classes}',
    'train: {epochs: 1, batch_size: 4}',
    '',
  ].join('\n');
}

/** A case: the file's bytes (named `ext`), refused at `line` saying `says`. */
function textCase(name: string, ext: 'txt' | 'csv', bytes: string | Buffer, line: number | undefined, says: RegExp, keys = 'length: 8'): Case {
  return {
    name,
    commands: [...commands],
    make: (slug) => {
      const path = ctx.s.write(`${slug}.${ext}`, bytes);
      const config = ctx.s.write(`${slug}.yaml`, textConfig(path, keys));
      return { config, expect: { file: path, line, says } };
    },
  };
}

const prose = 'Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about.\n';

family(
  'plain text files a language model cannot read',
  [
    textCase('an empty file', 'txt', '', undefined, /the file is empty/),
    textCase('only white space', 'txt', ' \n\t\n\n', undefined, /no text, only white space/),
    textCase(
      'a binary file (PNG signature)',
      'txt',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      3,
      /not a text file: a NUL byte at byte 9/,
    ),
    textCase(
      'a stray byte 0xff on line 3',
      'txt',
      Buffer.concat([Buffer.from(prose + prose + 'abc'), Buffer.from([0xff]), Buffer.from('\n')]),
      3,
      /not valid UTF-8/,
    ),
    textCase('a line of 1 Mi + 1 characters', 'txt', `${prose}${'x'.repeat(1024 ** 2 + 1)}\n`, 2, /a line longer than 1048576 characters/),
    textCase('a window longer than the text', 'txt', 'hello\n', undefined, /the text has 6 tokens, fewer than data.length \+ 1 = 9/),
    textCase('a plain file asked to classify', 'txt', prose, undefined, /no labels to classify by/, 'length: 8\n  task: classification'),
  ],
  () => ctx,
);

family(
  'CSV text files a classifier cannot read',
  [
    textCase('no text column, a near name', 'csv', 'txt,label\nhello,a\n', 1, /text column not found.*did you mean 'txt'/),
    textCase('no label column', 'csv', 'text,labels\nhello,a\n', 1, /label column not found.*did you mean 'labels'/),
    textCase('an empty text cell', 'csv', 'text,label\nhello,a\n"",b\n', 3, /empty text/),
    textCase('an empty label', 'csv', 'text,label\nhello,a\nthere,\n', 3, /empty label/),
    textCase('only a header', 'csv', 'text,label\n', 1, /no data rows/),
    textCase('a NUL byte in a cell', 'csv', 'text,label\nhel\u0000lo,a\n', 2, /not a text file: a NUL byte/),
    textCase('a stray byte 0xfe', 'csv', Buffer.concat([Buffer.from('text,label\nab'), Buffer.from([0xfe]), Buffer.from(',a\n')]), 2, /not valid UTF-8/),
  ],
  () => ctx,
);
