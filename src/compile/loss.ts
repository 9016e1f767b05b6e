// Losses: append the per-sample loss and its batch mean to a model's output, with the labels
// input `y`. Classification labels are class indices [batch]; regression and binary targets are
// fed as [batch] and reshaped to the output's [batch, 1].
import type { LossConfig } from '../config/schema.js';
import { ShapeError, type Place } from '../errors.js';
import type { GraphBuilder } from '../graph/builder.js';
import { shapeStr } from '../tensor/shape.js';

export interface BuiltLoss {
  readonly y: number;
  readonly loss: number;
}

export function buildLoss(g: GraphBuilder, loss: LossConfig, output: number, batch: number, classes: number | undefined, place: Place): BuiltLoss {
  const out = g.shapeOf(output);
  const outName = g.node(output).name;
  return g.at(place, () =>
    g.scope('loss', () => {
      const y = g.input('y', [batch]);
      if (loss === 'softmax_cross_entropy') {
        if (out.length !== 2 || out[0] !== batch) {
          throw new ShapeError(`the model output must be [batch, classes] for ${loss}, got ${shapeStr(out)}`, { ...place, node: outName });
        }
        if (classes !== undefined && out[1] !== classes) {
          throw new ShapeError(`the model has ${out[1]} outputs but the data has ${classes} classes`, { ...place, node: outName }, `make the last layer ${classes} units`);
        }
        const per = g.apply('softmax_cross_entropy', [output, y]);
        return { y, loss: g.apply('mean', [per]) };
      }
      if (out.length !== 2 || out[0] !== batch || out[1] !== 1) {
        throw new ShapeError(`the model output must be [batch, 1] for ${loss}, got ${shapeStr(out)}`, { ...place, node: outName }, 'make the last layer 1 unit');
      }
      const y2 = g.apply('reshape', [y], { shape: [batch, 1] });
      const per =
        loss === 'mse'
          ? g.apply('mse', [output, y2])
          : g.apply('mean', [g.apply('sigmoid_binary_cross_entropy', [output, y2])], { axes: [1] });
      return { y, loss: g.apply('mean', [per]) };
    }),
  );
}
