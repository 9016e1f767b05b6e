// global_avg_pool2d: mean over height and width, [N, C, H, W] → [N, C].
import { nchw } from './conv2d.js';
import type { LayerBuilder } from './types.js';

export const global_avg_pool2d: LayerBuilder<'global_avg_pool2d'> = (ctx, _cfg, [x]) => {
  nchw(ctx, 'global_avg_pool2d', x);
  return ctx.g.apply('mean', [x], { axes: [2, 3] });
};
