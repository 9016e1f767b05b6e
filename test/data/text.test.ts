// The text data source (src/data/text.ts, wired through data/load.ts and data/dims.ts): CSV
// classification, plain-text language models, the vocabulary fitted on the training split only,
// a saved run re-reading text with its own vocabulary, and hostile files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataSchema, type DataConfig } from '../../src/config/schema.js';
import { dataDims } from '../../src/data/dims.js';
import { fitPreprocessingFor, loadData, loadDataset, loadTestSet } from '../../src/data/load.js';
import { applyPreprocessing, type TokenPreprocessing } from '../../src/data/standardize.js';
import { readTextDataset } from '../../src/data/text.js';
import { SPECIAL_TOKENS, UNK, decode } from '../../src/data/tokens.js';
import { dataError, removeTempDirs, tempCsv, tempDir } from './helpers.js';

afterAll(removeTempDirs);

function textConfig(path: string, extra: Record<string, unknown> = {}): Extract<DataConfig, { source: 'text' }> {
  return DataSchema.parse({ source: 'text', path, length: 4, ...extra }) as Extract<DataConfig, { source: 'text' }>;
}

/** The tokens of sample i of a data set numbered by `vocab`, padding left out. */
function tokensOf(x: Float32Array, i: number, L: number, vocab: readonly string[]): string[] {
  return Array.from(x.subarray(i * L, (i + 1) * L))
    .filter((id) => id !== 0)
    .map((id) => vocab[id]);
}

describe('CSV classification', () => {
  const csv = 'text,label\n"the cat sat",pos\nthe dog ran away fast,neg\n"a cat, a dog",pos\nno,neg\n';

  it('reads each row as its first L tokens padded at the end, with sorted classes', () => {
    const ds = readTextDataset(textConfig(tempCsv(csv), { tokenizer: 'word' }), tempCsv(csv));
    expect(ds.n).toBe(4);
    expect(ds.shape).toEqual([4]);
    expect(ds.targetShape).toBeUndefined();
    expect(ds.classes).toEqual(['neg', 'pos']);
    expect(Array.from(ds.y)).toEqual([1, 0, 1, 0]);
    const vocab = ds.tokens!.vocab;
    expect(vocab.slice(0, 4)).toEqual([...SPECIAL_TOKENS]);
    expect(tokensOf(ds.x, 0, 4, vocab)).toEqual(['the', 'cat', 'sat']);
    expect(tokensOf(ds.x, 1, 4, vocab)).toEqual(['the', 'dog', 'ran', 'away']);
    expect(tokensOf(ds.x, 2, 4, vocab)).toEqual(['a', 'cat', ',', 'a']);
    expect(Array.from(ds.x.subarray(12, 16))).toEqual([vocab.indexOf('no'), 0, 0, 0]);
  });

  it('fits the vocabulary on the training split only and numbers validation tokens it lacks <unk>', () => {
    const rows = ['text,label'];
    for (let i = 0; i < 20; i++) rows.push(`common word${i},${i % 2 ? 'a' : 'b'}`);
    const path = tempCsv(`${rows.join('\n')}\n`);
    const cfg = textConfig(path, { tokenizer: 'word', length: 3, split: { validation: 0.25, shuffle: true } });
    const { train, val, preprocessing } = loadData(cfg, 7);
    const prep = preprocessing as TokenPreprocessing;
    expect(prep).toMatchObject({ kind: 'tokens', tokenizer: 'word', lowercase: false, length: 3, labels: 'class', classes: ['a', 'b'] });
    expect(train.n + val.n).toBe(20);
    // Every training row's own word is in the vocabulary, no validation row's is.
    expect(prep.vocab.length).toBe(4 + 1 + train.n);
    for (let i = 0; i < val.n; i++) {
      expect(val.x[i * 3]).toBe(prep.vocab.indexOf('common'));
      expect(val.x[i * 3 + 1]).toBe(UNK);
    }
    for (let i = 0; i < train.n; i++) expect(train.x[i * 3 + 1]).toBeGreaterThan(UNK);
    expect(train.tokens!.vocab).toEqual(prep.vocab);
    expect(dataDims(cfg, 7)).toEqual({ task: 'classification', sampleShape: [3], classes: 2, tokens: { vocab: prep.vocab.length } });
  });

  it('cuts the vocabulary by min_freq and max_size, and lowercases', () => {
    const path = tempCsv('text,label\nA a a b b c,x\nB b a d,y\n');
    const cfg = textConfig(path, { tokenizer: 'word', lowercase: true, length: 6, vocab: { min_freq: 2 }, split: { validation: 0 } });
    const prep = loadData(cfg, 0).preprocessing as TokenPreprocessing;
    expect(prep.vocab).toEqual([...SPECIAL_TOKENS, 'a', 'b']);
    const capped = loadData({ ...cfg, vocab: { min_freq: 1, max_size: 5 } }, 0).preprocessing as TokenPreprocessing;
    expect(capped.vocab).toEqual([...SPECIAL_TOKENS, 'a']);
  });

  it('reads a test file with the run vocabulary and classes; an unknown class names the row', () => {
    const path = tempCsv(csv);
    const test = tempCsv('text,label\nthe zebra sat,pos\n', 'test.csv');
    const cfg = textConfig(path, { tokenizer: 'word', test, split: { validation: 0 } });
    const { preprocessing } = loadData(cfg, 0);
    const ds = loadTestSet(cfg, preprocessing)!;
    const vocab = (preprocessing as TokenPreprocessing).vocab;
    expect(Array.from(ds.x)).toEqual([vocab.indexOf('the'), UNK, vocab.indexOf('sat'), 0]);
    expect(Array.from(ds.y)).toEqual([1]);
    const bad = tempCsv('text,label\nthe cat,maybe\n', 'bad.csv');
    const e = dataError(() => loadTestSet({ ...cfg, test: bad }, preprocessing));
    expect(e.message).toMatch(/unknown class 'maybe'/);
    expect(e.place).toMatchObject({ row: 2, column: 'label' });
  });

  it('a saved run re-reads its training file exactly as it trained on it', () => {
    const path = tempCsv(csv);
    const cfg = textConfig(path, { tokenizer: 'char', split: { validation: 0.5 } });
    const fresh = loadData(cfg, 3);
    const again = applyPreprocessing(loadDataset(cfg, 3, fresh.preprocessing.classes, fresh.preprocessing), fresh.preprocessing);
    const vocab = (fresh.preprocessing as TokenPreprocessing).vocab;
    // The same tokens for every row; validation characters the training split lacked are <unk> both ways.
    expect(again.tokens!.vocab).toEqual(vocab);
    const all = [...Array(again.n).keys()].map((i) => decode(again.x.subarray(i * 4, i * 4 + 4), vocab, 'char'));
    const seen = [fresh.train, fresh.val].flatMap((d) => [...Array(d.n).keys()].map((i) => decode(d.x.subarray(i * 4, i * 4 + 4), vocab, 'char')));
    expect(all.slice().sort()).toEqual(seen.sort());
  });
});

describe('plain text language model', () => {
  it('cuts the stream into windows of L + 1 tokens, y shifted by one, the last one padded', () => {
    const path = tempCsv('abcdefghij', 'corpus.txt');
    const ds = readTextDataset(textConfig(path, { length: 4 }), path);
    const v = ds.tokens!.vocab;
    expect(ds.n).toBe(3); // 9 (token, next) pairs in windows of 4
    expect(ds.targetShape).toEqual([4]);
    expect(ds.ordered).toBe(true);
    const at = (a: Float32Array, i: number) => Array.from(a.subarray(i * 4, i * 4 + 4), (id) => (id === 0 ? '_' : v[id])).join('');
    expect([at(ds.x, 0), at(ds.x, 1), at(ds.x, 2)]).toEqual(['abcd', 'efgh', 'i___']);
    expect([at(ds.y, 0), at(ds.y, 1), at(ds.y, 2)]).toEqual(['bcde', 'fghi', 'j___']);
  });

  it('holds out the end of the text, not shuffled windows, and labels every token', () => {
    const text = 'the quick brown fox jumps over the lazy dog. '.repeat(20);
    const path = tempCsv(text, 'corpus.txt');
    const cfg = textConfig(path, { length: 10, split: { validation: 0.2, shuffle: true } });
    const { train, val, preprocessing } = loadData(cfg, 11);
    const prep = preprocessing as TokenPreprocessing;
    expect(prep).toMatchObject({ labels: 'tokens', tokenizer: 'char', length: 10 });
    expect(prep.classes).toBeUndefined();
    const windows = Math.ceil((text.length - 1) / 10);
    expect(train.n + val.n).toBe(windows);
    expect(val.n).toBe(Math.round(windows * 0.2));
    const join = (d: typeof train) => [...Array(d.n).keys()].map((i) => decode(d.x.subarray(i * 10, i * 10 + 10), prep.vocab, 'char')).join('');
    // In order: the training windows are the start of the text and validation the rest.
    expect(join(train) + join(val)).toBe(text.slice(0, -1));
    expect(val.y.length).toBe(val.n * 10);
    expect(dataDims(cfg, 11)).toEqual({
      task: 'classification',
      sampleShape: [10],
      classes: prep.vocab.length,
      tokens: { vocab: prep.vocab.length },
      targetShape: [10],
    });
  });

  it('reads a CSV text column as one stream when task is language_model, lines joined', () => {
    const path = tempCsv('id,text\n1,ab\n2,cd\n');
    const ds = readTextDataset(textConfig(path, { task: 'language_model', length: 2 }), path);
    const v = ds.tokens!.vocab;
    expect(Array.from(ds.x, (id) => v[id]).join('')).toBe('ab\nc');
    expect(Array.from(ds.y, (id) => v[id]).join('')).toBe('b\ncd');
  });

  it('word tokens of a plain file, CRLF line ends read as LF', () => {
    const path = tempCsv('Hello, world.\r\nHello again!\r\n', 'c.txt');
    const ds = readTextDataset(textConfig(path, { tokenizer: 'word', length: 2 }), path);
    const v = ds.tokens!.vocab;
    expect(v.slice(4)).toEqual(['Hello', ',', 'world', '.', 'again', '!']);
  });
});

describe('hostile input: one DataError naming the file', () => {
  const read =
    (path: string, extra: Record<string, unknown> = {}) =>
    () =>
      readTextDataset(textConfig(path, extra), path);

  it.each([
    ['an empty file', '', 'c.txt', /the file is empty/],
    ['only white space', ' \n\n\t', 'c.txt', /no text, only white space/],
    ['a file that is not text', 'abc\u0000\u0001\u0002', 'c.txt', /not a text file: a NUL byte at byte 4/],
    ['an empty CSV', '', 'c.csv', /the file is empty/],
    ['a CSV file that is not text', 'text,label\nab\u0000c,x\n', 'c.csv', /not a text file: a NUL byte at byte 14/],
    ['a CSV with only a header', 'text,label\n', 'c.csv', /no data rows/],
  ])('%s', (_what, body, name, message) => {
    const path = tempCsv(body, name);
    const e = dataError(read(path));
    expect(e.message).toMatch(message);
    expect(e.place.file).toBe(path);
  });

  it('CSV keys where they do nothing: data.text or data.label on plain text, data.label on a language model', () => {
    const txt = tempCsv('some words of text here\n', 'c.txt');
    expect(dataError(read(txt, { task: 'language_model', text: 'body' })).message).toMatch(/data\.text names a CSV column, but .* is read as plain text/);
    expect(dataError(read(txt, { task: 'language_model', label: 'y' })).message).toMatch(/data\.label names a CSV column/);
    const csv = tempCsv('text,label\nsome words,a\nmore words,b\n');
    expect(dataError(read(csv, { task: 'language_model', label: 'label' })).message).toMatch(/data\.label has no use in a language model/);
  });

  it('a text of one token: the hint does not suggest a length that fails too', () => {
    const e = dataError(read(tempCsv('a', 'c.txt'), { task: 'language_model', tokenizer: 'char' }));
    expect(e.message).toMatch(/the text has 1 token, fewer than/);
    expect(e.hint).toMatch(/at least two tokens/);
  });

  it('bytes that are not UTF-8, with the line', () => {
    const path = join(tempDir(), 'bad.txt');
    writeFileSync(path, Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x63]));
    const e = dataError(read(path));
    expect(e.message).toMatch(/not valid UTF-8 at byte 4/);
    expect(e.place).toMatchObject({ file: path, line: 2 });
  });

  it('a line of plain text too long to be prose', () => {
    const path = tempCsv(`short\n${'x'.repeat(1024 ** 2 + 1)}\n`, 'c.txt');
    const e = dataError(read(path));
    expect(e.message).toMatch(/a line longer than 1048576 characters/);
    expect(e.place.line).toBe(2);
  });

  it('a huge CSV text cell is cut to its first L tokens', () => {
    const path = tempCsv(`text,label\n"${'word '.repeat(200_000)}",a\n`);
    const ds = readTextDataset(textConfig(path, { tokenizer: 'word', length: 5 }), path);
    expect(Array.from(ds.x)).toEqual([4, 4, 4, 4, 4]);
  });

  it('a text column that is missing, with the nearest name', () => {
    const path = tempCsv('txt,label\nhello,a\n');
    const e = dataError(read(path));
    expect(e.message).toBe('text column not found');
    expect(e.place).toMatchObject({ file: path, line: 1, column: 'text' });
    expect(e.hint).toMatch(/did you mean 'txt'\?/);
    const e2 = dataError(read(path, { text: 'txt', label: 'lable' }));
    expect(e2.message).toBe('label column not found');
    expect(e2.hint).toMatch(/did you mean 'label'\?/);
  });

  it('an empty text cell or label, at its row and column', () => {
    const e = dataError(read(tempCsv('text,label\nfine,a\n  ,b\n')));
    expect(e.message).toBe('empty text');
    expect(e.place).toMatchObject({ row: 3, column: 'text' });
    const e2 = dataError(read(tempCsv('text,label\nfine,a\nalso,\n')));
    expect(e2.message).toBe('empty label');
    expect(e2.place).toMatchObject({ row: 3, column: 'label' });
  });

  it('a length larger than the text of a language model', () => {
    const path = tempCsv('hello', 'c.txt');
    const e = dataError(read(path, { length: 5 }));
    expect(e.message).toBe('the text has 5 tokens, fewer than data.length + 1 = 6');
    expect(e.hint).toMatch(/set data.length to at most 4/);
    expect(readTextDataset(textConfig(path, { length: 4 }), path).n).toBe(1);
  });

  it('a plain file asked to classify', () => {
    const path = tempCsv('hello there', 'c.txt');
    expect(dataError(read(path, { task: 'classification' })).message).toMatch(/no labels to classify by/);
  });

  it('a missing file', () => {
    const e = dataError(read('/nonexistent/dir/corpus.txt'));
    expect(e.message).toMatch(/not found/);
  });
});

describe('fitPreprocessingFor', () => {
  it('gives a token preprocessing that a run saves and checks', async () => {
    const { isPreprocessing } = await import('../../src/data/standardize.js');
    const path = tempCsv('abcabcabd', 'c.txt');
    const cfg = textConfig(path, { length: 2, split: { validation: 0 } });
    const prep = fitPreprocessingFor(cfg, loadDataset(cfg, 0));
    expect(prep).toEqual({
      kind: 'tokens',
      tokenizer: 'char',
      lowercase: false,
      vocab: [...SPECIAL_TOKENS, 'a', 'b', 'c'],
      length: 2,
      labels: 'tokens',
      task: 'classification',
    });
    expect(isPreprocessing(JSON.parse(JSON.stringify(prep)))).toBe(true);
  });
});

describe('cross-validation folds of a language model', () => {
  it('holds out one stretch of the text per fold, the folds covering it once', async () => {
    const { splitDataset } = await import('../../src/data/split.js');
    const { Rng } = await import('../../src/tensor/rng.js');
    const path = tempCsv('abcdefghijklmnopqrstuvwxyz0123456789', 'c.txt');
    const ds = readTextDataset(textConfig(path, { length: 3 }), path);
    expect(ds.n).toBe(12);
    const held: number[] = [];
    for (let index = 1; index <= 3; index++) {
      const { train, val } = splitDataset(ds, { validation: 0.2, shuffle: true, fold: { k: 3, index } }, new Rng(1));
      expect(train.n + val.n).toBe(12);
      // Each fold is 4 windows in a row: its first inputs are 3 tokens apart.
      const starts = Array.from({ length: val.n }, (_, i) => val.x[i * 3]);
      const ids = Array.from({ length: 12 }, (_, i) => ds.x[i * 3]);
      const at = ids.indexOf(starts[0]);
      expect(starts).toEqual(ids.slice(at, at + 4));
      held.push(at);
    }
    expect(held).toEqual([0, 4, 8]);
  });
});
