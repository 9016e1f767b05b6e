// The train/validation split: an optional seeded shuffle, then the last rows of the order held out.
import type { Rng } from '../tensor/rng.js';
import { selectRows, type Dataset } from './dataset.js';
import { type FoldSpec, foldRows } from './folds.js';

export interface SplitSpec {
  /** Fraction of rows held out, in [0, 1). */
  validation: number;
  shuffle: boolean;
  /** k-fold cross-validation (folds.ts): the fold held out replaces `validation`. */
  fold?: FoldSpec;
}

/**
 * Rows held out for validation: round(n · fraction), at least 1 when fraction > 0 and n ≥ 2,
 * and never all of them (training keeps at least one row).
 */
export function validationSize(n: number, fraction: number): number {
  if (!(fraction > 0) || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
}

/** Splits `ds` into new train and validation sets; draws from `rng` only when shuffling. */
export function splitDataset(ds: Dataset, spec: SplitSpec, rng: Rng): { train: Dataset; val: Dataset } {
  const order = new Uint32Array(ds.n);
  for (let i = 0; i < ds.n; i++) order[i] = i;
  if (spec.shuffle) rng.shuffle(order);
  if (spec.fold) {
    const { train, val } = foldRows(order, spec.fold, ds.task === 'classification' ? ds.y : undefined);
    return { train: selectRows(ds, train), val: selectRows(ds, val) };
  }
  const nTrain = ds.n - validationSize(ds.n, spec.validation);
  return { train: selectRows(ds, order.subarray(0, nTrain)), val: selectRows(ds, order.subarray(nTrain)) };
}
