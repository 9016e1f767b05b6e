// Ranking metrics of a binary classifier from its scores (any value that grows with the
// probability of the positive class: a logit, a logit difference, a probability) and 0/1 labels.
// Samples with equal scores form one threshold: the curves step over distinct scores only, so
// ties are counted as the average of their orderings, never in the order the samples came.

/** Indices of `scores` from the highest score to the lowest (a stable order; ties are grouped below). */
function descending(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * The cumulative true and false positives at each distinct score, from the highest down: point i
 * counts the samples scoring at least the i-th highest distinct score.
 */
export function thresholdCounts(scores: ArrayLike<number>, labels: ArrayLike<number>): { tp: number[]; fp: number[] } {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  const idx = descending(scores);
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let i = 0; i < idx.length; i++) {
    if (labels[idx[i]] === 1) t++;
    else f++;
    // Close the group when the next score differs (or at the end).
    if (i + 1 === idx.length || scores[idx[i + 1]] !== scores[idx[i]]) {
      tp.push(t);
      fp.push(f);
    }
  }
  return { tp, fp };
}

/**
 * Area under the ROC curve by the trapezoid rule over the distinct scores: the probability that a
 * random positive scores above a random negative, counting a tie as one half (the Mann-Whitney U
 * statistic with average ranks, divided by positives × negatives). NaN when either class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { tp, fp } = thresholdCounts(scores, labels);
  const p = tp.length ? tp[tp.length - 1] : 0;
  const n = fp.length ? fp[fp.length - 1] : 0;
  if (p === 0 || n === 0) return NaN;
  let area = 0;
  let tPrev = 0;
  let fPrev = 0;
  for (let i = 0; i < tp.length; i++) {
    area += ((fp[i] - fPrev) * (tp[i] + tPrev)) / 2;
    tPrev = tp[i];
    fPrev = fp[i];
  }
  return area / (p * n);
}

/**
 * Average precision, the area under the precision-recall curve as a step function: the sum over
 * the distinct scores of (gain in recall) × (precision at that score), with tied samples entering
 * together. No interpolation, so it is not the optimistic trapezoid. NaN when there are no positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { tp, fp } = thresholdCounts(scores, labels);
  const p = tp.length ? tp[tp.length - 1] : 0;
  if (p === 0) return NaN;
  let ap = 0;
  let tPrev = 0;
  for (let i = 0; i < tp.length; i++) {
    if (tp[i] > tPrev) ap += ((tp[i] - tPrev) / p) * (tp[i] / (tp[i] + fp[i]));
    tPrev = tp[i];
  }
  return ap;
}
