// Preprocessing, fitted on the training split only and saved with a run so that evaluation and
// prediction transform their data exactly as training did: per-feature standardisation for
// tables, one scale for all pixels of images.
import { DataError, oneLine } from '../errors.js';
import {
  type ColumnPrep,
  DEFAULT_MISSING_VALUES,
  type InputLayout,
  type UnseenCategories,
  columnPrepProblem,
  encodedWidth,
  inputLayout,
  keyName,
} from './columns.js';
import { gatherRows, sampleShape, sampleSize, type Dataset, type Task } from './dataset.js';
import { imageDataset, scaledValues } from './pixels.js';
import { type TargetScale, fitTargetScale, isTargetScale, standardizedTargets } from './target.js';
import { SPECIAL_TOKENS, UNK, vocabIndex } from './tokens.js';

/** Plain JSON: what a run needs to prepare new data like its training data. */
export type Preprocessing = TablePreprocessing | ImagePreprocessing | TokenPreprocessing;

/**
 * Tables: per-feature mean and std, features picked by name. Runs saved before image support
 * have no `kind`; isPreprocessing accepts them and parsePreprocessing fills it in.
 */
export interface TablePreprocessing {
  kind: 'table';
  features: string[];
  mean: number[];
  std: number[];
  classes?: string[];
  task: Task;
  /** Regression with data.standardize_target: the training split's target mean and std. */
  target?: TargetScale;
  /**
   * Per feature, its kind and fitted rules (data/columns.ts): categories, encoding, fill values.
   * Absent: every feature is a number and a missing cell is an error (and mean and std, of a
   * categorical column 0 and 1, are then of the numbers after filling).
   */
  columns?: ColumnPrep[];
  /** The cells that meant a missing value (data.missing_values), saved with `columns`. */
  missingValues?: string[];
}

/**
 * Images: every pixel becomes (value - mean) / std, with ONE mean and std for all pixels. `unit`
 * is mean 0 and std 255 (raw bytes into [0, 1]); `standardize` fits both on the training split.
 * `shape` is the shape of one sample as the model sees it.
 */
export interface ImagePreprocessing {
  kind: 'image';
  scale: ImageScale;
  mean: number;
  std: number;
  shape: number[];
  classes?: string[];
  task: 'classification';
}

export type ImageScale = 'unit' | 'standardize';

/**
 * Token ids: text split into tokens and numbered by a vocabulary fitted on the training split
 * (data/tokens.ts), or a built-in sequence task's fixed vocabulary. A loader reading new data for
 * the run splits it with `tokenizer` and `lowercase` and pads or truncates it to `length`; applying
 * it renumbers the ids by token into `vocab` (a token it lacks becoming <unk>) and checks the rest.
 */
export interface TokenPreprocessing {
  kind: 'tokens';
  /** How text is split: into characters or into words and punctuation. */
  tokenizer: 'char' | 'word';
  /** Whether text is lowercased before it is split. */
  lowercase: boolean;
  /** Every token by id: ids 0–3 are the special tokens (padding, unknown, start, end). */
  vocab: string[];
  /** The sequence length L of every sample. */
  length: number;
  /** `class`: one class per sample (`classes`); `tokens`: a label per position, labels being token ids. */
  labels: 'class' | 'tokens';
  classes?: string[];
  task: 'classification';
}

/**
 * Per-feature mean and (population) standard deviation of `train`. A constant column gets
 * std 1 (and its value as mean, so it becomes exactly 0); with `standardize` false every
 * mean is 0 and every std 1, so applying it only copies.
 */
export function fitPreprocessing(
  train: Dataset,
  standardize = true,
  standardizeTarget = false,
  rules?: { columns?: ColumnPrep[]; missingValues?: readonly string[] },
): TablePreprocessing {
  if (train.shape && sampleSize(train) !== train.features.length) {
    throw new DataError('image data need image preprocessing (fitImagePreprocessing), not per-feature statistics');
  }
  const f = train.features.length;
  const n = train.n;
  const columns = rules?.columns;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(1);
  if (standardize && n > 0) {
    for (let j = 0; j < f; j++) {
      const col = columns?.[j];
      if (col?.kind === 'categorical') continue;
      const fill = typeof col?.missing === 'object' ? col.missing.fill : NaN;
      const value = (i: number) => {
        const v = train.x[i * f + j];
        return Number.isNaN(v) ? fill : v;
      };
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = value(i);
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (min === max) {
        mean[j] = min;
        continue;
      }
      const m = sum / n;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const d = value(i) - m;
        sq += d * d;
      }
      const s = Math.sqrt(sq / n);
      mean[j] = m;
      std[j] = s > 0 && Number.isFinite(s) ? s : 1;
    }
  }
  const prep: TablePreprocessing = { kind: 'table', features: train.features.slice(), mean, std, task: train.task };
  if (train.classes) prep.classes = train.classes.slice();
  if (standardizeTarget && train.task === 'regression') prep.target = fitTargetScale(train.y, train.n);
  if (columns) {
    prep.columns = columns.map((c) => JSON.parse(JSON.stringify(c)) as ColumnPrep);
    prep.missingValues = [...(rules?.missingValues ?? DEFAULT_MISSING_VALUES)];
  }
  return prep;
}

/**
 * Image preprocessing for `train` (raw pixel values 0..255): `unit` divides by 255; `standardize`
 * uses the mean and (population) standard deviation of all of train's pixels, so fit it on the
 * training split only. A constant image set gets std 1.
 */
export function fitImagePreprocessing(train: Dataset, scale: ImageScale): ImagePreprocessing {
  if (train.task !== 'classification') throw new DataError('image data sets are for classification only');
  let mean = 0;
  let std = 255;
  const m = train.n * sampleSize(train);
  if (scale === 'standardize' && m > 0) {
    // Every pixel in row order, one row at a time: the sums round as over one float array of them.
    const row = new Float32Array(sampleSize(train));
    let sum = 0;
    for (let r = 0; r < train.n; r++) {
      gatherRows(train, null, r, 1, row);
      for (let j = 0; j < row.length; j++) sum += row[j];
    }
    mean = sum / m;
    let sq = 0;
    for (let r = 0; r < train.n; r++) {
      gatherRows(train, null, r, 1, row);
      for (let j = 0; j < row.length; j++) {
        const d = row[j] - mean;
        sq += d * d;
      }
    }
    const s = Math.sqrt(sq / m);
    std = s > 0 && Number.isFinite(s) ? s : 1;
  }
  const prep: ImagePreprocessing = { kind: 'image', scale, mean, std, shape: sampleShape(train), task: 'classification' };
  if (train.classes) prep.classes = train.classes.slice();
  return prep;
}

/**
 * A new data set with `prep`'s features (picked by name, in its order) standardised, and class
 * indices renumbered to `prep.classes` by name when the data set's own classes differ.
 */
export function applyPreprocessing(ds: Dataset, prep: Preprocessing): Dataset {
  checkTask(ds, prep);
  if (prep.kind === 'image') return applyImage(ds, prep, false);
  if (prep.kind === 'tokens') return applyTokens(ds, prep);
  return applyTable(ds, prep);
}

/**
 * As applyPreprocessing, but the floats of an image set without `pixels` are transformed in ds.x
 * itself (no second copy of a large image set). Only for data sets the caller owns and no longer
 * uses, e.g. fresh splits. (An image set stored as pixels is never copied: either way the result
 * shares its bytes with a new table of values.)
 */
export function applyPreprocessingInPlace(ds: Dataset, prep: Preprocessing): Dataset {
  checkTask(ds, prep);
  if (prep.kind === 'image') return applyImage(ds, prep, true);
  if (prep.kind === 'tokens') return applyTokens(ds, prep);
  return applyTable(ds, prep);
}

function checkTask(ds: Dataset, prep: Preprocessing): void {
  if (ds.task !== prep.task) {
    throw new DataError(`the data are for ${ds.task} but the run was trained for ${prep.task}`, {}, 'set data.task to match the run');
  }
}

/**
 * Token ids are read at the run's length, numbered by the data's own vocabulary (`ds.tokens`):
 * this checks the length and the kind of labels, renumbers the ids by token into the run's
 * vocabulary (the inputs, and the labels when they are tokens; a token the run lacks becomes
 * <unk>, padding stays 0) and classes by name. Data numbered by the run's vocabulary are kept as they are.
 */
function applyTokens(ds: Dataset, prep: TokenPreprocessing): Dataset {
  const shape = sampleShape(ds);
  if (!ds.tokens || shape.length !== 1 || shape[0] !== prep.length) {
    const got = ds.tokens ? `sequences of ${shape.join('×')} tokens` : 'not token sequences';
    throw new DataError(`the data are ${got} but the run was trained on sequences of ${prep.length} tokens`, {}, "read the data with the run's text settings");
  }
  const perToken = ds.targetShape !== undefined;
  if (perToken !== (prep.labels === 'tokens')) {
    const [got, want] = perToken ? ['a label per token', 'a class per sample'] : ['a class per sample', 'a label per token'];
    throw new DataError(`the data have ${got} but the run was trained on ${want}`, {}, "read the data with the run's data.task");
  }
  const from = ds.tokens.vocab;
  const same = from.length === prep.vocab.length && from.every((t, i) => t === prep.vocab[i]);
  const ids = same ? undefined : renumbering(from, prep.vocab);
  const x = ids ? renumbered(ds.x, ids) : ds.x;
  const y = prep.labels === 'class' ? remapClasses(ds, prep) : ids ? renumbered(ds.y, ids) : ds.y;
  const out: Dataset = { ...ds, x, y, tokens: { vocab: prep.vocab.slice() } };
  if (prep.classes) out.classes = prep.classes.slice();
  return out;
}

/** The id in `to` of each token of `from`: by name, UNK for a token `to` lacks; the special tokens keep their ids. */
function renumbering(from: readonly string[], to: readonly string[]): Int32Array {
  const index = vocabIndex(to);
  return Int32Array.from(from, (t, i) => (i < SPECIAL_TOKENS.length ? i : (index.get(t) ?? UNK)));
}

/** `ids` (floats) renumbered through `map`; an id outside it is an error of the data. */
function renumbered(ids: Float32Array, map: Int32Array): Float32Array {
  const out = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const k = map[ids[i]];
    if (k === undefined) throw new DataError(`token id ${ids[i]} is outside the data's vocabulary of ${map.length} tokens`);
    out[i] = k;
  }
  return out;
}

/** Images scaled by `prep`; the floats of a data set without pixels are written over when `inPlace`. */
function applyImage(ds: Dataset, prep: ImagePreprocessing, inPlace: boolean): Dataset {
  const shape = sampleShape(ds);
  if (!ds.shape || shape.length !== prep.shape.length || shape.some((d, i) => d !== prep.shape[i])) {
    const hint = 'use images of the size the run was trained on, with the same data.flatten';
    throw new DataError(`the data have samples of shape [${shape.join(', ')}] but the run was trained on [${prep.shape.join(', ')}]`, {}, hint);
  }
  const { mean, std } = prep;
  const y = remapClasses(ds, prep);
  const fields = { y, n: ds.n, features: [], shape: prep.shape.slice(), task: prep.task };
  const classes = prep.classes ? { classes: prep.classes.slice() } : {};
  if (ds.pixels) return imageDataset({ ...fields, ...classes }, { ...ds.pixels, values: scaledValues(ds.pixels.values, mean, std) });
  const src = ds.x;
  const out = inPlace ? src : new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (src[i] - mean) / std;
  return { x: out, ...fields, ...classes };
}

function applyTable(ds: Dataset, prep: TablePreprocessing): Dataset {
  const cols = prep.features.map((name) => {
    const c = ds.features.indexOf(name);
    if (c < 0) throw new DataError('feature column missing from the data', { column: name }, 'the data need the columns the run was trained on');
    return c;
  });
  const layout = inputLayout(prep.features, prep.columns);
  const unseen = new Map<string, UnseenCategories>();
  const enc = prep.columns ? encoders(ds, prep, cols, layout, unseen) : undefined;
  const fIn = sampleSize(ds);
  const f = cols.length;
  const w = layout.names.length;
  const n = ds.n;
  const x = new Float32Array(n * w);
  for (let i = 0; i < n; i++) {
    if (enc) for (let j = 0; j < f; j++) enc[j](i, x, i * w);
    else for (let j = 0; j < f; j++) x[i * w + j] = (ds.x[i * fIn + cols[j]] - prep.mean[j]) / prep.std[j];
  }
  const y = prep.target ? standardizedTargets(ds.y, prep.target) : remapClasses(ds, prep);
  const out: Dataset = { x, y, n, features: layout.names, task: prep.task };
  if (prep.classes) out.classes = prep.classes.slice();
  if (prep.target) out.target = { ...prep.target };
  if (unseen.size) out.unseen = [...unseen.values()];
  return out;
}

/** Writes the inputs of feature j of row i into x from `at` (plus its own offset). */
type Encoder = (i: number, x: Float32Array, at: number) => void;

/** One encoder per feature of `prep`, reading column cols[j] of ds (as read: codes, NaN for missing). */
function encoders(ds: Dataset, prep: TablePreprocessing, cols: readonly number[], layout: InputLayout, unseen: Map<string, UnseenCategories>): Encoder[] {
  const fIn = sampleSize(ds);
  let dense = 0;
  let embedded = layout.dense;
  return prep.features.map((name, j) => {
    const col = prep.columns![j];
    const c = cols[j];
    const place = (i: number) => ({ file: ds.origin?.file, row: ds.origin?.rows[i], column: oneLine(name, 60) });
    if (col.kind === 'numeric') {
      if (ds.categories?.[c])
        throw new DataError('the column holds categories, but the run was trained on numbers in it', { file: ds.origin?.file, column: oneLine(name, 60) });
      const off = dense++;
      const fill = typeof col.missing === 'object' ? col.missing.fill : NaN;
      const { mean, std } = { mean: prep.mean[j], std: prep.std[j] };
      return (i, x, at) => {
        let v = ds.x[i * fIn + c];
        if (Number.isNaN(v)) {
          if (Number.isNaN(fill)) throw new DataError('missing value', place(i), 'the run has no rule for missing cells in this column');
          v = fill;
        }
        x[at + off] = (v - mean) / std;
      };
    }
    const names = ds.categories?.[c];
    if (!names)
      throw new DataError('the column holds numbers, but the run was trained on categories in it', { file: ds.origin?.file, column: oneLine(name, 60) });
    const index = new Map(col.values.map((v, k) => [v, k]));
    const unknownAt = col.unknown === 'bucket' ? col.values.length : -1;
    // The category index of each code of this data set: -1 for a category the run does not know.
    const codeIndex = Int32Array.from(names, (v) => index.get(v) ?? unknownAt);
    const fillIndex = typeof col.missing === 'object' ? index.get(col.missing.fill)! : -1;
    const known = () => oneLine(col.values.slice(0, 20).join(', ') + (col.values.length > 20 ? ', …' : ''), 300);
    const indexOf = (i: number): number => {
      const v = ds.x[i * fIn + c];
      if (Number.isNaN(v)) {
        if (fillIndex < 0) throw new DataError('missing value', place(i), 'the run has no rule for missing cells in this column');
        return fillIndex;
      }
      const k = codeIndex[v];
      if (k === unknownAt) {
        const u = unseen.get(name);
        if (u) u.rows++;
        else unseen.set(name, { column: name, rows: 1, first: { category: names[v], file: ds.origin?.file, row: ds.origin?.rows[i] } });
      }
      if (k < 0) {
        throw new DataError(
          `unknown category '${oneLine(names[v], 60)}': the training split did not have it`,
          place(i),
          `the known categories are ${known()}; to map unseen categories to one extra input, train with data.columns.${keyName(name)}.unknown: bucket`,
        );
      }
      return k;
    };
    if (col.encoding === 'embedding') {
      const off = embedded++;
      return (i, x, at) => {
        x[at + off] = indexOf(i);
      };
    }
    const off = dense;
    dense += encodedWidth(col);
    return (i, x, at) => {
      x[at + off + indexOf(i)] = 1;
    };
  });
}

function remapClasses(ds: Dataset, prep: Preprocessing): Float32Array {
  const from = ds.classes;
  const to = prep.classes;
  if (!from || !to || (from.length === to.length && from.every((c, i) => c === to[i]))) return ds.y.slice();
  const map = new Int32Array(from.length);
  from.forEach((name, k) => {
    map[k] = to.indexOf(name);
  });
  const y = new Float32Array(ds.n);
  for (let i = 0; i < ds.n; i++) {
    const k = map[ds.y[i]];
    if (k < 0) throw new DataError(`unknown class '${from[ds.y[i]]}'`, {}, `the run knows the classes ${to.join(', ')}`);
    y[i] = k;
  }
  return y;
}

/**
 * Whether `v` (e.g. parsed from a run's JSON) has the shape of a Preprocessing. A table kind
 * without `kind` (saved before image support) is accepted; parsePreprocessing fills it in.
 */
export function isPreprocessing(v: unknown): v is Preprocessing {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  const numbers = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'number' && Number.isFinite(s));
  const finite = (a: unknown) => typeof a === 'number' && Number.isFinite(a);
  if (p.classes !== undefined && !strings(p.classes)) return false;
  if (p.kind === 'tokens') return isTokenPreprocessing(p);
  if (p.target !== undefined && (p.kind === 'image' || p.task !== 'regression' || !isTargetScale(p.target))) return false;
  if (p.kind === 'image') {
    const shape = p.shape as unknown[];
    return (
      (p.scale === 'unit' || p.scale === 'standardize') &&
      finite(p.mean) &&
      finite(p.std) &&
      (p.std as number) > 0 &&
      Array.isArray(shape) &&
      shape.length > 0 &&
      shape.every((d) => Number.isInteger(d) && (d as number) > 0) &&
      p.task === 'classification'
    );
  }
  if (p.kind !== undefined && p.kind !== 'table') return false;
  const f = p.features as unknown[];
  if (
    p.columns !== undefined &&
    !(Array.isArray(p.columns) && Array.isArray(f) && p.columns.length === f.length && p.columns.every((c) => columnPrepProblem(c) === undefined))
  )
    return false;
  if ((p.missingValues === undefined) !== (p.columns === undefined) || (p.missingValues !== undefined && !strings(p.missingValues))) return false;
  return (
    strings(p.features) &&
    numbers(p.mean) &&
    numbers(p.std) &&
    (p.mean as unknown[]).length === f.length &&
    (p.std as unknown[]).length === f.length &&
    (p.task === 'classification' || p.task === 'regression')
  );
}

function isTokenPreprocessing(p: Record<string, unknown>): boolean {
  const v = p.vocab;
  const strings = Array.isArray(v) && v.length >= 4 && v.every((t) => typeof t === 'string') && new Set(v).size === v.length;
  const classes = p.labels === 'class' ? Array.isArray(p.classes) && p.classes.every((c) => typeof c === 'string') : p.classes === undefined;
  return (
    strings &&
    classes &&
    (p.tokenizer === 'char' || p.tokenizer === 'word') &&
    typeof p.lowercase === 'boolean' &&
    Number.isInteger(p.length) &&
    (p.length as number) > 0 &&
    (p.labels === 'class' || p.labels === 'tokens') &&
    p.task === 'classification'
  );
}

/** A checked copy of `v` as a Preprocessing with its `kind` filled in, or undefined when it is not one. */
export function parsePreprocessing(v: unknown): Preprocessing | undefined {
  if (!isPreprocessing(v)) return undefined;
  const copy = JSON.parse(JSON.stringify(v)) as Preprocessing;
  if (copy.kind === undefined) (copy as TablePreprocessing).kind = 'table';
  return copy;
}
