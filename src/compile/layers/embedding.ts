// embedding: integer ids [N] or [N, L] (float-encoded) to rows of a learnt table w [vocab, dim],
// giving [N, dim] or [N, L, dim]. An id outside 0 .. vocab-1 gives a row of NaN.
import { ShapeError } from '../../errors.js';
import { shapeStr } from '../../tensor/shape.js';
import type { LayerBuilder } from './types.js';

export const embedding: LayerBuilder<'embedding'> = (ctx, cfg, [ids]) => {
  const s = ctx.g.shapeOf(ids);
  if (s.length < 1 || s.length > 2) {
    throw new ShapeError(`an embedding layer needs integer ids [batch] or [batch, length], got ${shapeStr(s)}`, ctx.place);
  }
  const vocab = cfg.vocab ?? ctx.vocab;
  if (vocab === undefined) throw new ShapeError('an embedding layer needs vocab (the number of ids) unless the data is text', ctx.place, 'give vocab');
  if (ctx.vocab !== undefined && vocab < ctx.vocab) {
    // An id ≥ vocab would look up a row of NaN.
    throw new ShapeError(`vocab ${vocab} is smaller than the data's vocabulary of ${ctx.vocab} tokens`, ctx.place, "leave vocab out to use the data's");
  }
  const table = ctx.param('w', [vocab, cfg.dim], cfg.init);
  return ctx.g.apply('gather_rows', [table, ids]);
};
