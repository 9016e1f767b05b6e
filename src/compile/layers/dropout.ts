// dropout: while training, each value is kept with probability 1 - rate and scaled by 1/(1 - rate)
// (a mask drawn from the run's seeded RNG before every step); in evaluation it is the identity.
import type { LayerBuilder } from './types.js';

export const dropout: LayerBuilder<'dropout'> = (ctx, cfg, [x]) => {
  if (ctx.mode === 'eval' || cfg.rate === 0) return x;
  const keep = 1 - cfg.rate;
  const mask = ctx.randomMask([...ctx.g.shapeOf(x)], keep, 1 / keep);
  return ctx.g.apply('mul', [x, mask]);
};
