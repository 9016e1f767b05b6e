// Ordinary least squares by the normal equations, as a reference for regression tests: the
// coefficients of y ≈ b0 + X·b, R² of such a fit on other rows, and that R² for the validation
// split of a saved run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/config/schema.js';
import type { Dataset } from '../src/data/dataset.js';
import { loadDataset } from '../src/data/load.js';
import { splitDataset } from '../src/data/split.js';
import { Rng, streamSeed } from '../src/tensor/rng.js';

/** Rows of features and targets. */
export interface Rows {
  x: number[][];
  y: number[];
}

/** Coefficients [b0, b1, …] minimising the squared error on `train` (Gaussian elimination with partial pivoting). */
export function olsFit(train: Rows): number[] {
  const p = train.x[0].length + 1;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  train.x.forEach((row, i) => {
    const z = [1, ...row];
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) a[r][c] += z[r] * z[c];
      a[r][p] += z[r] * train.y[i];
    }
  });
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= p; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[p] / row[i]);
}

/** R² of coefficients `b` on `rows`: 1 − SS_res / SS_tot. */
export function r2Of(b: number[], rows: Rows): number {
  const mean = rows.y.reduce((s, v) => s + v, 0) / rows.y.length;
  let res = 0;
  let tot = 0;
  rows.x.forEach((row, i) => {
    const pred = row.reduce((s, v, j) => s + v * b[j + 1], b[0]);
    res += (rows.y[i] - pred) ** 2;
    tot += (rows.y[i] - mean) ** 2;
  });
  return 1 - res / tot;
}

/** The rows of a table data set as arrays. */
export function rowsOf(ds: Dataset): Rows {
  const f = ds.features.length;
  return { x: Array.from({ length: ds.n }, (_, i) => Array.from(ds.x.subarray(i * f, (i + 1) * f))), y: Array.from(ds.y) };
}

/** Validation R² of least squares fitted on the training split of the run at `run` (split as it was). */
export function olsR2OfRun(run: string): number {
  const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Config;
  const { train, val } = splitDataset(loadDataset(cfg.data, cfg.seed), cfg.data.split, new Rng(streamSeed(cfg.seed, 'split')));
  return r2Of(olsFit(rowsOf(train)), rowsOf(val));
}
