// Per-class precision, recall, F1 and support from a confusion matrix, with their macro and
// weighted averages: the table `dlf eval` prints, and the macro values the training metrics log.

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Samples whose true class this is (for an average: all samples of the classes it covers). */
  support: number;
}

export interface ClassReport {
  /** One entry per class index, in order. */
  classes: ClassScores[];
  /** The plain mean over the classes present (among the labels or the predictions). */
  macro: ClassScores;
  /** The mean weighted by support. */
  weighted: ClassScores;
}

/**
 * The report of a k×k confusion matrix `conf` ([true class · k + predicted class] counts).
 * Per class: precision = TP / predicted (0 for a class never predicted), recall = TP / actual (0
 * for a class with no samples), F1 = 2PR / (P + R) (0 when P + R = 0). The macro average skips a
 * class absent from both the labels and the predictions (e.g. missing from a small split) rather
 * than count it as 0, as scikit-learn does without an explicit label list; its F1 is the mean of
 * the F1s, not the F1 of the mean precision and recall. With no samples every average is NaN.
 */
export function classReport(conf: ArrayLike<number>, k: number): ClassReport {
  const classes: ClassScores[] = [];
  const macro = { precision: 0, recall: 0, f1: 0, support: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0, support: 0 };
  let present = 0;
  for (let c = 0; c < k; c++) {
    let actual = 0; // row sum
    let predicted = 0; // column sum
    for (let j = 0; j < k; j++) {
      actual += conf[c * k + j];
      predicted += conf[j * k + c];
    }
    const tp = conf[c * k + c];
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    classes.push({ precision, recall, f1, support: actual });
    if (actual === 0 && predicted === 0) continue;
    present++;
    macro.precision += precision;
    macro.recall += recall;
    macro.f1 += f1;
    weighted.precision += precision * actual;
    weighted.recall += recall * actual;
    weighted.f1 += f1 * actual;
    weighted.support += actual;
  }
  const n = weighted.support;
  return {
    classes,
    macro: { precision: macro.precision / present, recall: macro.recall / present, f1: macro.f1 / present, support: n },
    weighted: { precision: weighted.precision / n, recall: weighted.recall / n, f1: weighted.f1 / n, support: n },
  };
}
