// The train/validation split: an optional seeded shuffle, then rows held out from the end of the
// order, either the last rows whatever their class (plain) or, stratified, the last rows of each
// class in the numbers that keep every class's share of the validation set close to its share of
// the data. The rows a split draws its shuffle from come from `data.split.seed` when given, else
// from the run's seed (the caller's `split` stream).
import type { DataConfig } from '../config/schema.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { selectRows, type Dataset } from './dataset.js';
import { type FoldSpec, foldRows } from './folds.js';
import { isSequenceTask, taskPerToken } from './sequence-tasks.js';
import { textSettings } from './text.js';

export interface SplitSpec {
  /** Fraction of rows held out, in [0, 1). */
  validation: number;
  shuffle: boolean;
  /** k-fold cross-validation (folds.ts): the fold held out replaces `validation`. */
  fold?: FoldSpec;
  /** Keep each class's proportion (classification only); undefined is a plain split (runs made before stratifying). */
  stratify?: boolean;
  /** Seed of the split's shuffle; undefined: the run's seed. */
  seed?: number;
}

/**
 * Rows held out for validation: round(n · fraction), at least 1 when fraction > 0 and n ≥ 2,
 * and never all of them (training keeps at least one row).
 */
export function validationSize(n: number, fraction: number): number {
  if (!(fraction > 0) || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
}

/**
 * How many rows of each class go to validation, for class counts `counts` and `total` rows held
 * out in all. Each class gets the floor of its exact share counts[c]·total/n, then the rows still
 * missing go one by one to the classes with the largest remainder (the lower class index on a
 * tie), so each count is the floor or the ceiling of its share and they add up to `total`. Every
 * class keeps at least one training row, so a class of one sample is never held out; when that
 * leaves too few rows, the rest go to the classes furthest below their share that still have room,
 * and when no class has room the total falls short.
 */
export function stratifiedCounts(counts: readonly number[], total: number): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const share = counts.map((c) => (n > 0 ? (c * total) / n : 0));
  const room = counts.map((c) => Math.max(0, c - 1));
  const out = share.map((s, c) => Math.min(Math.floor(s), room[c]));
  let missing = total - out.reduce((a, b) => a + b, 0);
  // First up to the ceilings, then (only when some class had no room) beyond them.
  for (const beyond of [false, true]) {
    while (missing > 0) {
      let best = -1;
      for (let c = 0; c < counts.length; c++) {
        if (out[c] >= room[c] || (!beyond && out[c] >= Math.ceil(share[c]))) continue;
        if (best < 0 || share[c] - out[c] > share[best] - out[best]) best = c;
      }
      if (best < 0) break;
      out[best]++;
      missing--;
    }
  }
  return out;
}

/**
 * Splits `ds` into new train and validation sets; draws from `rng` only when shuffling. The
 * windows of one text (`ds.ordered`) are never shuffled: validation is the end of the text, and
 * a cross-validation fold is one stretch of it (fold i of k: the i-th k-th). Labels
 * per token (`ds.targetShape`) are not one class per sample, so they are never stratified. Token
 * data keep the samples with the same input on one side (groupedOrder): a validation sample is
 * never one the model trained on, however often a short sequence recurs.
 */
export function splitDataset(ds: Dataset, spec: SplitSpec, rng: Rng): { train: Dataset; val: Dataset } {
  const order = new Uint32Array(ds.n);
  for (let i = 0; i < ds.n; i++) order[i] = i;
  const shuffler = spec.seed === undefined ? rng : new Rng(streamSeed(spec.seed, 'split'));
  if (spec.shuffle && !ds.ordered) shuffler.shuffle(order);
  const byClass = ds.task === 'classification' && !ds.targetShape;
  if (spec.fold && ds.ordered) {
    // Folds of one text are stretches of it, one after another: fold i is the i-th of k parts.
    const { k, index } = spec.fold;
    const from = Math.round(((index - 1) * ds.n) / k);
    const to = Math.round((index * ds.n) / k);
    const train = Uint32Array.from([...order.subarray(0, from), ...order.subarray(to)]);
    return { train: selectRows(ds, train), val: selectRows(ds, order.subarray(from, to)) };
  }
  if (spec.fold) {
    const { train, val } = foldRows(order, spec.fold, byClass ? ds.y : undefined);
    return { train: selectRows(ds, train), val: selectRows(ds, val) };
  }
  const held = validationSize(ds.n, spec.validation);
  // Only when some input recurs: with every input distinct, the split is the one below.
  const groups = ds.tokens && !ds.ordered ? inputGroups(ds) : undefined;
  if (groups && groups.size.length < ds.n) {
    const { train, val } = groupedOrder(groups, order, held, spec.stratify && byClass ? ds.y : undefined, spec.shuffle ? shuffler : undefined);
    return { train: selectRows(ds, train), val: selectRows(ds, val) };
  }
  if (!spec.stratify || !byClass) {
    const nTrain = ds.n - held;
    return { train: selectRows(ds, order.subarray(0, nTrain)), val: selectRows(ds, order.subarray(nTrain)) };
  }
  const { train, val } = stratifiedOrder(ds.y, order, held);
  return { train: selectRows(ds, train), val: selectRows(ds, val) };
}

/** How many rows of each class (labels 0 … k−1) validation holds: stratifiedCounts of the class counts. */
function classShares(labels: ArrayLike<number>, held: number): number[] {
  let k = 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return stratifiedCounts(counts, held);
}

/** A group id per row of token data: rows with the same ids share one. */
function inputGroups(ds: Dataset): { of: Int32Array; size: number[] } {
  const L = ds.n > 0 ? ds.x.length / ds.n : 0;
  const ids = new Map<string, number>();
  const of = new Int32Array(ds.n);
  const size: number[] = [];
  for (let r = 0; r < ds.n; r++) {
    const key = ds.x.subarray(r * L, (r + 1) * L).join(',');
    let g = ids.get(key);
    if (g === undefined) {
      g = size.length;
      ids.set(key, g);
      size.push(0);
    }
    of[r] = g;
    size[g]++;
  }
  return { of, size };
}

/**
 * The rows of `order` split with every group on one side. The groups, in the order their first
 * rows come (shuffled by `rng` when given), are taken from the last: a group goes to validation when
 * all its rows fit in what is still wanted (of its class, with `labels`: stratifiedCounts shares),
 * else to training. Every group is as likely to be held out, so each row is too (a short sequence
 * that recurs goes with all its copies): validation holds at most `held` rows, fewer when the
 * groups left do not fit exactly. Both parts keep the order's sequence.
 */
function groupedOrder(
  groups: { of: Int32Array; size: number[] },
  order: Uint32Array,
  held: number,
  labels: ArrayLike<number> | undefined,
  rng: Rng | undefined,
): { train: Uint32Array; val: Uint32Array } {
  const want = labels ? classShares(labels, held) : [held];
  // Each group once, in the order its first row comes, with the class of that row.
  const first = new Int32Array(groups.size.length).fill(-1);
  const list: number[] = [];
  for (const r of order) {
    const g = groups.of[r];
    if (first[g] < 0) {
      first[g] = r;
      list.push(g);
    }
  }
  const sequence = Uint32Array.from(list);
  if (rng) rng.shuffle(sequence);
  const isVal = new Uint8Array(groups.size.length);
  for (let i = sequence.length - 1; i >= 0; i--) {
    const g = sequence[i];
    const c = labels ? labels[first[g]] : 0;
    if (want[c] >= groups.size[g]) {
      want[c] -= groups.size[g];
      isVal[g] = 1;
    }
  }
  const train: number[] = [];
  const val: number[] = [];
  for (const r of order) (isVal[groups.of[r]] ? val : train).push(r);
  return { train: Uint32Array.from(train), val: Uint32Array.from(val) };
}

/**
 * The rows of `order` split so that each class has its stratifiedCounts share in validation: the
 * last rows of each class in the order are held out; both parts keep the order's sequence.
 */
function stratifiedOrder(labels: ArrayLike<number>, order: Uint32Array, held: number): { train: Uint32Array; val: Uint32Array } {
  const want = classShares(labels, held);
  const isVal = new Uint8Array(order.length);
  let nVal = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const c = labels[order[i]];
    if (want[c] > 0) {
      want[c]--;
      isVal[i] = 1;
      nVal++;
    }
  }
  const train = new Uint32Array(order.length - nVal);
  const val = new Uint32Array(nVal);
  let t = 0;
  let v = 0;
  for (let i = 0; i < order.length; i++) {
    if (isVal[i]) val[v++] = order[i];
    else train[t++] = order[i];
  }
  return { train, val };
}

/** The task of a data config, known without reading data: csv says it, linear is regression, every other source classification. */
function taskOfData(cfg: DataConfig): 'classification' | 'regression' {
  if (cfg.source === 'csv') return cfg.task;
  return cfg.source === 'linear' ? 'regression' : 'classification';
}

/**
 * The split a new run records: `stratify` made explicit (true for classification unless the
 * config says otherwise), so that its config.json says how it was split. A run saved before this
 * key existed has none, and is split as it was: plainly.
 */
export function withStratifyDefault<T extends DataConfig>(cfg: T): T {
  if (cfg.split.stratify !== undefined) return cfg;
  // A label per token (a sequence task's, a language model's) is no class per sample to stratify by.
  const perToken = (isSequenceTask(cfg) && taskPerToken(cfg.source)) || (cfg.source === 'text' && textSettings(cfg).task === 'language_model');
  return { ...cfg, split: { ...cfg.split, stratify: taskOfData(cfg) === 'classification' && !perToken } };
}

/**
 * The data config a new run records: `standardize_target` made explicit (true for regression
 * unless the config says otherwise). A run saved before this key existed has none, and its
 * target is used as it is.
 */
export function withTargetDefault<T extends DataConfig>(cfg: T): T {
  if (cfg.source === 'idx' || cfg.source === 'text' || isSequenceTask(cfg) || cfg.standardize_target !== undefined) return cfg;
  return { ...cfg, standardize_target: taskOfData(cfg) === 'regression' };
}
