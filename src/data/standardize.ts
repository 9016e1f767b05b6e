// Feature standardisation, fitted on the training split only and saved with a run so that
// evaluation and prediction transform their data exactly as training did.
import { DataError } from '../errors.js';
import type { Dataset, Task } from './dataset.js';

/** Plain JSON: what a run needs to prepare new data like its training data. */
export interface Preprocessing {
  features: string[];
  mean: number[];
  std: number[];
  classes?: string[];
  task: Task;
}

/**
 * Per-feature mean and (population) standard deviation of `train`. A constant column gets
 * std 1 (and its value as mean, so it becomes exactly 0); with `standardize` false every
 * mean is 0 and every std 1, so applying it only copies.
 */
export function fitPreprocessing(train: Dataset, standardize = true): Preprocessing {
  const f = train.features.length;
  const n = train.n;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(1);
  if (standardize && n > 0) {
    for (let j = 0; j < f; j++) {
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = train.x[i * f + j];
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
        const d = train.x[i * f + j] - m;
        sq += d * d;
      }
      const s = Math.sqrt(sq / n);
      mean[j] = m;
      std[j] = s > 0 && Number.isFinite(s) ? s : 1;
    }
  }
  const prep: Preprocessing = { features: train.features.slice(), mean, std, task: train.task };
  if (train.classes) prep.classes = train.classes.slice();
  return prep;
}

/**
 * A new data set with `prep`'s features (picked by name, in its order) standardised, and class
 * indices renumbered to `prep.classes` by name when the data set's own classes differ.
 */
export function applyPreprocessing(ds: Dataset, prep: Preprocessing): Dataset {
  if (ds.task !== prep.task) {
    throw new DataError(`the data are for ${ds.task} but the run was trained for ${prep.task}`, {}, 'set data.task to match the run');
  }
  const cols = prep.features.map((name) => {
    const c = ds.features.indexOf(name);
    if (c < 0) throw new DataError('feature column missing from the data', { column: name }, 'the data need the columns the run was trained on');
    return c;
  });
  const fIn = ds.features.length;
  const f = cols.length;
  const n = ds.n;
  const x = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) x[i * f + j] = (ds.x[i * fIn + cols[j]] - prep.mean[j]) / prep.std[j];
  }
  const y = remapClasses(ds, prep);
  const out: Dataset = { x, y, n, features: prep.features.slice(), task: prep.task };
  if (prep.classes) out.classes = prep.classes.slice();
  return out;
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

/** Whether `v` (e.g. parsed from a run's JSON) has the shape of a Preprocessing. */
export function isPreprocessing(v: unknown): v is Preprocessing {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  const numbers = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'number' && Number.isFinite(s));
  const f = p.features as unknown[];
  return (
    strings(p.features) &&
    numbers(p.mean) &&
    numbers(p.std) &&
    (p.mean as unknown[]).length === f.length &&
    (p.std as unknown[]).length === f.length &&
    (p.task === 'classification' || p.task === 'regression') &&
    (p.classes === undefined || strings(p.classes))
  );
}
