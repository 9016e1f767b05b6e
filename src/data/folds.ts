// k-fold cross-validation splits (`data.split.fold`, set by `dlf cv`): the rows, in the order the
// split put them (shuffled or not), are dealt to k folds in turn. For classification the rows are
// dealt class by class, so every fold holds each class in proportion (counts differ by at most one
// per class) and the fold sizes differ by at most one. Pure functions of the order and the labels.

export interface FoldSpec {
  /** Number of folds, at least 2. */
  k: number;
  /** The fold held out for validation, from 1 to k. */
  index: number;
}

/**
 * The fold (0 to k-1) of each position of `order`. `labels` (class indices; omit for regression)
 * makes the assignment stratified: each class's rows, in `order`, are dealt to the folds in turn,
 * continuing where the previous class stopped.
 */
export function foldOf(order: ArrayLike<number>, k: number, labels?: ArrayLike<number>): Uint32Array {
  const folds = new Uint32Array(order.length);
  const positions = Array.from({ length: order.length }, (_, p) => p);
  if (labels) {
    // Stable: rows keep their relative order within a class.
    positions.sort((a, b) => labels[order[a]] - labels[order[b]] || a - b);
  }
  positions.forEach((p, dealt) => (folds[p] = dealt % k));
  return folds;
}

/** Splits `order` into the rows of fold `spec.index` (validation) and the rest (training), keeping the order. */
export function foldRows(order: ArrayLike<number>, spec: FoldSpec, labels?: ArrayLike<number>): { train: Uint32Array; val: Uint32Array } {
  const folds = foldOf(order, spec.k, labels);
  const held = spec.index - 1;
  const train: number[] = [];
  const val: number[] = [];
  for (let p = 0; p < order.length; p++) (folds[p] === held ? val : train).push(order[p]);
  return { train: Uint32Array.from(train), val: Uint32Array.from(val) };
}
