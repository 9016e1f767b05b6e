// dense: y = x·w + b over the last axis of the input, then the activation.
import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../tensor/shape.js';
import { activate } from './activation.js';
import type { LayerBuilder } from './types.js';

export const dense: LayerBuilder<'dense'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const inShape = g.shapeOf(x);
  if (inShape.length < 2) throw new ShapeError(`a dense layer needs input [batch, ..., features], got ${shapeStr(inShape)}`, ctx.place);
  if (inShape.length > 3) {
    throw new ShapeError(`a dense layer got ${shapeStr(inShape)}; put a flatten layer before it`, ctx.place);
  }
  const inF = inShape[inShape.length - 1];
  const init = cfg.kernel_init ?? (cfg.activation === 'relu' ? 'he_uniform' : 'glorot_uniform');
  const units = cfg.units === 'classes' ? ctx.classes : cfg.units;
  if (units === undefined)
    throw new ShapeError('units: classes needs data with classes (classification or token labels)', ctx.place, 'give the number of units');
  const w = ctx.param('w', [inF, units], init);
  let y = g.apply('matmul', [x, w]);
  if (cfg.use_bias) y = g.apply('add', [y, ctx.param('b', [units], cfg.bias_init)]);
  return activate(ctx, cfg.activation, y);
};
