// concat: earlier layers joined along `axis` (negative counts from the end; 1 = channels for NCHW),
// as a chain of two-input concat ops. Every other axis must agree; the batch axis cannot be joined.
import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../tensor/shape.js';
import type { LayerBuilder } from './types.js';

export const concat: LayerBuilder<'concat'> = (ctx, cfg, inputs) => {
  const { g } = ctx;
  const shapes = inputs.map((i) => g.shapeOf(i));
  const list = () => inputs.map((i, k) => `${g.node(i).name} ${shapeStr(shapes[k])}`).join(', ');
  if (inputs.length < 2) throw new ShapeError(`concat needs at least two inputs, got ${inputs.length}`, ctx.place);
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) throw new ShapeError(`concat needs inputs of one rank, got ${list()}`, ctx.place);
  const axis = cfg.axis < 0 ? cfg.axis + rank : cfg.axis;
  if (axis < 0 || axis >= rank) {
    throw new ShapeError(`concat axis ${cfg.axis} is out of range for inputs of rank ${rank}`, ctx.place);
  }
  if (axis === 0) throw new ShapeError('concat cannot join along the batch axis (0)', ctx.place, 'use axis 1 (channels of NCHW) or -1');
  if (shapes.some((s) => s.some((d, i) => i !== axis && d !== shapes[0][i]))) {
    throw new ShapeError(`concat along axis ${axis} needs inputs that agree on every other axis, got ${list()}`, ctx.place);
  }
  return inputs.slice(1).reduce((acc, i) => g.apply('concat', [acc, i], { axis }), inputs[0]);
};
