// The baselines the shipped text configs must beat on their held-out splits: for the names
// classifier (configs/names-classify.yaml) a bag-of-tokens logistic regression, for the Moby-Dick
// language model (configs/moby-dick-lm.yaml) the unigram model of the training text. The data section and seed are read from the
// config itself (not its model, which needs the recurrent layers), the vocabulary is fitted on the
// training split as for the model, and each name becomes the counts of its tokens (characters,
// lowercased, as the config says). The regression is fitted exactly by Newton's method with a
// small L2 penalty, so the number is a property of the data, not of a learning rate or a seed.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DataSchema } from '../../src/config/schema.js';
import { loadData } from '../../src/data/load.js';
import type { TokenPreprocessing } from '../../src/data/standardize.js';
import type { Dataset } from '../../src/data/types.js';
import { repo } from '../cli/helpers.js';
import { MOBY_UNIGRAM_PERPLEXITY, NAMES_BOW_BASELINE } from './text-baselines.js';

/** Token counts of each sample (ids 1 … V-1; padding is not a token), plus a constant 1 for the intercept. */
function bagOfTokens(ds: Dataset, vocab: number): Float64Array[] {
  const L = ds.shape![0];
  const rows: Float64Array[] = [];
  for (let i = 0; i < ds.n; i++) {
    const f = new Float64Array(vocab);
    f[0] = 1; // the intercept sits where padding would
    for (let j = 0; j < L; j++) {
      const id = ds.x[i * L + j];
      if (id !== 0) f[id]++;
    }
    rows.push(f);
  }
  return rows;
}

/** Solves A x = b (A symmetric positive definite, overwritten) by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(A[i][k]) > Math.abs(A[p][k])) p = i;
    [A[k], A[p]] = [A[p], A[k]];
    [b[k], b[p]] = [b[p], b[k]];
    for (let i = k + 1; i < n; i++) {
      const m = A[i][k] / A[k][k];
      for (let j = k; j < n; j++) A[i][j] -= m * A[k][j];
      b[i] -= m * b[k];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= A[i][j] * x[j];
    x[i] = s / A[i][i];
  }
  return x;
}

/** Binary logistic regression, the sum of log-losses plus lambda/2·|w|² (the intercept not penalised), by Newton steps. */
function fitLogistic(X: Float64Array[], y: ArrayLike<number>, lambda: number, steps = 25): Float64Array {
  const d = X[0].length;
  const w = new Float64Array(d);
  for (let s = 0; s < steps; s++) {
    const g = new Float64Array(d);
    const H = Array.from({ length: d }, () => new Float64Array(d));
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * x[j];
      const p = 1 / (1 + Math.exp(-z));
      const r = p - y[i];
      const q = p * (1 - p);
      for (let j = 0; j < d; j++) {
        if (x[j] === 0) continue;
        g[j] += r * x[j];
        for (let k = 0; k < d; k++) if (x[k] !== 0) H[j][k] += q * x[j] * x[k];
      }
    }
    for (let j = 1; j < d; j++) {
      g[j] += lambda * w[j];
      H[j][j] += lambda;
    }
    for (let j = 0; j < d; j++) if (H[j][j] === 0) H[j][j] = 1; // a token never seen: no step
    const step = solve(H, g);
    for (let j = 0; j < d; j++) w[j] -= step[j];
  }
  return w;
}

function accuracy(X: Float64Array[], y: ArrayLike<number>, w: Float64Array): number {
  let right = 0;
  for (let i = 0; i < X.length; i++) {
    let z = 0;
    for (let j = 0; j < w.length; j++) z += w[j] * X[i][j];
    if ((z > 0 ? 1 : 0) === y[i]) right++;
  }
  return right / X.length;
}

/** The data section of a shipped config, read as that config's run reads it (its seed, its split). */
function shippedData(name: string) {
  const file = repo('configs', name);
  const raw = parse(readFileSync(file, 'utf8')) as { seed?: number; data: { path: string } };
  const data = DataSchema.parse({ ...raw.data, path: `${dirname(file)}/${raw.data.path}` });
  return { data, ...loadData(data, raw.seed ?? 0) };
}

describe('the bag-of-tokens baseline of the names classifier', () => {
  const { data, train, val, preprocessing } = shippedData('names-classify.yaml');
  const prep = preprocessing as TokenPreprocessing;

  it('splits the names as the config does: two classes, a fifth held out', () => {
    expect(prep.classes).toEqual(['female', 'male']);
    expect(train.n + val.n).toBe(8003);
    expect(val.n).toBe(Math.round(8003 * (data.split.validation ?? 0)));
  });

  it(`reaches ${NAMES_BOW_BASELINE} on the held-out split (the majority class: 0.569)`, () => {
    const Xtrain = bagOfTokens(train, prep.vocab.length);
    const Xval = bagOfTokens(val, prep.vocab.length);
    const w = fitLogistic(Xtrain, train.y, 1);
    const trainAcc = accuracy(Xtrain, train.y, w);
    const valAcc = accuracy(Xval, val.y, w);
    let female = 0;
    for (let i = 0; i < val.n; i++) if (val.y[i] === 0) female++;
    console.log(
      `bag-of-tokens logistic regression: train ${trainAcc.toFixed(4)}, validation ${valAcc.toFixed(4)}; majority class ${(female / val.n).toFixed(4)}`,
    );
    expect(valAcc).toBeCloseTo(NAMES_BOW_BASELINE, 4);
    expect(valAcc).toBeGreaterThan(female / val.n);
  });
});

describe('the unigram baseline of the Moby-Dick language model', () => {
  const { train, val, preprocessing } = shippedData('moby-dick-lm.yaml');
  const prep = preprocessing as TokenPreprocessing;

  it('holds out the end of the text: the last tenth of the windows', () => {
    expect(prep.labels).toBe('tokens');
    expect(val.n).toBe(Math.round((train.n + val.n) * 0.1));
  });

  it(`has a validation perplexity of ${MOBY_UNIGRAM_PERPLEXITY}`, () => {
    // Token frequencies of the training labels, add-one smoothed over every id a label can be
    // (all but padding, <s> and </s>): the model that knows how common each character is, not its context.
    const V = prep.vocab.length;
    const counts = new Float64Array(V);
    let total = 0;
    for (const id of train.y)
      if (id !== 0) {
        counts[id]++;
        total++;
      }
    const labels = V - 3;
    let nll = 0;
    let n = 0;
    for (const id of val.y) {
      if (id === 0) continue;
      nll -= Math.log((counts[id] + 1) / (total + labels));
      n++;
    }
    const perplexity = Math.exp(nll / n);
    console.log(`unigram model: validation perplexity ${perplexity.toFixed(3)} over ${n} tokens`);
    expect(perplexity).toBeCloseTo(MOBY_UNIGRAM_PERPLEXITY, 3);
  });
});
