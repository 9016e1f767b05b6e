// Activations, as a layer of their own and as the `activation` of dense and conv2d layers.
// gelu is composed from primitives (the tanh form): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
import type { Activation } from '../../config/schema.js';
import type { LayerBuilder, LayerCtx } from './types.js';

export function activate(ctx: LayerCtx, act: Activation, h: number, alpha?: number): number {
  const g = ctx.g;
  switch (act) {
    case 'linear':
      return h;
    case 'leaky_relu':
      return g.apply('leaky_relu', [h], { alpha: alpha ?? 0.01 });
    case 'gelu': {
      const cube = g.apply('mul', [g.apply('mul', [h, h]), h]);
      const inner = g.apply('mul', [g.apply('add', [h, g.apply('mul', [cube, g.constant(0.044715)])]), g.constant(Math.sqrt(2 / Math.PI))]);
      const t = g.apply('add', [g.apply('tanh', [inner]), g.constant(1)]);
      return g.apply('mul', [g.apply('mul', [h, t]), g.constant(0.5)]);
    }
    default:
      return g.apply(act, [h]);
  }
}

export const activation: LayerBuilder<'activation'> = (ctx, cfg, [x]) => activate(ctx, cfg.activation, x, cfg.alpha);
