// Losses: append the per-sample loss and its batch mean to a model's output, with the labels
// input `y`. Classification labels are class indices [batch]; regression and binary targets are
// fed as [batch] and reshaped to the output's [batch, 1]. With class weights (one per class; two
// for a sigmoid loss: class 0 and class 1) each sample's loss is weighed by its class's weight and
// the batch loss is the weighted mean Σ w·loss / Σ w, so equal weights give the plain mean.
// With a label per token (data targetShape [L]) the labels are [batch, L] token ids, the output
// [batch, L, classes], and the loss is the softmax cross-entropy of each token averaged over the
// real tokens of the batch: label 0 (padding) counts for nothing, and a batch without a real
// token has loss 0.
import type { LossConfig } from '../config/schema.js';
import { ShapeError, type Place } from '../errors.js';
import type { GraphBuilder } from '../graph/builder.js';
import { shapeStr } from '../tensor/shape.js';

export interface BuiltLoss {
  readonly y: number;
  readonly loss: number;
}

export function buildLoss(
  g: GraphBuilder,
  loss: LossConfig,
  output: number,
  batch: number,
  classes: number | undefined,
  place: Place,
  classWeights?: readonly number[],
  targetShape?: readonly number[],
): BuiltLoss {
  const out = g.shapeOf(output);
  const outName = g.node(output).name;
  if (targetShape) return g.at(place, () => g.scope('loss', () => tokenLoss(g, loss, output, batch, classes, place, targetShape, classWeights)));
  return g.at(place, () =>
    g.scope('loss', () => {
      const y = g.input('y', [batch]);
      if (loss === 'softmax_cross_entropy') {
        if (out.length !== 2 || out[0] !== batch) {
          throw new ShapeError(`the model output must be [batch, classes] for ${loss}, got ${shapeStr(out)}`, { ...place, node: outName });
        }
        if (classes !== undefined && out[1] !== classes) {
          throw new ShapeError(
            `the model has ${out[1]} outputs but the data has ${classes} classes`,
            { ...place, node: outName },
            `make the last layer ${classes} units`,
          );
        }
        const per = g.apply('softmax_cross_entropy', [output, y]);
        return { y, loss: classWeights ? weightedMean(g, per, y, checkWeights(classWeights, out[1], loss)) : g.apply('mean', [per]) };
      }
      if (out.length !== 2 || out[0] !== batch || out[1] !== 1) {
        throw new ShapeError(
          `the model output must be [batch, 1] for ${loss}, got ${shapeStr(out)}`,
          { ...place, node: outName },
          'make the last layer 1 unit',
        );
      }
      const y2 = g.apply('reshape', [y], { shape: [batch, 1] });
      if (loss === 'mse') {
        if (classWeights) throw new ShapeError('class weights need a classification loss, not mse', place);
        return { y, loss: g.apply('mean', [g.apply('mse', [output, y2])]) };
      }
      const per = g.apply('mean', [g.apply('sigmoid_binary_cross_entropy', [output, y2])], { axes: [1] });
      return { y, loss: classWeights ? weightedMean(g, per, y, checkWeights(classWeights, 2, loss)) : g.apply('mean', [per]) };
    }),
  );
}

/** The per-token loss: labels y [batch, ...targetShape], output [batch, ...targetShape, classes]. */
function tokenLoss(
  g: GraphBuilder,
  loss: LossConfig,
  output: number,
  batch: number,
  classes: number | undefined,
  place: Place,
  targetShape: readonly number[],
  classWeights: readonly number[] | undefined,
): BuiltLoss {
  const out = g.shapeOf(output);
  const at = { ...place, node: g.node(output).name };
  const want = `[batch, ${targetShape.join(', ')}, classes]`;
  if (loss !== 'softmax_cross_entropy') {
    throw new ShapeError(
      `${loss} does not take a label per token; the data has labels of shape [${targetShape.join(', ')}] per sample`,
      at,
      'use softmax_cross_entropy',
    );
  }
  const positions = targetShape.reduce((a, b) => a * b, 1);
  const lead = [batch, ...targetShape];
  if (out.length !== lead.length + 1 || lead.some((d, i) => out[i] !== d)) {
    throw new ShapeError(
      `the model output must be ${want} for a label per token, got ${shapeStr(out)}`,
      at,
      'keep the sequence axis to the end (no flatten or sequence pooling) and end with {type: dense, units: classes}',
    );
  }
  const k = out[out.length - 1];
  if (classes !== undefined && k !== classes) {
    throw new ShapeError(
      `the model has ${k} outputs per token but the data has ${classes} classes (its vocabulary)`,
      at,
      'end with {type: dense, units: classes}',
    );
  }
  if (classWeights) throw new ShapeError('class weights are not supported with a label per token', at, 'remove train.class_weights');
  const y = g.input('y', lead);
  const flatY = g.apply('reshape', [y], { shape: [batch * positions] });
  const per = g.apply('softmax_cross_entropy', [g.apply('reshape', [output], { shape: [batch * positions, k] }), flatY]);
  // 1 at a real token, 0 at padding; no gradient flows into the labels.
  const real = g.apply('sub', [g.constant(1), g.apply('eq', [flatY, g.constant(0)])]);
  const count = g.apply('sum', [real]);
  // The count, or 1 when it is 0: Σ over no token is 0, and 0 / 1 = 0 rather than NaN.
  const denom = g.apply('add', [count, g.apply('eq', [count, g.constant(0)])]);
  return { y, loss: g.apply('div', [g.apply('sum', [g.apply('mul', [per, real])]), denom]) };
}

function checkWeights(weights: readonly number[], classes: number, loss: LossConfig): readonly number[] {
  if (weights.length !== classes) throw new ShapeError(`${weights.length} class weights for ${classes} classes of ${loss}`);
  return weights;
}

/** Σ w·per / Σ w with w[r] = weights[label r], the weight picked by a one-hot row (labels get no gradient). */
function weightedMean(g: GraphBuilder, per: number, labels: number, weights: readonly number[]): number {
  const onehot = g.apply('one_hot', [labels], { depth: weights.length });
  const w = g.apply('sum', [g.apply('mul', [onehot, g.constantValues(weights)])], { axes: [1] });
  return g.apply('div', [g.apply('sum', [g.apply('mul', [w, per])]), g.apply('sum', [w])]);
}
