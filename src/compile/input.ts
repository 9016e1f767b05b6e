// The input encoder of a table with embedded categorical columns (data/columns.ts): the encoded
// row holds the numeric and one-hot inputs first and one category index per embedded column last;
// each index picks a row of its column's learnt table (gather_rows), and the vectors are joined to
// the dense inputs. What the model's first layer sees is that joined row. Each table is a
// parameter `input/<column>/w` (a column whose name is not a plain word is `input/column<j>/w`,
// j its place among the embedded columns).
import type { InputLayout } from '../data/columns.js';
import type { LayerCtx } from './layers/types.js';

/** The name of the scope of embedded column j, inside the scope `input`. */
function embeddingScope(column: string, j: number): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) ? column : `column${j}`;
}

/** The joined row [batch, dense + Σ dim] from the encoded input x [batch, dense + embedded]. */
export function encodeInputs(ctx: LayerCtx, x: number, layout: InputLayout): number {
  return ctx.g.scope('input', () => joined(ctx, x, layout));
}

function joined(ctx: LayerCtx, x: number, layout: InputLayout): number {
  const { g } = ctx;
  const [batch] = g.shapeOf(x);
  let h = layout.dense > 0 ? g.apply('slice', [x], { begin: [0, 0], size: [batch, layout.dense] }) : -1;
  layout.embedded.forEach((e, j) => {
    const v = g.scope(embeddingScope(e.column, j), () => {
      const ids = g.apply('reshape', [g.apply('slice', [x], { begin: [0, layout.dense + j], size: [batch, 1] })], { shape: [batch] });
      const table = ctx.param('w', [e.vocab, e.dim], { type: 'normal', mean: 0, std: 0.05 });
      return g.apply('gather_rows', [table, ids]);
    });
    h = h < 0 ? v : g.apply('concat', [h, v], { axis: 1 });
  });
  return h;
}
