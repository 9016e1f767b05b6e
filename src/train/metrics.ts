// Metrics accumulated over batches, read from the model output buffer [batch, cols] and the
// labels [batch] after each batch. The loss is always reported; besides it:
//   classification: accuracy, top_k_accuracy, macro precision / recall / f1, and a confusion matrix;
//   regression:     mse, mae, rmse, r2 (the prediction is the output's first column).
// All state is a few numbers plus one K×K count matrix, allocated once; add() allocates nothing.
// Everything is summed in float64, sample by sample in order, so several add() calls give exactly
// the numbers of one call over the concatenated batches.
import type { MetricNameT } from '../config/schema/train.js';
import { ConfigError, InternalError } from '../errors.js';
import type { Buf } from '../graph/types.js';

export type MetricName = MetricNameT;
export type Task = 'classification' | 'regression';

export type Metrics = {
  loss: number;
  accuracy?: number;
  top_k_accuracy?: number;
  precision?: number;
  recall?: number;
  f1?: number;
  mse?: number;
  mae?: number;
  rmse?: number;
  r2?: number;
};

export interface MetricsOptions {
  /** Metrics besides the loss; default: accuracy (classification), mse and mae (regression). */
  metrics?: readonly MetricName[];
  /** k of top_k_accuracy (default 5; capped at the number of classes). */
  topK?: number;
  /** Number of classes; default: the output columns of the first batch (2 for a single logit). */
  classes?: number;
}

const TASK_METRICS: Record<Task, readonly MetricName[]> = {
  classification: ['accuracy', 'top_k_accuracy', 'precision', 'recall', 'f1'],
  regression: ['mse', 'mae', 'rmse', 'r2'],
};
const DEFAULTS: Record<Task, readonly MetricName[]> = {
  classification: ['accuracy'],
  regression: ['mse', 'mae'],
};

/**
 * The metrics reported besides the loss: `requested` in its order without repeats, or the task's
 * default. A metric of the other task (e.g. mse for classification) is a config error.
 */
export function metricNames(task: Task, requested?: readonly MetricName[]): MetricName[] {
  if (requested === undefined) return DEFAULTS[task].slice();
  const allowed = TASK_METRICS[task];
  const out: MetricName[] = [];
  for (const m of requested) {
    if (!allowed.includes(m)) {
      throw new ConfigError([
        {
          place: { path: 'train.metrics' },
          message: `metric '${m}' does not apply to ${task}`,
          hint: `${task} metrics are ${allowed.join(', ')}`,
        },
      ]);
    }
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

export class MetricsAccumulator {
  readonly task: Task;
  readonly metrics: readonly MetricName[];
  readonly topK: number;

  private n = 0;
  private lossSum = 0;
  // classification
  private cols = 0; // output columns, fixed by the first add()
  private k = 0; // number of classes: the side of the confusion matrix
  private conf: Float64Array = new Float64Array(0); // [true class * k + predicted class] counts
  private topKHits = 0;
  private readonly wantTopK: boolean;
  // regression
  private se = 0;
  private ae = 0;
  private yMean = 0; // Welford's running mean of the targets …
  private yM2 = 0; // … and the sum of squared deviations from it (SS_tot)

  constructor(task: Task, opts: MetricsOptions = {}) {
    this.task = task;
    this.metrics = metricNames(task, opts.metrics);
    this.topK = opts.topK ?? 5;
    if (!Number.isInteger(this.topK) || this.topK < 1) throw new InternalError(`topK must be a positive integer, got ${this.topK}`);
    this.wantTopK = this.metrics.includes('top_k_accuracy');
    if (opts.classes !== undefined) {
      if (task !== 'classification') throw new InternalError('classes is only meaningful for classification');
      if (!Number.isInteger(opts.classes) || opts.classes < 2) {
        throw new InternalError(`classes must be an integer of at least 2, got ${opts.classes}`);
      }
      this.allocate(opts.classes);
    }
  }

  private allocate(k: number): void {
    this.k = k;
    this.conf = new Float64Array(k * k);
  }

  /** Adds a batch: its mean loss, the model outputs [batch, cols] and the labels or targets [batch]. */
  add(batch: number, loss: number, output: Buf, labels: Buf, cols: number): void {
    if (batch === 0) return;
    if (this.task === 'classification') this.addClassification(batch, output, labels, cols);
    else this.addRegression(batch, output, labels, cols);
    this.n += batch;
    this.lossSum += loss * batch;
  }

  private addClassification(batch: number, output: Buf, labels: Buf, cols: number): void {
    if (this.cols === 0) {
      // One sigmoid logit stands for two classes.
      const k = cols === 1 ? 2 : cols;
      if (this.k === 0) this.allocate(k); // once, on the first batch, when classes was not given
      else if (this.k !== k) throw new InternalError(`the model has ${cols} output column(s) but ${this.k} classes were declared`);
      this.cols = cols;
    } else if (cols !== this.cols) {
      throw new InternalError(`output columns changed from ${this.cols} to ${cols} between batches`);
    }
    const k = this.k;
    const conf = this.conf;
    const topK = Math.min(this.topK, k);
    for (let r = 0; r < batch; r++) {
      const label = labels[r];
      if (!(label >= 0 && label < k && Number.isInteger(label))) {
        throw new InternalError(`label ${label} of batch row ${r} is not a class index in [0, ${k})`);
      }
      const o = r * cols;
      let pred = 0;
      if (cols === 1) {
        pred = output[o] > 0 ? 1 : 0; // sigmoid(logit) > 0.5; a logit of exactly 0 is class 0
      } else {
        // argmax; on a tie the lower index wins, as in top-k
        for (let c = 1; c < cols; c++) if (output[o + c] > output[o + pred]) pred = c;
      }
      conf[label * k + pred]++;
      if (this.wantTopK) {
        if (cols === 1) {
          // two classes: top-1 is accuracy, top-2 always holds the label
          if (topK >= 2 || pred === label) this.topKHits++;
        } else {
          // The label's rank: the classes ordered before it (a larger logit, or an equal one at a lower index).
          const v = output[o + label];
          let rank = 0;
          for (let c = 0; c < cols && rank < topK; c++) {
            const w = output[o + c];
            if (w > v || (w === v && c < label)) rank++;
          }
          if (rank < topK) this.topKHits++;
        }
      }
    }
  }

  private addRegression(batch: number, output: Buf, targets: Buf, cols: number): void {
    let count = this.n;
    for (let r = 0; r < batch; r++) {
      const y = targets[r];
      const e = output[r * cols] - y;
      this.se += e * e;
      this.ae += Math.abs(e);
      // Welford: numerically stable SS_tot without a second pass or Σy² − (Σy)²/n cancellation.
      count++;
      const d = y - this.yMean;
      this.yMean += d / count;
      this.yM2 += d * (y - this.yMean);
    }
  }

  /**
   * The mean loss per sample and the requested metrics. With no samples added every reported value
   * is NaN: a mean over nothing is undefined, and 0 would pass for a perfect loss when picking the
   * best checkpoint (evaluate reports `{ loss: NaN }` for an empty split the same way).
   */
  result(): Metrics {
    const n = this.n;
    const m: Metrics = { loss: n > 0 ? this.lossSum / n : NaN };
    if (n === 0) {
      for (const name of this.metrics) m[name] = NaN;
      return m;
    }
    if (this.task === 'classification') {
      const macro = this.metrics.some((x) => x === 'precision' || x === 'recall' || x === 'f1') ? this.macro() : undefined;
      for (const name of this.metrics) {
        if (name === 'accuracy') m.accuracy = this.trace() / n;
        else if (name === 'top_k_accuracy') m.top_k_accuracy = this.topKHits / n;
        else if (name === 'precision' || name === 'recall' || name === 'f1') m[name] = macro![name];
      }
    } else {
      const mse = this.se / n;
      for (const name of this.metrics) {
        if (name === 'mse') m.mse = mse;
        else if (name === 'mae') m.mae = this.ae / n;
        else if (name === 'rmse') m.rmse = Math.sqrt(mse);
        else if (name === 'r2') m.r2 = this.r2();
      }
    }
    return m;
  }

  /** Counts: rows are the true class, columns the predicted class. Classification only. */
  confusion(): number[][] {
    if (this.task !== 'classification') throw new InternalError('a confusion matrix needs a classification task');
    const k = this.k;
    const rows: number[][] = [];
    for (let t = 0; t < k; t++) rows.push(Array.from(this.conf.subarray(t * k, (t + 1) * k)));
    return rows;
  }

  private trace(): number {
    let s = 0;
    for (let c = 0; c < this.k; c++) s += this.conf[c * this.k + c];
    return s;
  }

  /**
   * Macro precision, recall and F1: per class, then the plain mean over the classes that occur among
   * the labels or the predictions (as scikit-learn does without an explicit label list), so a class
   * absent from both — e.g. missing from a small validation split — does not drag the mean down.
   * Per class: precision = TP / predicted, and a class that was never predicted has precision 0;
   * recall = TP / actual, and a class with no samples (only false predictions) has recall 0;
   * F1 = 2PR / (P + R), 0 when P + R = 0. The macro F1 is the mean of the per-class F1s, not the F1
   * of the macro precision and recall.
   */
  private macro(): { precision: number; recall: number; f1: number } {
    const k = this.k;
    const conf = this.conf;
    let p = 0;
    let r = 0;
    let f = 0;
    let present = 0;
    for (let c = 0; c < k; c++) {
      let actual = 0; // row sum
      let predicted = 0; // column sum
      for (let j = 0; j < k; j++) {
        actual += conf[c * k + j];
        predicted += conf[j * k + c];
      }
      if (actual === 0 && predicted === 0) continue;
      present++;
      const tp = conf[c * k + c];
      const pc = predicted > 0 ? tp / predicted : 0;
      const rc = actual > 0 ? tp / actual : 0;
      p += pc;
      r += rc;
      f += pc + rc > 0 ? (2 * pc * rc) / (pc + rc) : 0;
    }
    // present ≥ 1 whenever a sample was added
    return { precision: p / present, recall: r / present, f1: f / present };
  }

  /**
   * r2 = 1 − SS_res / SS_tot, SS_tot about the mean of the targets seen. Constant targets make
   * SS_tot = 0 and the ratio undefined; then r2 is 1 if the predictions are exact (SS_res = 0) and
   * 0 otherwise (scikit-learn's force_finite convention), so it stays finite and the training loop's
   * non-finite check never fires on it.
   */
  private r2(): number {
    const ssRes = this.se;
    const ssTot = this.yM2;
    if (ssTot === 0) return ssRes === 0 ? 1 : 0;
    return 1 - ssRes / ssTot;
  }
}
