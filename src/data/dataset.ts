// The in-memory data set every loader produces (its type is in types.ts), reading its rows as
// floats, and the CSV-to-data-set conversion: feature columns chosen by name, numeric cells
// checked, classification labels mapped to indices in sorted order.
import type { DataConfig } from '../config/schema.js';
import { DataError, oneLine } from '../errors.js';
import { csvFile, readCsvTable, type CsvTable } from './csv.js';
import { gatherPixels, imageDataset, selectPixels } from './pixels.js';
import { columnHint } from './suggest.js';
import { DECIMAL, FLOAT32_MAX, numberProblem, parseNumber, sortClasses } from './cells.js';
import { type ReadRules, columnKind, configReadRules, keyName, missingCell } from './columns.js';
import type { Dataset, Task } from './types.js';

export { FLOAT32_MAX, sortClasses };
export type { Dataset, Task };

/** The shape of one sample of `ds` (a new array). */
export function sampleShape(ds: Pick<Dataset, 'shape' | 'features'>): number[] {
  return ds.shape ? ds.shape.slice() : [ds.features.length];
}

/** The number of values in one sample of `ds`. */
export function sampleSize(ds: Pick<Dataset, 'shape' | 'features'>): number {
  return ds.shape ? ds.shape.reduce((a, b) => a * b, 1) : ds.features.length;
}

export type CsvDataConfig = Extract<DataConfig, { source: 'csv' }>;
/** What fromCsv needs from the csv data config. */
export type CsvSpec = Pick<CsvDataConfig, 'label' | 'features' | 'task'> & Partial<Pick<CsvDataConfig, 'missing_values' | 'missing' | 'columns'>>;

/**
 * Reads a CSV file into a Dataset. With `classes` (e.g. saved with a run), labels are mapped to
 * those indices and an unknown label is an error; without, the classes are the sorted labels.
 * `rules` say how to read the feature columns (default: data.missing_values, data.missing and
 * data.columns of `cfg`).
 */
export function fromCsv(cfg: CsvSpec, path: string, classes?: readonly string[], key = 'data.path', rules?: ReadRules): Dataset {
  return fromTable(readCsvTable(path, csvFile(key)), cfg, path, classes, rules);
}

/**
 * The pure part of fromCsv: a parsed table to a Dataset; `file` names the source in errors. A
 * categorical column's cells are codes into `categories` (in order of first appearance), a
 * missing cell that its rule keeps is NaN, and a row that a drop rule leaves out is not there.
 */
export function fromTable(table: CsvTable, cfg: CsvSpec, file: string, classes?: readonly string[], rules: ReadRules = configReadRules(cfg)): Dataset {
  const { header, rows } = table;
  const labelCol = columnIndex(header, cfg.label, 'label', file);
  const featureCols = featureColumns(header, cfg, labelCol, file);
  const read = readFeatures(table, featureCols, file, rules);
  const keep = read.keep;
  const labelMissing = (r: number) => rules.missingValues.has(rows[r][labelCol].trim());
  if (rules.label === 'drop') for (let r = 0; r < rows.length; r++) if (labelMissing(r)) keep[r] = 0;
  const kept = keptRows(keep);
  const n = kept.length;
  const f = featureCols.length;
  const x = n === rows.length ? read.x : new Float32Array(n * f);
  if (x !== read.x) for (let i = 0; i < n; i++) x.set(read.x.subarray(kept[i] * f, (kept[i] + 1) * f), i * f);
  const origin = { file, rows: Int32Array.from(kept, (r) => r + 2) };
  const extra: Partial<Dataset> = { origin };
  if (read.categories.some((c) => c !== null)) extra.categories = read.categories;

  const features = featureCols.map((c) => header[c]);
  if (cfg.task === 'regression') {
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = kept[i];
      const cell = rows[r][labelCol];
      if (labelMissing(r)) throw missingLabel(cell, file, r, cfg.label, rules);
      const v = parseNumber(cell);
      if (Number.isNaN(v)) throw notNumber(cell, file, r, cfg.label, 'a regression target must be a number');
      y[i] = v;
    }
    return { x, y, n, features, task: 'regression', ...extra };
  }
  const { y, names } = classLabels(rows, kept, labelCol, cfg.label, file, rules, classes);
  return { x, y, n, features, task: 'classification', classes: names, ...extra };
}

/** The features of a table read under `rules`: values (codes for categories, NaN when missing), categories, rows kept. */
export function readFeatures(
  table: CsvTable,
  featureCols: readonly number[],
  file: string,
  rules: ReadRules,
): { x: Float32Array; categories: (string[] | null)[]; keep: Uint8Array } {
  const { header, rows } = table;
  const n = rows.length;
  const f = featureCols.length;
  const missing = rules.missingValues;
  const colRules = featureCols.map((c) => rules.rule(header[c]));
  const kinds = featureCols.map((c, j) => columnKind(rows, c, colRules[j], missing));
  const codes = kinds.map((k) => (k === 'categorical' ? new Map<string, number>() : null));
  const x = new Float32Array(n * f);
  const keep = new Uint8Array(n).fill(1);
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    for (let j = 0; j < f; j++) {
      const c = featureCols[j];
      const cell = row[c];
      const trimmed = cell.trim();
      if (missing.has(trimmed)) {
        const m = colRules[j].missing;
        if (m === 'error') throw missingCell(cell, file, r + 2, header[c], rules);
        if (m === 'drop') keep[r] = 0;
        x[r * f + j] = NaN;
        continue;
      }
      const map = codes[j];
      if (map) {
        let k = map.get(trimmed);
        if (k === undefined) map.set(trimmed, (k = map.size));
        x[r * f + j] = k;
        continue;
      }
      const v = parseNumber(cell);
      if (Number.isNaN(v)) throw notNumber(cell, file, r, header[c], 'feature cells must be numbers', rules);
      x[r * f + j] = v;
    }
  }
  return { x, categories: codes.map((m) => (m ? [...m.keys()] : null)), keep };
}

function keptRows(keep: Uint8Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < keep.length; r++) if (keep[r]) out.push(r);
  return out;
}

/**
 * The rows of `ds` at `indices`, in that order, as a new data set. An image set's pixels are not
 * copied: the new set has its own row index into the same bytes.
 */
export function selectRows(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const f = sampleSize(ds);
  const n = indices.length;
  if (ds.pixels) {
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = ds.y[indices[i]];
    const fields = { y, n, features: ds.features.slice(), shape: sampleShape(ds), task: ds.task };
    return imageDataset(ds.classes ? { ...fields, classes: ds.classes.slice() } : fields, selectPixels(ds.pixels, indices));
  }
  const x = new Float32Array(n * f);
  // Labels per sample: one, or a row of targetShape's size (a label per token).
  const t = ds.targetShape ? ds.targetShape.reduce((a, b) => a * b, 1) : 1;
  const y = new Float32Array(n * t);
  for (let i = 0; i < n; i++) {
    const src = indices[i];
    if (f > 64)
      x.set(ds.x.subarray(src * f, (src + 1) * f), i * f); // images: one block copy per row
    else for (let j = 0, from = src * f, to = i * f; j < f; j++) x[to + j] = ds.x[from + j];
    if (t === 1) y[i] = ds.y[src];
    else for (let j = 0, from = src * t, to = i * t; j < t; j++) y[to + j] = ds.y[from + j];
  }
  const out: Dataset = { x, y, n, features: ds.features.slice(), task: ds.task };
  if (ds.targetShape) out.targetShape = ds.targetShape.slice();
  if (ds.tokens) out.tokens = { vocab: ds.tokens.vocab.slice() };
  if (ds.shape) out.shape = ds.shape.slice();
  if (ds.targetShape) out.targetShape = ds.targetShape.slice();
  if (ds.tokens) out.tokens = { vocab: ds.tokens.vocab };
  if (ds.ordered) out.ordered = true;
  if (ds.classes) out.classes = ds.classes.slice();
  if (ds.target) out.target = { ...ds.target };
  if (ds.categories) out.categories = ds.categories.map((c) => (c ? c.slice() : null));
  if (ds.origin) out.origin = { file: ds.origin.file, rows: Int32Array.from(indices, (i) => ds.origin!.rows[i]) };
  return out;
}

/**
 * Writes the values of rows order[start .. start+count) of `ds` (rows start .. without an order)
 * into dst from `at` on, row after row. Allocates nothing, so it can fill a batch every step.
 */
export function gatherRows(ds: Dataset, order: ArrayLike<number> | null, start: number, count: number, dst: Float32Array, at = 0): void {
  const f = sampleSize(ds);
  if (ds.pixels) {
    gatherPixels(ds.pixels, f, order, start, count, dst, at);
    return;
  }
  const src = ds.x;
  for (let r = 0; r < count; r++) {
    const i = order ? order[start + r] : start + r;
    // An index loop rather than set(subarray()): no view object per sample.
    for (let c = 0, s = i * f, d = at + r * f; c < f; c++) dst[d + c] = src[s + c];
  }
}

function notNumber(cell: string, file: string, r: number, column: string, hint: string, rules?: ReadRules): DataError {
  const empty = cell.trim() === '';
  let h = empty ? 'missing values are not supported; fill in or drop the row' : DECIMAL.test(cell) ? 'values must be finite in float32' : hint;
  if (rules?.fromConfig && !empty && !DECIMAL.test(cell)) {
    const key = keyName(column);
    h = `most cells of the column are numbers; if '${oneLine(cell.trim(), 40)}' means a missing value, list it in data.missing_values; if the column holds categories, set data.columns.${key}.type: categorical`;
  }
  return new DataError(numberProblem(cell), { file, row: r + 2, column: oneLine(column, 60) }, h);
}

function missingLabel(cell: string, file: string, r: number, column: string, rules: ReadRules): DataError {
  const what = cell.trim() === '' ? 'empty label' : `missing label '${oneLine(cell.trim(), 40)}'`;
  const hint = rules.fromConfig ? `every row needs a label; leave such rows out with data.columns.${keyName(column)}.missing: drop` : 'every row needs a label';
  return new DataError(what, { file, row: r + 2, column: oneLine(column, 60) }, hint);
}

function columnIndex(header: string[], name: string, what: string, file: string): number {
  const i = header.indexOf(name);
  // The header is line 1 of the file: the place to look for the column.
  if (i < 0) throw new DataError(`${what} column not found`, { file, line: 1, column: oneLine(name, 60) }, columnHint(name, header));
  return i;
}

function featureColumns(header: string[], cfg: CsvSpec, labelCol: number, file: string): number[] {
  if (cfg.features === undefined) {
    const cols: number[] = [];
    for (let c = 0; c < header.length; c++) if (c !== labelCol) cols.push(c);
    if (cols.length === 0) {
      throw new DataError('no feature columns: the file has only the label column', { file, column: cfg.label });
    }
    return cols;
  }
  const seen = new Set<string>();
  return cfg.features.map((name) => {
    if (seen.has(name)) throw new DataError('feature column listed twice in data.features', { file, column: name }, 'remove the duplicate from data.features');
    seen.add(name);
    const c = columnIndex(header, name, 'feature', file);
    if (c === labelCol) {
      throw new DataError('the label column is also listed as a feature', { file, column: name }, 'remove it from data.features');
    }
    return c;
  });
}

/** Class names in sorted order (numerically when every label is a number) and the index of each kept row. */
function classLabels(
  rows: string[][],
  kept: readonly number[],
  col: number,
  column: string,
  file: string,
  rules: ReadRules,
  given?: readonly string[],
): { y: Float32Array; names: string[] } {
  const n = kept.length;
  const labels = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = kept[i];
    labels[i] = rows[r][col].trim();
    if (labels[i] === '')
      throw new DataError(
        'empty label',
        { file, row: r + 2, column },
        rules.fromConfig ? `every row needs a label; leave such rows out with data.columns.${keyName(column)}.missing: drop` : 'every row needs a label',
      );
    if (rules.missingValues.has(labels[i])) throw missingLabel(rows[r][col], file, r, column, rules);
  }
  const names = given ? given.slice() : sortClasses([...new Set(labels)]);
  const index = new Map<string, number>();
  names.forEach((name, i) => index.set(name, i));
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = index.get(labels[i]);
    if (k === undefined) {
      throw new DataError(
        `unknown class '${oneLine(labels[i], 60)}'`,
        { file, row: kept[i] + 2, column: oneLine(column, 60) },
        `the known classes are ${oneLine(names.join(', '), 300)}`,
      );
    }
    y[i] = k;
  }
  return { y, names };
}
