// The outputs of an exported model, as `dlf predict` reports them:
//   classification  logits [N, C] (the model's output), probabilities [N, C] (softmax; for a
//                   one-logit binary model [N, 2], 1 - sigmoid and sigmoid), prediction [N] (the
//                   class name dlf predict picks: of two classes the positive one when its
//                   probability is above the run's train.threshold, else the most probable, the
//                   first on a tie);
//   regression      prediction [N, K]: the model's output in the target's units (v · std + mean
//                   in double precision when the run standardised its target).
// Rows flagged invalid by the inputs get NaN logits, probabilities and values and an empty class name.
import { classNames } from '../train/predict.js';
import type { Preprocessing } from '../data/standardize.js';
import { BATCH, type OnnxGraph } from './onnx-graph.js';
import { DataType } from './onnx-proto.js';

export interface OutputSpec {
  readonly prep: Preprocessing;
  /** Columns of the model's output. */
  readonly width: number;
  /** A bool [N] value: rows whose outputs are NaN. */
  readonly invalid?: string;
  /** Two classes: the probability of class 1 above which it is predicted (the run's train.threshold). */
  readonly threshold: number;
}

/**
 * Declares the outputs; `emitModel(out)` must add the model's nodes computing its output into
 * the value `out`. Returns each output's description, for the model's metadata.
 */
export function emitOutputs(g: OnnxGraph, spec: OutputSpec, emitModel: (out: string) => void): Record<string, string> {
  const { prep, width, invalid } = spec;
  const target = prep.kind === 'table' ? prep.target : undefined;
  const classification = prep.task === 'classification';
  // The model's output is itself an output (logits, or a regression value needing no scaling)
  // when nothing comes between: then it takes that name.
  const direct = !invalid && (classification || !target);
  const raw = direct ? g.reserve(classification ? 'logits' : 'prediction') : g.fresh('model_output');
  emitModel(raw);
  let value = raw;
  if (invalid) {
    const column = g.node('Unsqueeze', [invalid, g.ints([1])], {}, 'row_invalid_column');
    value = g.node('Where', [column, g.scalar(NaN), raw], {}, classification ? g.reserve('logits') : 'model_output_or_nan');
  }
  if (!classification) {
    if (target) {
      const d = g.node('Cast', [value], { to: DataType.DOUBLE }, 'prediction/double');
      const scaled = g.node('Mul', [d, g.constant(DataType.DOUBLE, [], [target.std], 'target/std')], {}, 'prediction/scaled');
      const shifted = g.node('Add', [scaled, g.constant(DataType.DOUBLE, [], [target.mean], 'target/mean')], {}, 'prediction/shifted');
      value = g.node('Cast', [shifted], { to: DataType.FLOAT }, g.reserve('prediction'));
    } else if (value !== 'prediction') value = g.node('Identity', [value], {}, g.reserve('prediction'));
    const how = target ? `the model's output · ${target.std} + ${target.mean}` : "the model's output";
    g.output('prediction', DataType.FLOAT, [BATCH, width], `the predicted value in the target's units (${how}); NaN for a row dlf predict would refuse`);
    return { prediction: `predicted value [N, ${width}] in the target's units` };
  }

  const logits = value;
  const names = classNames(prep.classes, width);
  let probs: string;
  if (width === 1) {
    const p1 = g.node('Sigmoid', [logits], {}, 'probabilities/positive');
    const p0 = g.node('Sub', [g.scalar(1), p1], {}, 'probabilities/negative');
    probs = g.node('Concat', [p0, p1], { axis: 1 }, g.reserve('probabilities'));
  } else probs = g.node('Softmax', [logits], { axis: -1 }, g.reserve('probabilities'));
  let best: string;
  if (names.length === 2) {
    // As dlf predict decides two classes: class 1 when its log-odds, in double precision, exceed
    // those of the threshold (a probability of exactly the threshold is class 0).
    const d = g.node('Cast', [logits], { to: DataType.DOUBLE }, 'prediction/logits_double');
    const score =
      width === 1
        ? d
        : g.node(
            'Sub',
            [
              g.node('Slice', [d, g.ints([1]), g.ints([2]), g.ints([1])], {}, 'prediction/logit_1'),
              g.node('Slice', [d, g.ints([0]), g.ints([1]), g.ints([1])], {}, 'prediction/logit_0'),
            ],
            {},
            'prediction/log_odds',
          );
    const t = spec.threshold;
    const positive = g.node('Greater', [score, g.constant(DataType.DOUBLE, [], [Math.log(t / (1 - t))], 'threshold_log_odds')], {}, 'prediction/positive');
    const column = g.node('Cast', [positive], { to: DataType.INT64 }, 'prediction/index_column');
    best = g.node('Squeeze', [column, g.ints([1])], {}, 'prediction/index');
  } else best = g.node('ArgMax', [probs], { axis: 1, keepdims: 0 }, 'prediction/index');
  const label = g.node(
    'Gather',
    [g.constant(DataType.STRING, [names.length], names, 'classes'), best],
    { axis: 0 },
    invalid ? 'prediction/class' : g.reserve('prediction'),
  );
  if (invalid) g.node('Where', [invalid, g.constant(DataType.STRING, [], [''], 'empty_string'), label], {}, g.reserve('prediction'));
  const rule =
    names.length === 2
      ? `'${names[1]}' when its probability is above ${spec.threshold}, else '${names[0]}'`
      : 'the most probable class name (the first of equally probable ones)';
  g.output('prediction', DataType.STRING, [BATCH], `${rule}; empty for a row dlf predict would refuse`);
  g.output('probabilities', DataType.FLOAT, [BATCH, names.length], `the probability of each class, in the order ${names.join(', ')}`);
  g.output(
    'logits',
    DataType.FLOAT,
    [BATCH, width],
    width === 1 ? 'the logit of the positive class' : 'the logit of each class (softmax gives the probabilities)',
  );
  return {
    prediction: names.length === 2 ? `class name [N]: '${names[1]}' when its probability is above ${spec.threshold}` : 'most probable class name [N]',
    probabilities: `probability per class [N, ${names.length}], in the order of the classes`,
    logits: `the model's output [N, ${width}]`,
  };
}

/**
 * The outputs of a model with a label per token (a language model, a tagger over the run's
 * vocabulary): logits [N, L, C] (the model's output), probabilities [N, L, C] (softmax over the
 * last axis) and prediction [N, L] (the id of the most probable token, the first on a tie), at
 * every position; positions whose input id is 0 are padding, which dlf's loss and metrics leave out.
 * A sequence flagged `invalid` gets NaN logits and probabilities and the prediction -1.
 */
export function emitTokenOutputs(
  g: OnnxGraph,
  steps: number,
  width: number,
  invalid: string | undefined,
  emitModel: (out: string) => void,
): Record<string, string> {
  let logits = invalid ? g.fresh('model_output') : g.reserve('logits');
  emitModel(logits);
  if (invalid) {
    // A sequence flagged invalid (an id outside the vocabulary): NaN logits and probabilities, prediction -1.
    const cube = g.node('Unsqueeze', [invalid, g.ints([1, 2])], {}, 'row_invalid_cube');
    logits = g.node('Where', [cube, g.scalar(NaN), logits], {}, g.reserve('logits'));
  }
  const probs = g.node('Softmax', [logits], { axis: -1 }, g.reserve('probabilities'));
  const best = g.node('ArgMax', [probs], { axis: 2, keepdims: 0 }, invalid ? 'prediction/id' : g.reserve('prediction'));
  if (invalid) {
    const column = g.node('Unsqueeze', [invalid, g.ints([1])], {}, 'row_invalid_column');
    g.node('Where', [column, g.constant(DataType.INT64, [], [-1], 'minus_one_i64'), best], {}, g.reserve('prediction'));
  }
  g.output(
    'prediction',
    DataType.INT64,
    [BATCH, steps],
    'per position, the id of the most probable token (the first of equally probable ones); -1 for a sequence with an id outside the vocabulary',
  );
  g.output('probabilities', DataType.FLOAT, [BATCH, steps, width], 'per position, the probability of each token of the vocabulary, in id order');
  g.output('logits', DataType.FLOAT, [BATCH, steps, width], 'per position, the logit of each token of the vocabulary (softmax gives the probabilities)');
  return {
    prediction: `most probable token id per position [N, ${steps}]`,
    probabilities: `probability per token id and position [N, ${steps}, ${width}]`,
    logits: `the model's output [N, ${steps}, ${width}]`,
  };
}
