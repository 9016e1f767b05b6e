// positional_embedding: adds a vector per position to x [B, L, D] (the same for every sample).
// learned: a parameter `pos` [L, D] under the layer's scope (initialiser `init`);
// sinusoidal: a constant table, PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(p / 10000^(2i/D)),
// which has no parameters. Padded positions get their vector too: the layers downstream
// (attention's key mask, masked pooling, the per-token loss) leave them out.
import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../tensor/shape.js';
import type { LayerBuilder } from './types.js';

/** The sinusoidal table [L, D], row-major. */
export function sinusoidalTable(L: number, D: number): number[] {
  const v = new Array<number>(L * D);
  for (let p = 0; p < L; p++) {
    for (let c = 0; c < D; c++) {
      const i = Math.floor(c / 2);
      const angle = p / 10000 ** ((2 * i) / D);
      v[p * D + c] = c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return v;
}

export const positional_embedding: LayerBuilder<'positional_embedding'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const s = g.shapeOf(x);
  if (s.length !== 3) throw new ShapeError(`a positional_embedding layer needs input [batch, length, dim], got ${shapeStr(s)}`, ctx.place);
  const [, L, D] = s;
  const table =
    cfg.encoding === 'learned' ? ctx.param('pos', [L, D], cfg.init) : g.apply('reshape', [g.constantValues(sinusoidalTable(L, D))], { shape: [L, D] });
  return g.apply('add', [x, table]);
};
