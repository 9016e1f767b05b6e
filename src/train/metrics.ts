// Metrics accumulated over batches, read from the model output buffer [batch, cols] and the
// labels [batch] after each batch. The loss is always reported; besides it:
//   classification: accuracy, top_k_accuracy, macro precision / recall / f1, perplexity (exp of the
//                   mean cross-entropy of the outputs), and a confusion matrix; for two classes,
//                   ROC-AUC and average precision (PR-AUC), and a decision threshold;
//   regression:     mse, mae, rmse, r2 (the prediction is the output's first column).
// With a label per token (`positions` labels per sample: output [batch, positions, cols], labels
// [batch, positions]) every real token (label ≠ 0) counts as one sample and padding counts for
// nothing: the loss is the mean over real tokens, accuracy and top_k_accuracy are token-level, and
// perplexity is exp of that loss (the per-token loss is the plain cross-entropy: class weights are
// refused with it), which costs nothing where recomputing a softmax over a vocabulary of 10,000 at
// every token took 0.38 s per batch of 32 × 64; there is no confusion matrix or per-class report
// (precision, recall, f1 and the ranking metrics do not apply).
// All state is a few numbers plus one K×K count matrix, allocated once; add() allocates nothing,
// except that the ranking metrics (roc_auc, pr_auc) keep every sample's score and label.
// Everything is summed in float64, sample by sample in order, so several add() calls give exactly
// the numbers of one call over the concatenated batches.
import type { MetricNameT } from '../config/schema/train.js';
import { ConfigError, InternalError } from '../errors.js';
import type { Buf } from '../graph/types.js';
import { averagePrecision, rocAuc } from './auc.js';
import { type ClassReport, classReport } from './class-report.js';

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
  roc_auc?: number;
  pr_auc?: number;
  perplexity?: number;
};

export interface MetricsOptions {
  /** Metrics besides the loss; default: accuracy (classification), mse and mae (regression). */
  metrics?: readonly MetricName[];
  /** k of top_k_accuracy (default defaultTopK of the classes; capped at the number of classes). */
  topK?: number;
  /** Number of classes; default: the output columns of the first batch (2 for a single logit). */
  classes?: number;
  /**
   * Two classes: the probability of class 1 above which a sample is predicted as class 1 (default
   * 0.5), for a one-logit sigmoid model and a two-logit softmax model alike.
   */
  threshold?: number;
  /** Keep the scores of a binary task for rocAuc()/prAuc() even when no ranking metric is requested. */
  keepScores?: boolean;
  /**
   * Regression on a standardised target: outputs and targets are mapped back to the target's
   * units (v · std + mean) before mse, mae, rmse and r2; the loss is kept as given.
   */
  target?: { mean: number; std: number };
  /**
   * Labels per sample when there is a label per token (the size of the data's targetShape): the
   * output is [batch, positions, cols] and the labels [batch, positions], label 0 being padding.
   */
  positions?: number;
}

/** The default decision threshold of a binary task. */
export const DEFAULT_THRESHOLD = 0.5;

const TASK_METRICS: Record<Task, readonly MetricName[]> = {
  classification: ['accuracy', 'top_k_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'pr_auc', 'perplexity'],
  regression: ['mse', 'mae', 'rmse', 'r2'],
};
const DEFAULTS: Record<Task, readonly MetricName[]> = {
  classification: ['accuracy'],
  regression: ['mse', 'mae'],
};
/** With a label per token: the metrics that apply, and the default. */
const TOKEN_METRICS: readonly MetricName[] = ['accuracy', 'top_k_accuracy', 'perplexity'];
const TOKEN_DEFAULTS: readonly MetricName[] = ['accuracy', 'perplexity'];

/** The metrics that apply to a task (`perToken`: classification with a label per token). */
export const taskMetrics = (task: Task, perToken = false): readonly MetricName[] =>
  perToken && task === 'classification' ? TOKEN_METRICS : TASK_METRICS[task];

/** Metrics defined for two classes only. */
export const BINARY_METRICS: readonly MetricName[] = ['roc_auc', 'pr_auc'];

/**
 * What is wrong with the requested metrics for a task of `classes` classes (when known), by index in
 * `requested`: a metric of the other task, or a two-class metric on more classes. Checked when a
 * run is prepared, so that the errors point into the config file before training starts.
 */
export function metricIssues(
  task: Task,
  classes: number | undefined,
  requested: readonly MetricName[] = [],
  perToken = false,
): { index: number; message: string; hint: string }[] {
  const allowed = TASK_METRICS[task];
  const tokens = taskMetrics(task, perToken);
  return requested.flatMap((m, index) => {
    if (!allowed.includes(m)) return [{ index, message: `metric '${m}' does not apply to ${task}`, hint: `${task} metrics are ${allowed.join(', ')}` }];
    if (!tokens.includes(m)) {
      return [{ index, message: `metric '${m}' does not apply to a label per token`, hint: `with a label per token the metrics are ${tokens.join(', ')}` }];
    }
    if (task === 'classification' && classes !== undefined && classes !== 2 && BINARY_METRICS.includes(m)) {
      return [
        { index, message: `metric '${m}' needs two classes; the data has ${classes}`, hint: 'use it on a binary task (e.g. one class against the rest)' },
      ];
    }
    return [];
  });
}

/**
 * The metrics reported besides the loss: `requested` in its order without repeats, or the task's
 * default (with a label per token: accuracy and perplexity). A metric of the other task (e.g. mse
 * for classification), or one that does not apply per token, is a config error.
 */
export function metricNames(task: Task, requested?: readonly MetricName[], perToken = false): MetricName[] {
  const token = perToken && task === 'classification';
  if (requested === undefined) return (token ? TOKEN_DEFAULTS : DEFAULTS[task]).slice();
  const allowed = taskMetrics(task, token);
  const out: MetricName[] = [];
  for (const m of requested) {
    if (!allowed.includes(m)) {
      throw new ConfigError([
        {
          place: { path: 'train.metrics' },
          message: `metric '${m}' does not apply to ${token ? 'a label per token' : task}`,
          hint: `${token ? 'with a label per token the' : task} metrics are ${allowed.join(', ')}`,
        },
      ]);
    }
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/**
 * The default k of top_k_accuracy: 5, but below the number of classes (at least 1), since k equal
 * to the classes always scores 1.
 */
export function defaultTopK(classes: number): number {
  return Math.max(1, Math.min(5, classes - 1));
}

export class MetricsAccumulator {
  readonly task: Task;
  readonly metrics: readonly MetricName[];
  /** k of top_k_accuracy as given; undefined: defaultTopK of the number of classes. */
  readonly topK: number | undefined;

  private n = 0;
  private lossSum = 0;
  /** Labels per sample with a label per token (0: one label per sample). */
  private readonly positions: number;
  /** Samples added (with a label per token `n` counts real tokens). */
  private samples = 0;
  // perplexity: Σ cross-entropy of the outputs in float64
  private readonly wantPerplexity: boolean;
  private ceSum = 0;
  // with a label per token: tokens whose argmax is the label
  // classification
  private cols = 0; // output columns, fixed by the first add()
  private k = 0; // number of classes: the side of the confusion matrix
  private conf: Float64Array = new Float64Array(0); // [true class * k + predicted class] counts
  private topKHits = 0;
  private tokenHits = 0;
  private readonly wantTopK: boolean;
  // binary: the decision cut on the logit scale, and the scores kept for the ranking metrics
  private readonly threshold: number;
  private readonly cut: number;
  private readonly wantScores: boolean;
  private scores: Float64Array = new Float64Array(0);
  private scoreLabels: Uint8Array = new Uint8Array(0);
  private scoreCount = 0;
  // regression
  private se = 0;
  private ae = 0;
  private yMean = 0; // Welford's running mean of the targets …
  private yM2 = 0; // … and the sum of squared deviations from it (SS_tot)
  private readonly targetMean: number;
  private readonly targetStd: number;

  constructor(task: Task, opts: MetricsOptions = {}) {
    this.task = task;
    this.positions = opts.positions ?? 0;
    if (this.positions && task !== 'classification') throw new InternalError('a label per token needs a classification task');
    this.metrics = metricNames(task, opts.metrics, this.positions > 0);
    this.wantPerplexity = this.metrics.includes('perplexity');
    this.targetMean = opts.target?.mean ?? 0;
    this.targetStd = opts.target?.std ?? 1;
    this.topK = opts.topK ?? (opts.classes !== undefined ? defaultTopK(opts.classes) : undefined);
    if (this.topK !== undefined && (!Number.isInteger(this.topK) || this.topK < 1))
      throw new InternalError(`topK must be a positive integer, got ${this.topK}`);
    this.wantTopK = this.metrics.includes('top_k_accuracy');
    this.threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    if (!(this.threshold > 0 && this.threshold < 1)) throw new InternalError(`threshold must be in (0, 1), got ${this.threshold}`);
    // p > t ⇔ logit(p) > logit(t); 0.5 gives a cut of exactly 0, the argmax of two logits.
    this.cut = Math.log(this.threshold / (1 - this.threshold));
    this.wantScores = task === 'classification' && (opts.keepScores === true || this.metrics.some((m) => BINARY_METRICS.includes(m)));
    if (opts.classes !== undefined) {
      if (task !== 'classification') throw new InternalError('classes is only meaningful for classification');
      if (!Number.isInteger(opts.classes) || opts.classes < 2) {
        throw new InternalError(`classes must be an integer of at least 2, got ${opts.classes}`);
      }
      if (this.positions) this.k = opts.classes;
      else this.allocate(opts.classes);
    }
  }

  private allocate(k: number): void {
    const binaryOnly = this.metrics.filter((m) => BINARY_METRICS.includes(m));
    if (k !== 2 && binaryOnly.length) {
      throw new ConfigError([
        {
          place: { path: 'train.metrics' },
          message: `${binaryOnly.join(' and ')} need two classes; this task has ${k}`,
          hint: 'use them on a binary task (e.g. one class against the rest)',
        },
      ]);
    }
    this.k = k;
    this.conf = new Float64Array(k * k);
  }

  /**
   * Adds a batch: its mean loss, the model outputs [batch, cols] and the labels or targets [batch]
   * (with a label per token: outputs [batch, positions, cols], labels [batch, positions], and the
   * loss the mean over the batch's real tokens).
   */
  add(batch: number, loss: number, output: Buf, labels: Buf, cols: number): void {
    if (batch === 0) return;
    this.samples += batch;
    if (this.positions) {
      const real = this.addTokens(batch * this.positions, output, labels, cols);
      this.n += real;
      if (real > 0) this.lossSum += loss * real;
      return;
    }
    if (this.task === 'classification') this.addClassification(batch, output, labels, cols);
    else this.addRegression(batch, output, labels, cols);
    this.n += batch;
    this.lossSum += loss * batch;
  }

  /** Tokens of a batch with a label per token: rows of `cols` outputs, label 0 skipped. Returns the real tokens. */
  private addTokens(rows: number, output: Buf, labels: Buf, cols: number): number {
    if (this.cols === 0) {
      if (this.k !== 0 && this.k !== cols) throw new InternalError(`the model has ${cols} outputs per token but ${this.k} classes were declared`);
      this.k = cols;
      this.cols = cols;
    } else if (cols !== this.cols) {
      throw new InternalError(`output columns changed from ${this.cols} to ${cols} between batches`);
    }
    const topK = Math.min(this.topK ?? defaultTopK(cols), cols);
    let real = 0;
    for (let r = 0; r < rows; r++) {
      const label = labels[r];
      if (label === 0) continue;
      if (!(label > 0 && label < cols && Number.isInteger(label))) {
        throw new InternalError(`label ${label} of token ${r} of the batch is not a class index in [0, ${cols})`);
      }
      real++;
      const o = r * cols;
      const rank = labelRank(output, o, cols, label, topK);
      if (rank === 0) this.tokenHits++;
      if (rank < topK) this.topKHits++;
    }
    return real;
  }

  private addClassification(batch: number, output: Buf, labels: Buf, cols: number): void {
    if (this.cols === 0) {
      // One sigmoid logit stands for two classes.
      const k = cols === 1 ? 2 : cols;
      if (this.k === 0)
        this.allocate(k); // once, on the first batch, when classes was not given
      else if (this.k !== k) throw new InternalError(`the model has ${cols} output column(s) but ${this.k} classes were declared`);
      this.cols = cols;
    } else if (cols !== this.cols) {
      throw new InternalError(`output columns changed from ${this.cols} to ${cols} between batches`);
    }
    const k = this.k;
    const conf = this.conf;
    const topK = Math.min(this.topK ?? defaultTopK(k), k);
    for (let r = 0; r < batch; r++) {
      const label = labels[r];
      if (!(label >= 0 && label < k && Number.isInteger(label))) {
        throw new InternalError(`label ${label} of batch row ${r} is not a class index in [0, ${k})`);
      }
      const o = r * cols;
      let pred = 0;
      if (k === 2) {
        // The logit of class 1: the one logit, or the difference of two (softmax of two is a sigmoid of it).
        const score = cols === 1 ? output[o] : output[o + 1] - output[o];
        pred = score > this.cut ? 1 : 0; // a probability of exactly the threshold is class 0
        if (this.wantScores) this.keepScore(score, label);
      } else {
        // argmax; on a tie the lower index wins, as in top-k
        for (let c = 1; c < cols; c++) if (output[o + c] > output[o + pred]) pred = c;
      }
      conf[label * k + pred]++;
      if (this.wantPerplexity) this.ceSum += crossEntropy(output, o, cols, label);
      if (this.wantTopK) {
        if (cols === 1) {
          // two classes: top-1 is accuracy, top-2 always holds the label
          if (topK >= 2 || pred === label) this.topKHits++;
        } else {
          if (labelRank(output, o, cols, label, topK) < topK) this.topKHits++;
        }
      }
    }
  }

  private keepScore(score: number, label: number): void {
    const i = this.scoreCount++;
    if (i === this.scores.length) {
      const grown = new Float64Array(Math.max(64, 2 * i));
      grown.set(this.scores);
      this.scores = grown;
      const labels = new Uint8Array(grown.length);
      labels.set(this.scoreLabels);
      this.scoreLabels = labels;
    }
    this.scores[i] = score;
    this.scoreLabels[i] = label;
  }

  private addRegression(batch: number, output: Buf, targets: Buf, cols: number): void {
    let count = this.n;
    for (let r = 0; r < batch; r++) {
      const y = targets[r] * this.targetStd + this.targetMean;
      const e = output[r * cols] * this.targetStd + this.targetMean - y;
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
    if (this.positions) {
      for (const name of this.metrics) {
        if (name === 'accuracy') m.accuracy = this.tokenHits / n;
        else if (name === 'top_k_accuracy') m.top_k_accuracy = this.topKHits / n;
        else if (name === 'perplexity') m.perplexity = Math.exp(m.loss);
      }
      return m;
    }
    if (this.task === 'classification') {
      const macro = this.metrics.some((x) => x === 'precision' || x === 'recall' || x === 'f1') ? this.macro() : undefined;
      for (const name of this.metrics) {
        if (name === 'accuracy') m.accuracy = this.trace() / n;
        else if (name === 'perplexity') m.perplexity = Math.exp(this.ceSum / n);
        else if (name === 'top_k_accuracy') m.top_k_accuracy = this.topKHits / n;
        else if (name === 'precision' || name === 'recall' || name === 'f1') m[name] = macro![name];
        else if (name === 'roc_auc') m.roc_auc = this.rocAuc();
        else if (name === 'pr_auc') m.pr_auc = this.prAuc();
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

  /** Whether labels are per token (no confusion matrix, class report or ranking metrics then). */
  get perToken(): boolean {
    return this.positions > 0;
  }

  /** Samples added; with a label per token, `tokens` is the number of real tokens among them. */
  counts(): { samples: number; tokens?: number } {
    return this.positions ? { samples: this.samples, tokens: this.n } : { samples: this.samples };
  }

  /** Counts: rows are the true class, columns the predicted class. Classification only. */
  confusion(): number[][] {
    if (this.task !== 'classification' || this.positions) throw new InternalError('a confusion matrix needs a classification task with a label per sample');
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

  /** Macro precision, recall and F1 (see classReport for how absent classes and zero divisions count). */
  private macro(): { precision: number; recall: number; f1: number } {
    return classReport(this.conf, this.k).macro;
  }

  /** Per-class precision, recall, F1 and support with macro and weighted averages. Classification only. */
  report(): ClassReport {
    if (this.task !== 'classification' || this.positions) throw new InternalError('a class report needs a classification task with a label per sample');
    return classReport(this.conf, this.k);
  }

  /** The decision threshold of a binary task. */
  get decisionThreshold(): number {
    return this.threshold;
  }

  /** ROC-AUC of a binary task over the samples added (NaN when one class is absent). */
  rocAuc(): number {
    return rocAuc(this.keptScores(), this.scoreLabels.subarray(0, this.scoreCount));
  }

  /** Average precision (PR-AUC) of a binary task, class 1 positive (NaN when it is absent). */
  prAuc(): number {
    return averagePrecision(this.keptScores(), this.scoreLabels.subarray(0, this.scoreCount));
  }

  private keptScores(): Float64Array {
    if (!this.wantScores || this.k !== 2) throw new InternalError('ranking metrics need a binary task with scores kept');
    return this.scores.subarray(0, this.scoreCount);
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

/**
 * −log softmax(row)[label] of the `cols` logits at output[o ..], in float64 (log-sum-exp shifted by
 * the row's maximum); one logit stands for two classes, the logit being class 1's against class 0.
 */
function crossEntropy(output: Buf, o: number, cols: number, label: number): number {
  if (cols === 1) {
    // −log σ(z) for class 1, −log(1 − σ(z)) for class 0: softplus(∓z), written to stay finite.
    const z = label === 1 ? -output[o] : output[o];
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }
  let max = -Infinity;
  for (let c = 0; c < cols; c++) if (output[o + c] > max) max = output[o + c];
  let s = 0;
  for (let c = 0; c < cols; c++) s += Math.exp(output[o + c] - max);
  return Math.log(s) + max - output[o + label];
}

/**
 * The rank of `label` in the row of `cols` logits at `o`: the classes ordered before it (a larger
 * logit, or an equal one at a lower index), counted up to `topK` (a rank of topK means "not in the top k").
 */
function labelRank(output: Buf, o: number, cols: number, label: number, topK: number): number {
  const v = output[o + label];
  let rank = 0;
  for (let c = 0; c < cols && rank < topK; c++) {
    const w = output[o + c];
    if (w > v || (w === v && c < label)) rank++;
  }
  return rank;
}
