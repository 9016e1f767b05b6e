// maxpool2d: maximum over pool_size windows of NCHW input, every `stride` cells (default: the pool
// size); padded cells never win. Also the shared builder of avgpool2d.
import type { LayerOf } from '../../config/schema.js';
import { ShapeError } from '../../errors.js';
import { checkFits, nchw, paddingOf } from './conv2d.js';
import { type LayerBuilder, type LayerCtx, pair } from './types.js';

/** A pooling layer: the op over windows of the config's size, stride and padding. */
export function pool2d(ctx: LayerCtx, op: 'maxpool2d' | 'avgpool2d', cfg: LayerOf<'maxpool2d'> | LayerOf<'avgpool2d'>, x: number): number {
  const [, , h, w] = nchw(ctx, op, x);
  const kernel = pair(cfg.pool_size);
  const stride = cfg.stride === undefined ? kernel : pair(cfg.stride);
  const padding = paddingOf(cfg.padding, [h, w], kernel, stride);
  if (typeof cfg.padding === 'number' && (cfg.padding >= kernel[0] || cfg.padding >= kernel[1])) {
    throw new ShapeError(
      `${op} padding ${cfg.padding} must be smaller than the window ${kernel[0]}×${kernel[1]}`,
      ctx.place,
      'a window of padding only would have no cell to pool',
    );
  }
  checkFits(ctx, op, [h, w], kernel, padding);
  return ctx.g.apply(op, [x], { kernel, stride, padding });
}

export const maxpool2d: LayerBuilder<'maxpool2d'> = (ctx, cfg, [x]) => pool2d(ctx, 'maxpool2d', cfg, x);
