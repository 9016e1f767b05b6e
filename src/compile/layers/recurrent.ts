// rnn, lstm and gru layers: stacked, optionally bidirectional recurrent layers over [batch, L,
// features]. Per layer and direction, the input projection of every step is one matrix product
// (x·w_ih + b → [batch, L, G·H]) and the recurrence one fused scan op (rnn_seq, lstm_seq, gru_seq)
// that carries the state through padding (the mask of ctx.mask(), or every step real when the
// input is not tokens). Parameters, under the layer's scope: l<k>/w_ih [F, G·H], l<k>/w_hh [H, G·H],
// l<k>/b [G·H] (GRU also l<k>/b_hn [H]), and l<k>_reverse/... for the backward direction. The gate
// layout and the mapping to PyTorch's weights are in docs/recurrent.md.
import type { InitConfig, LayerOf } from '../../config/schema.js';
import { ShapeError } from '../../errors.js';
import type { OpName } from '../../graph/ops/index.js';
import type { RecurrentCell } from '../../kernels/kernels.js';
import { GATES, PACKED } from '../../kernels/ts/recurrent.js';
import { shapeStr } from '../../tensor/shape.js';
import { drop } from './dropout.js';
import type { LayerBuilder, LayerCtx } from './types.js';

const SCAN: Record<RecurrentCell, OpName> = { rnn: 'rnn_seq', lstm: 'lstm_seq', gru: 'gru_seq' };

/** One direction of one layer: its sequence of hidden states [B, L, H]. */
function direction(ctx: LayerCtx, cell: RecurrentCell, x: number, mask: number, H: number, init: InitConfig, reverse: boolean): number {
  const { g } = ctx;
  const [B, L, F] = g.shapeOf(x);
  const G = GATES[cell] * H;
  const wih = ctx.param('w_ih', [F, G], init);
  const whh = ctx.param('w_hh', [H, G], init);
  const b = ctx.param('b', [G], init);
  const xg = g.apply('add', [g.apply('matmul', [x, wih]), b]);
  const ins = cell === 'gru' ? [xg, whh, ctx.param('b_hn', [H], init), mask] : [xg, whh, mask];
  const seq = g.apply(SCAN[cell], ins, { reverse });
  if (cell === 'rnn') return seq;
  return g.apply('slice', [seq], { begin: [0, 0, (PACKED[cell] - 1) * H], size: [B, L, H] });
}

function recurrent(cell: RecurrentCell, ctx: LayerCtx, cfg: LayerOf<RecurrentCell>, x: number): number {
  const { g } = ctx;
  const s = g.shapeOf(x);
  if (s.length !== 3) {
    throw new ShapeError(`a ${cell} layer needs a sequence [batch, length, features], got ${shapeStr(s)}`, ctx.place, 'put an embedding layer before it');
  }
  const [B, L] = s;
  const H = cfg.units;
  // Without token input every step is real: one mask row for every sample (a constant that does not depend on the batch size).
  const mask = ctx.mask(L) ?? g.constant(1, [1, L]);
  // PyTorch's default: every weight and bias uniform in ±1/√H.
  const init: InitConfig = cfg.init ?? { type: 'uniform', low: -1 / Math.sqrt(H), high: 1 / Math.sqrt(H) };
  let seq = x;
  const last: number[] = [];
  for (let k = 0; k < cfg.num_layers; k++) {
    if (k > 0) seq = drop(ctx, seq, cfg.dropout);
    const fwd = g.scope(`l${k}`, () => direction(ctx, cell, seq, mask, H, init, false));
    if (!cfg.bidirectional) {
      seq = fwd;
      if (k === cfg.num_layers - 1) last.push(fwd);
      continue;
    }
    const bwd = g.scope(`l${k}_reverse`, () => direction(ctx, cell, seq, mask, H, init, true));
    seq = g.apply('concat', [fwd, bwd], { axis: 2 });
    if (k === cfg.num_layers - 1) last.push(fwd, bwd);
  }
  if (cfg.return_sequences) return seq;
  // The forward state at the last position is the one at the last real token (carried through the
  // padding); the backward direction ends at position 0.
  const at = (h: number, t: number) => g.apply('reshape', [g.apply('slice', [h], { begin: [0, t, 0], size: [B, 1, H] })], { shape: [B, H] });
  const ends = last.map((h, i) => at(h, i === 0 ? L - 1 : 0));
  return ends.length === 1 ? ends[0] : g.apply('concat', ends, { axis: 1 });
}

export const rnn: LayerBuilder<'rnn'> = (ctx, cfg, [x]) => recurrent('rnn', ctx, cfg, x);
export const lstm: LayerBuilder<'lstm'> = (ctx, cfg, [x]) => recurrent('lstm', ctx, cfg, x);
export const gru: LayerBuilder<'gru'> = (ctx, cfg, [x]) => recurrent('gru', ctx, cfg, x);
