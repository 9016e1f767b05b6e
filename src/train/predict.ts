// Predicting with a trained run: new data (a CSV table with the run's feature columns, IDX
// images, or a CSV table with the text column of a text classifier) prepared with the run's saved
// preprocessing, the evaluation program run over it in
// batches, and one record per sample: the predicted class name and a probability per class
// (softmax of the logits, or the sigmoid of a single logit), or the predicted value.
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CompiledModel } from '../compile/compile.js';
import { type Dataset, readFeatures, selectRows } from '../data/dataset.js';
import { savedReadRules, unseenNote } from '../data/columns.js';
import { type CsvTable, readCsvTable } from '../data/csv.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzip, readIdxImages } from '../data/idx.js';
import { imageShape } from '../data/images.js';
import { imageDataset, rawValues } from '../data/pixels.js';
import { type ImagePreprocessing, type Preprocessing, type TablePreprocessing, applyPreprocessing } from '../data/standardize.js';
import { type TargetScale, unstandardize } from '../data/target.js';
import { textInput, textSettings } from '../data/text.js';
import { DataError, UsageError } from '../errors.js';
import type { Kernels } from '../kernels/kernels.js';
import { loadRun } from './evaluate.js';
import { DEFAULT_THRESHOLD } from './metrics.js';
import { ModelRuntime, feed } from './runtime.js';

export type PredictFormat = 'csv' | 'jsonl';

export interface PredictOptions {
  /** The input file: CSV for runs trained on tables, IDX images (raw or .gz) for runs trained on images. */
  input: string;
  checkpoint?: string;
  /** Default: the run's train.batch_size. */
  batchSize?: number;
  /** Two classes: the probability of class 1 above which it is predicted (default: train.threshold, else 0.5). */
  threshold?: number;
  /** Columns of a CSV input copied into each record, before the prediction (`--keep`). */
  keep?: readonly string[];
  kernels: Kernels;
  /** The memory bound the run's model is compiled under (`--max-memory`; default: compile/memory.ts's). */
  maxMemory?: number;
}

export interface Predictions {
  checkpoint: string;
  task: Dataset['task'];
  /** Column names: the kept input columns, `prediction`, then `p_<class>` per class (classification). */
  columns: string[];
  /** Warnings about the input (categories that went to an unknown bucket). */
  warnings: string[];
  /** One record per input sample, in input order: the class name or value, then the probabilities (null for a row a drop rule left out). */
  rows: (string | number | null)[][];
}

/** Loads a run and predicts every sample of `opts.input`. */
export function predictRun(runDir: string, opts: PredictOptions): Predictions {
  const { config, ckptPath, prep, model, params } = loadRun(runDir, opts.checkpoint, opts.maxMemory);
  const keep = opts.keep ?? [];
  if (keep.length && prep.kind === 'image') throw new UsageError('--keep copies columns of a CSV input; this run was trained on images');
  const textColumn = config.data.source === 'text' ? textSettings(config.data).textColumn : undefined;
  if (prep.kind === 'tokens') checkTextRun(prep, textColumn, runDir);
  const table = prep.kind !== 'image' ? readTableInput(opts.input) : undefined;
  const kept = table && keep.length ? keptColumns(table, keep, resolve(opts.input)) : undefined;
  const input = readPredictInput(opts.input, prep, table, textColumn);
  const ds = applyPreprocessing(input, prep);
  const rt = new ModelRuntime(model, opts.kernels, params);
  const batch = opts.batchSize ?? config.train.batch_size;
  const cols = outputColumns(model);
  const names = prep.task === 'classification' ? classNames(prep.classes, cols) : [];
  if (opts.threshold !== undefined && names.length !== 2) {
    throw new UsageError(`--threshold applies to two classes; this run has ${names.length ? `${names.length} classes` : 'a regression task'}`);
  }
  const threshold = opts.threshold ?? config.train.threshold ?? DEFAULT_THRESHOLD;
  const rows: (string | number | null)[][] = [];
  // A row a drop rule left out (its file row is not among ds.origin.rows) gets no prediction: null.
  const empty = new Array<null>(1 + names.length).fill(null);
  const fileRows = input.origin?.rows;
  const keptOf = (r: number) => (kept ? kept[r] : []);
  let next = 0; // the next input row (0-based, after the header) to write
  const fillTo = (row: number) => {
    for (; next < row; next++) rows.push([...keptOf(next), ...empty]);
  };
  for (let start = 0; start < ds.n; start += batch) {
    const count = Math.min(batch, ds.n - start);
    const b = rt.bind(count, 'eval');
    feed(b, ds, null, start, count);
    b.ex.run();
    for (let r = 0; r < count; r++) {
      const at = fileRows ? fileRows[start + r] - 2 : start + r;
      fillTo(at);
      rows.push([...keptOf(at), ...record(b.output, r * cols, cols, names, prep.kind === 'table' ? prep.target : undefined, threshold)]);
      next = at + 1;
    }
  }
  if (table) fillTo(table.rows.length);
  const columns = ['prediction'];
  for (const c of names) columns.push(`p_${c}`);
  const clash = keep.find((k) => columns.includes(k));
  if (clash !== undefined) throw new UsageError(`--keep ${clash}: the output already has a column of that name`);
  columns.unshift(...keep);
  const note = unseenNote(ds.unseen);
  return { checkpoint: ckptPath, task: prep.task, columns, rows, warnings: note ? [note] : [] };
}

/**
 * dlf predict reads text for a classifier trained on text (data.source: text); a language model
 * samples with dlf generate instead, and a built-in sequence task has no text to read.
 */
function checkTextRun(prep: Extract<Preprocessing, { kind: 'tokens' }>, textColumn: string | undefined, runDir: string): void {
  if (prep.labels === 'tokens') {
    throw new UsageError('this run is a language model (a label per token): dlf predict gives one class per row', `sample from it with dlf generate ${runDir}`);
  }
  if (textColumn === undefined)
    throw new UsageError('dlf predict reads text for runs trained on data.source: text; this run was trained on a built-in sequence task');
}

/** Columns of the model output (its last axis). */
function outputColumns(model: CompiledModel): number {
  const p = model.program(1, 'eval');
  const s = p.graph.nodes[p.output].shape;
  return s[s.length - 1];
}

/** Class names of a classification output of `cols` columns (1 column: a binary model with two classes). */
export function classNames(classes: readonly string[] | undefined, cols: number): string[] {
  if (classes) return classes.slice();
  return Array.from({ length: cols === 1 ? 2 : cols }, (_, k) => String(k));
}

/**
 * One sample's record from its row of the model output: with no class names (regression) the
 * value (in the target's units when the run standardised it, `target`); else the predicted class
 * (of two, the positive one when its probability is above `threshold`; of more, the most probable)
 * and the probability of each class.
 */
function record(
  out: ArrayLike<number>,
  at: number,
  cols: number,
  names: readonly string[],
  target?: TargetScale,
  threshold = DEFAULT_THRESHOLD,
): (string | number)[] {
  if (names.length === 0) return [round(unstandardize(out[at], target))];
  let probs: number[];
  if (cols === 1) {
    const p1 = 1 / (1 + Math.exp(-out[at]));
    probs = [1 - p1, p1];
  } else {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, out[at + c]);
    const e = Array.from({ length: cols }, (_, c) => Math.exp(out[at + c] - max));
    const sum = e.reduce((s, v) => s + v, 0);
    probs = e.map((v) => v / sum);
  }
  let best = 0;
  if (probs.length === 2) {
    // As the metrics decide (train/metrics.ts): class 1 when its log-odds exceed those of the
    // threshold, so a probability of exactly the threshold is class 0.
    const score = cols === 1 ? out[at] : out[at + 1] - out[at];
    best = score > Math.log(threshold / (1 - threshold)) ? 1 : 0;
  } else for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
  return [names[best], ...probs.map(round)];
}

/** Seven significant digits: what a float32 model output carries. */
function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(7)) : v;
}

/**
 * Reads the input of a prediction as an unlabeled Dataset (y = 0) in the run's terms: the
 * feature columns of a table run (by name; other columns, the label among them, are ignored),
 * IDX images for an image run, or the text column `textColumn` of a text classifier's CSV input.
 */
export function readPredictInput(file: string, prep: Preprocessing, table?: CsvTable, textColumn?: string): Dataset {
  const path = resolve(file);
  const idx = looksLikeIdx(path);
  if (prep.kind === 'image') {
    if (idx === false) {
      throw new DataError('the run was trained on images: the input must be an IDX images file (raw or .gz)', { file: path });
    }
    return imagesInput(path, prep);
  }
  if (prep.kind === 'tokens') {
    if (textColumn === undefined || prep.labels !== 'class') throw new UsageError('dlf predict reads text for a text classifier only');
    return textInput(table ?? readTableInput(path, idx), textColumn, prep, path);
  }
  return tableInput(path, { ...prep, kind: 'table' }, table ?? readTableInput(path, idx));
}

/** The CSV input of a run trained on a table or text; an IDX file is refused with a message that says so. */
function readTableInput(file: string, idx = looksLikeIdx(resolve(file))): CsvTable {
  const path = resolve(file);
  if (idx) throw new DataError('the input is an IDX file but the run was trained on a table or text: give a CSV file', { file: path });
  return readCsvTable(path);
}

/** The cells of the columns `keep` of every row, by name; a name the table lacks is a DataError. */
function keptColumns(table: CsvTable, keep: readonly string[], file: string): string[][] {
  const cols = keep.map((name) => {
    const c = table.header.indexOf(name);
    if (c < 0)
      throw new DataError('--keep names a column the input does not have', { file, column: name }, `the input has the columns ${table.header.join(', ')}`);
    return c;
  });
  return table.rows.map((row) => cols.map((c) => row[c]));
}

/**
 * The feature columns of a table input read with the run's column rules: categories as codes,
 * cells to fill as NaN. Rows that a drop rule leaves out are not there: `origin.rows` tells which
 * rows of the file are (predictRun writes an empty prediction for the others).
 */
function tableInput(file: string, prep: TablePreprocessing, table: CsvTable): Dataset {
  const { header, rows } = table;
  const cols = prep.features.map((name) => {
    const c = header.indexOf(name);
    if (c < 0) {
      throw new DataError('feature column missing from the input', { file, column: name }, `the run was trained on the columns ${prep.features.join(', ')}`);
    }
    return c;
  });
  const n = rows.length;
  const read = readFeatures(table, cols, file, savedReadRules(prep.features, prep.columns, prep.missingValues));
  const ds: Dataset = {
    x: read.x,
    y: new Float32Array(n),
    n,
    features: prep.features.slice(),
    task: prep.task,
    origin: { file, rows: Int32Array.from({ length: n }, (_, r) => r + 2) },
  };
  if (read.categories.some((c) => c !== null)) ds.categories = read.categories;
  if (prep.classes) ds.classes = prep.classes.slice();
  if (!read.keep.includes(0)) return ds;
  const kept: number[] = [];
  read.keep.forEach((k, r) => k && kept.push(r));
  return selectRows(ds, kept);
}

function imagesInput(file: string, prep: ImagePreprocessing): Dataset {
  const images = readIdxImages(file);
  const n = images.count;
  const shape = imageShape(images.rows, images.cols, prep.shape.length === 1);
  const fields = { y: new Float32Array(n), n, features: [], shape, task: 'classification' as const };
  return imageDataset(prep.classes ? { ...fields, classes: prep.classes.slice() } : fields, { bytes: images.pixels, values: rawValues() });
}

/** Whether a file starts like an IDX file (gzip, or an IDX magic number); undefined when it cannot be read. */
function looksLikeIdx(path: string): boolean | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // the reader names the problem
  }
  try {
    const head = new Uint8Array(4);
    const got = readSync(fd, head, 0, 4, 0);
    if (isGzip(head.subarray(0, got))) return true;
    if (got < 4) return false;
    const magic = new DataView(head.buffer).getUint32(0, false);
    return magic === IDX_IMAGES_MAGIC || magic === IDX_LABELS_MAGIC;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The output format: `format` when given, else JSONL for a .jsonl/.ndjson output file, else CSV. */
export function predictFormat(format: string | undefined, output: string | undefined): PredictFormat {
  if (format !== undefined) {
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl, got '${format}'`);
    return format;
  }
  return output && /\.(jsonl|ndjson)$/i.test(output) ? 'jsonl' : 'csv';
}

/** The predictions as text in `format`. */
export function formatPredictions(p: Predictions, format: PredictFormat): string {
  if (format === 'jsonl') {
    return p.rows.map((r) => JSON.stringify(Object.fromEntries(p.columns.map((c, i) => [c, r[i]])))).join('\n') + (p.rows.length ? '\n' : '');
  }
  const lines = [p.columns.map(csvCell).join(',')];
  for (const r of p.rows) lines.push(r.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
