// sequence_pool: [B, L, D] → [B, D] over the length axis, leaving padding out when the model input
// is tokens (ctx.mask(), 1 at real tokens; padding is at the end of each sequence):
//   mean: the sum over real positions divided by their count;
//   max:  the maximum over real positions;
//   last: the value at the last real position.
// Without a mask every position counts (last = position L − 1). A sequence with no real token
// (all padding) pools to zeros.
import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../tensor/shape.js';
import { maskBias } from './attention.js';
import type { LayerBuilder } from './types.js';

export const sequence_pool: LayerBuilder<'sequence_pool'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const s = g.shapeOf(x);
  if (s.length !== 3) throw new ShapeError(`a sequence_pool layer needs input [batch, length, dim], got ${shapeStr(s)}`, ctx.place);
  const [B, L, D] = s;
  const m = ctx.mask(L);
  if (m === undefined) {
    if (cfg.mode === 'mean') return g.apply('mean', [x], { axes: [1] });
    if (cfg.mode === 'max') return g.apply('max', [x], { axes: [1] });
    return g.apply('reshape', [g.apply('slice', [x], { begin: [0, L - 1, 0], size: [B, 1, D] })], { shape: [B, D] });
  }
  const m3 = g.apply('reshape', [m], { shape: [B, L, 1] });
  const count = g.apply('sum', [m], { axes: [1], keepdims: true }); // [B, 1]
  const empty = g.apply('eq', [count, g.constant(0)]); // 1 for an all-padding sequence
  if (cfg.mode === 'mean') {
    const total = g.apply('sum', [g.apply('mul', [x, m3])], { axes: [1] });
    return g.apply('div', [total, g.apply('add', [count, empty])]);
  }
  if (cfg.mode === 'max') {
    // Padding gets −1e9 added, so it is never the maximum of a sequence with a real token.
    const shifted = g.apply('add', [x, maskBias(g, m3)]);
    const top = g.apply('max', [shifted], { axes: [1] });
    return g.apply('mul', [top, g.apply('sub', [g.constant(1), empty])]);
  }
  // last: a one-hot row at count − 1 (none for an empty sequence), then a masked sum.
  const pick = g.apply('one_hot', [g.apply('reshape', [g.apply('sub', [count, g.constant(1)])], { shape: [B] })], { depth: L });
  return g.apply('sum', [g.apply('mul', [x, g.apply('reshape', [pick], { shape: [B, L, 1] })])], { axes: [1] });
};
