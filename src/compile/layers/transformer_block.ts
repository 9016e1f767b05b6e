// transformer_block: a pre-norm transformer block over x [B, L, D], built from the layernorm,
// attention and dense builders:
//
//   h = x + drop(attention(ln1(x)))
//   y = h + drop(ff2(relu(ff1(ln2(h)))))
//
// ff1 is [D, ff_units] (default 4·D) and ff2 [ff_units, D]. Parameters under the layer's scope:
// ln1/gamma, ln1/beta, attn/{q,k,v,o}/{w,b}, ln2/gamma, ln2/beta, ff1/w, ff1/b, ff2/w, ff2/b.
// Dropout (training only) applies to the attention weights and to both residual branches.
import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../tensor/shape.js';
import { selfAttention } from './attention.js';
import { dense } from './dense.js';
import { drop } from './dropout.js';
import { layernorm } from './norm.js';
import type { LayerBuilder } from './types.js';

export const transformer_block: LayerBuilder<'transformer_block'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const s = g.shapeOf(x);
  if (s.length !== 3) throw new ShapeError(`a transformer_block needs input [batch, length, dim], got ${shapeStr(s)}`, ctx.place);
  const D = s[2];
  const ff = cfg.ff_units ?? 4 * D;
  const dropped = (t: number) => drop(ctx, t, cfg.dropout);
  const ln = (name: string, t: number) => g.scope(name, () => layernorm(ctx, { type: 'layernorm', eps: cfg.eps }, [t]));
  const dense1 = (name: string, t: number, units: number, activation: 'relu' | 'linear') =>
    g.scope(name, () => dense(ctx, { type: 'dense', units, activation, use_bias: true, bias_init: 'zeros' }, [t]));
  const n1 = ln('ln1', x);
  const a = g.scope('attn', () => selfAttention(ctx, n1, { heads: cfg.heads, causal: cfg.causal, dropout: cfg.dropout, useBias: true }));
  const h = g.apply('add', [x, dropped(a)]);
  const m = dense1('ff2', dense1('ff1', ln('ln2', h), ff, 'relu'), D, 'linear');
  return g.apply('add', [h, dropped(m)]);
};
