// Layers that only move data: flatten, reshape, and the sum of several inputs (residual add).
import { ShapeError } from '../../errors.js';
import { sameShape, shapeStr } from '../../tensor/shape.js';
import type { LayerBuilder } from './types.js';

export const flatten: LayerBuilder<'flatten'> = (ctx, _cfg, [x]) => {
  const s = ctx.g.shapeOf(x);
  return s.length === 2 ? x : ctx.g.apply('reshape', [x], { shape: [s[0], -1] });
};

export const reshape: LayerBuilder<'reshape'> = (ctx, cfg, [x]) => ctx.g.apply('reshape', [x], { shape: [ctx.g.shapeOf(x)[0], ...cfg.shape] });

export const add: LayerBuilder<'add'> = (ctx, _cfg, inputs) => {
  const first = ctx.g.shapeOf(inputs[0]);
  for (const i of inputs) {
    if (!sameShape(ctx.g.shapeOf(i), first)) {
      const shapes = inputs.map((j) => `${ctx.g.node(j).name} ${shapeStr(ctx.g.shapeOf(j))}`).join(', ');
      throw new ShapeError(`add needs inputs of one shape, got ${shapes}`, ctx.place);
    }
  }
  return inputs.slice(1).reduce((acc, i) => ctx.g.apply('add', [acc, i]), inputs[0]);
};
