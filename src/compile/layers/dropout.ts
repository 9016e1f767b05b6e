// dropout: while training, each value is kept with probability 1 - rate and scaled by 1/(1 - rate)
// (a mask drawn from the run's seeded RNG before every step); in evaluation it is the identity.
import type { LayerBuilder, LayerCtx } from './types.js';

/** x with dropout at `rate` while training (the identity in evaluation or at rate 0). */
export function drop(ctx: LayerCtx, x: number, rate: number): number {
  if (ctx.mode === 'eval' || rate === 0) return x;
  const keep = 1 - rate;
  const mask = ctx.randomMask([...ctx.g.shapeOf(x)], keep, 1 / keep);
  return ctx.g.apply('mul', [x, mask]);
}

export const dropout: LayerBuilder<'dropout'> = (ctx, cfg, [x]) => drop(ctx, x, cfg.rate);
