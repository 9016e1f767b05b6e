// The `text` data source: a CSV file with a text column (one class per row, from a label column)
// or a plain text file read as one token stream for a language model (windows of L + 1 tokens,
// x = the first L, y = the last L). Reading numbers every token by a vocabulary of the whole file
// in order of first appearance (the "raw" vocabulary, special tokens first); fitting keeps the
// tokens of the training split (tokens.ts), and preprocessing renumbers the raw ids by name into
// the fitted vocabulary, unknown tokens becoming <unk> (standardize.ts). So a saved run reads new
// text exactly as its training text: the same tokeniser, then its own vocabulary.
import { extname } from 'node:path';
import type { TextDataConfig } from '../config/schema.js';
import { DataError, oneLine } from '../errors.js';
import { shortPath } from '../short-path.js';
import { sortClasses } from './cells.js';
import { type CsvTable, csvFile, parseCsv } from './csv.js';
import { CSV_MAX_BYTES, TEXT_MAX_BYTES, TEXT_MAX_DISTINCT_TOKENS, TEXT_MAX_IDS, TEXT_MAX_LINE_CHARS } from './limits.js';
import { decodeDataText, type FileKind, readDataBytes } from './read-file.js';
import type { TokenPreprocessing } from './standardize.js';
import { columnHint } from './suggest.js';
import { SPECIAL_TOKENS, type TokenizeSettings, UNK, fitVocab, forEachToken, vocabIndex } from './tokens.js';
import type { Dataset } from './types.js';

export type { TextDataConfig };

/** A text config with its defaults resolved (they depend on the file: format by extension, task by format). */
export interface TextSettings {
  format: 'csv' | 'plain';
  task: 'classification' | 'language_model';
  /** CSV: the column of the text. */
  textColumn: string;
  /** CSV classification: the column of the class. */
  labelColumn: string;
  tokenize: TokenizeSettings;
  /** Tokens per sample, L. */
  length: number;
}

/** What a text config means once the defaults that depend on its file are filled in. */
export function textSettings(cfg: TextDataConfig): TextSettings {
  const format = cfg.format ?? (extname(cfg.path).toLowerCase() === '.csv' ? 'csv' : 'plain');
  return {
    format,
    task: cfg.task ?? (format === 'csv' ? 'classification' : 'language_model'),
    textColumn: cfg.text ?? 'text',
    labelColumn: cfg.label ?? 'label',
    tokenize: { tokenizer: cfg.tokenizer, lowercase: cfg.lowercase },
    length: cfg.length,
  };
}

/** Token → id in order of first appearance, the special tokens first: the numbering of a file as read. */
class RawVocab {
  readonly tokens: string[] = [...SPECIAL_TOKENS];
  private readonly index = new Map<string, number>(SPECIAL_TOKENS.map((t, i) => [t, i]));

  constructor(private readonly file: string) {}

  id(token: string): number {
    let i = this.index.get(token);
    if (i === undefined) {
      i = this.tokens.length;
      // Ids are stored as float32, exact up to 2^24: one more distinct token would share an id.
      if (i >= TEXT_MAX_DISTINCT_TOKENS) {
        throw new DataError(`more than ${TEXT_MAX_DISTINCT_TOKENS} distinct tokens`, { file: this.file }, 'use the char tokenizer, or lowercase the text');
      }
      this.tokens.push(token);
      this.index.set(token, i);
    }
    return i;
  }
}

/** A growable list of ids, without a JS number per token. */
class IdList {
  data = new Int32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Reads the text file `path` of `cfg` (its path, or its test file: `key` names the config key in
 * messages) into a data set of raw token ids (see the top of this file). With `classes` (a saved
 * run's), labels are mapped to those indices and an unknown label is an error.
 */
export function readTextDataset(cfg: TextDataConfig, path: string, key = 'data.path', classes?: readonly string[]): Dataset {
  const s = textSettings(cfg);
  const kind = csvFile(key);
  // Keys that name CSV columns do nothing where there are none (or no labels): say so rather than ignore them.
  if (s.format === 'plain' && (cfg.text !== undefined || cfg.label !== undefined)) {
    const which = cfg.text !== undefined ? 'data.text' : 'data.label';
    throw new DataError(
      `${which} names a CSV column, but ${shortPath(path)} is read as plain text`,
      { file: shortPath(path) },
      `remove ${which}, or set data.format: csv`,
    );
  }
  if (s.task === 'language_model' && cfg.label !== undefined) {
    throw new DataError(
      'data.label has no use in a language model (its labels are the next tokens)',
      { file: shortPath(path) },
      'remove data.label, or set data.task: classification',
    );
  }
  if (s.format === 'plain') {
    if (s.task === 'classification') {
      throw new DataError(
        'a plain text file has no labels to classify by',
        { file: shortPath(path) },
        'set data.task: language_model, or give a CSV file with a text and a label column',
      );
    }
    const text = readText(path, TEXT_MAX_BYTES, kind);
    checkLines(text, path);
    return streamDataset(text, s, path);
  }
  const table = readTextTable(path, kind);
  const textCol = columnOf(table, s.textColumn, 'text', path);
  if (s.task === 'language_model') {
    const text = table.rows.map((row) => row[textCol]).join('\n');
    // The same bound as a plain text file's (its characters, which are at least as many as its tokens).
    if (text.length > TEXT_MAX_BYTES) {
      throw new DataError(`the text column holds more than ${TEXT_MAX_BYTES} characters, the most a language model reads`, { file: shortPath(path) });
    }
    return streamDataset(text, s, path);
  }
  const labelCol = columnOf(table, s.labelColumn, 'label', path);
  if (labelCol === textCol) throw new DataError('the label column is also the text column', { file: shortPath(path), column: s.labelColumn });
  return classifiedRows(table, textCol, labelCol, s, path, classes);
}

/** The whole of a text file as a string: not a file of bytes (a NUL byte), not UTF-8, empty: each a DataError naming it. */
function readText(path: string, maxBytes: number, kind: FileKind): string {
  const bytes = readDataBytes(path, maxBytes, kind);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    let line = 1;
    for (let i = 0; i < nul; i++) if (bytes[i] === 10) line++;
    throw new DataError(`not a text file: a NUL byte at byte ${nul + 1}`, { file: shortPath(path), line }, 'give a UTF-8 text file (plain text, or CSV)');
  }
  let text = decodeDataText(bytes, path, kind);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new DataError(text.length === 0 ? 'the file is empty' : 'the file has no text, only white space', { file: shortPath(path) });
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** A plain text file's lines must be of bounded length: a longer one is not prose (minified data, a binary dump). */
function checkLines(text: string, path: string): void {
  let start = 0;
  let line = 1;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (end - start > TEXT_MAX_LINE_CHARS) {
      throw new DataError(
        `a line longer than ${TEXT_MAX_LINE_CHARS} characters`,
        { file: shortPath(path), line },
        'is this a text file? break the text into lines',
      );
    }
    if (nl < 0) return;
    start = nl + 1;
    line++;
  }
}

function readTextTable(path: string, kind: FileKind): CsvTable {
  const table = parseCsv(readText(path, CSV_MAX_BYTES, kind), path);
  if (table.rows.length === 0) throw new DataError('the file has no data rows, only a header', { file: shortPath(path), line: 1 });
  return table;
}

function columnOf(table: CsvTable, name: string, what: 'text' | 'label', path: string): number {
  const c = table.header.indexOf(name);
  if (c < 0) {
    const key = what === 'text' ? 'data.text' : 'data.label';
    const hint = `${columnHint(name, table.header)}; set ${key}`;
    throw new DataError(`${what} column not found`, { file: shortPath(path), line: 1, column: oneLine(name, 60) }, hint);
  }
  return c;
}

/** Rows × length ids must be within TEXT_MAX_IDS before they are allocated. */
function checkIdCount(n: number, L: number, file: string, hint = `lower data.length to at most ${Math.max(1, Math.floor(TEXT_MAX_IDS / n))}`): void {
  if (n * L > TEXT_MAX_IDS) throw new DataError(`${n} rows of ${L} tokens (data.length) make ${n * L} token ids, more than ${TEXT_MAX_IDS}`, { file }, hint);
}

/** CSV rows, one sample each: the first L tokens of the text cell padded to L, and the class of the label cell. */
function classifiedRows(table: CsvTable, textCol: number, labelCol: number, s: TextSettings, path: string, given?: readonly string[]): Dataset {
  const { rows, header } = table;
  const n = rows.length;
  const L = s.length;
  const file = shortPath(path);
  checkIdCount(n, L, file);
  const vocab = new RawVocab(file);
  const x = new Float32Array(n * L); // PAD is 0
  const labels = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    const cell = rows[r][textCol];
    if (cell.trim() === '') {
      throw new DataError('empty text', { file, row: r + 2, column: oneLine(header[textCol], 60) }, 'every row needs text; fill it in or remove the row');
    }
    let j = 0;
    forEachToken(cell, s.tokenize, (t) => (x[r * L + j++] = vocab.id(t)), L);
    labels[r] = rows[r][labelCol].trim();
    if (labels[r] === '') throw new DataError('empty label', { file, row: r + 2, column: oneLine(header[labelCol], 60) }, 'every row needs a label');
  }
  const names = given ? given.slice() : sortClasses([...new Set(labels)]);
  const index = new Map(names.map((c, i) => [c, i]));
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const k = index.get(labels[r]);
    if (k === undefined) {
      throw new DataError(
        `unknown class '${oneLine(labels[r], 60)}'`,
        { file, row: r + 2, column: oneLine(header[labelCol], 60) },
        `the known classes are ${oneLine(names.join(', '), 300)}`,
      );
    }
    y[r] = k;
  }
  const origin = { file: path, rows: Int32Array.from({ length: n }, (_, r) => r + 2) };
  return { x, y, n, features: [], shape: [L], task: 'classification', classes: names, tokens: { vocab: vocab.tokens }, origin };
}

/**
 * One token stream cut into windows: window i starts at token i·L and holds L + 1 tokens, x its
 * first L and y its last L (each token's next). A last, shorter window is padded at the end (x
 * and y 0 there, which the loss ignores). The windows are in the order of the text (`ordered`),
 * so the validation split is the end of the text.
 */
function streamDataset(text: string, s: TextSettings, path: string): Dataset {
  const vocab = new RawVocab(shortPath(path));
  const ids = new IdList();
  forEachToken(text, s.tokenize, (t) => ids.push(vocab.id(t)));
  const N = ids.length;
  const L = s.length;
  if (N < L + 1) {
    throw new DataError(
      `the text has ${N} token${N === 1 ? '' : 's'}, fewer than data.length + 1 = ${L + 1}`,
      { file: shortPath(path) },
      N < 2
        ? 'a language model needs a text of at least two tokens'
        : `a language model reads windows of length + 1 tokens: set data.length to at most ${N - 1}`,
    );
  }
  const pairs = N - 1; // (token, next token) pairs
  const n = Math.ceil(pairs / L);
  const x = new Float32Array(n * L);
  const y = new Float32Array(n * L);
  const d = ids.data;
  for (let t = 0; t < pairs; t++) {
    x[t] = d[t];
    y[t] = d[t + 1];
  }
  // Positions from `pairs` on stay 0 (padding), in x and in y.
  return { x, y, n, features: [], shape: [L], targetShape: [L], task: 'classification', tokens: { vocab: vocab.tokens }, ordered: true };
}

/**
 * The token preprocessing of a text config, fitted on `train` (its raw ids): the vocabulary of
 * the tokens in the training samples' inputs, cut by data.vocab.
 */
export function fitTokenPreprocessing(train: Dataset, cfg: TextDataConfig): TokenPreprocessing {
  const s = textSettings(cfg);
  const raw = train.tokens?.vocab;
  if (!raw) throw new DataError('text preprocessing needs data of token ids');
  const byId = new Float64Array(raw.length);
  const x = train.x;
  for (let i = 0; i < x.length; i++) byId[x[i]]++;
  const counts = new Map<string, number>();
  for (let id = SPECIAL_TOKENS.length; id < raw.length; id++) if (byId[id] > 0) counts.set(raw[id], byId[id]);
  const vocab = fitVocab(counts, { minFreq: cfg.vocab.min_freq, maxSize: cfg.vocab.max_size });
  const prep: TokenPreprocessing = {
    kind: 'tokens',
    tokenizer: s.tokenize.tokenizer,
    lowercase: s.tokenize.lowercase,
    vocab,
    length: s.length,
    labels: train.targetShape ? 'tokens' : 'class',
    task: 'classification',
  };
  if (!train.targetShape && train.classes) prep.classes = train.classes.slice();
  return prep;
}

/**
 * New text for a trained classifier (`dlf predict`): the column `column` of a CSV table, each row
 * encoded with the run's tokeniser and vocabulary and cut or padded to its length; labels are not
 * read (y is 0). An empty cell is an error at its row.
 */
export function textInput(table: CsvTable, column: string, prep: TokenPreprocessing, path: string): Dataset {
  const c = columnOf(table, column, 'text', path);
  const L = prep.length;
  const n = table.rows.length;
  const index = vocabIndex(prep.vocab);
  const settings = { tokenizer: prep.tokenizer, lowercase: prep.lowercase };
  checkIdCount(n, L, shortPath(path), 'predict from fewer rows at a time');
  const x = new Float32Array(n * L);
  for (let r = 0; r < n; r++) {
    const cell = table.rows[r][c];
    if (cell.trim() === '') {
      throw new DataError('empty text', { file: shortPath(path), row: r + 2, column: oneLine(column, 60) }, 'every row needs text to predict from');
    }
    let j = 0;
    forEachToken(cell, settings, (t) => (x[r * L + j++] = index.get(t) ?? UNK), L);
  }
  const ds: Dataset = { x, y: new Float32Array(n), n, features: [], shape: [L], task: 'classification', tokens: { vocab: prep.vocab.slice() } };
  if (prep.classes) ds.classes = prep.classes.slice();
  return ds;
}
