// gather_rows: rows of a table [V, D] picked by ids [...] (float-encoded integers) → [..., D]; an
// id outside 0 .. V-1 gives a row of NaN. The embedding lookup. Its VJP with respect to the table
// is scatter_add_rows; ids get none.
import type { GatherRowsDims } from '../../kernels/kernels.js';
import { type Shape, shapeStr, sizeOf } from '../../tensor/shape.js';
import { defineOp } from '../types.js';

function dims([table, ids]: readonly Shape[]): GatherRowsDims {
  if (table.length !== 2) throw new Error(`the table must be [rows, columns], got ${shapeStr(table)}`);
  return { rows: sizeOf(ids), cols: table[1], vocab: table[0] };
}

export const gather_rows = defineOp<{ [k: string]: unknown }, GatherRowsDims>({
  doc: 'rows of table [V,D] picked by integer ids [...] → [...,D]',
  visibility: 'public',
  arity: 2,
  shape: ([table, ids]) => {
    dims([table, ids]);
    return [...ids, table[1]];
  },
  prepare: (ins) => dims(ins),
  forward: (k, [table, ids], out, s) => k.gatherRows(table, ids, out, s.prep),
  vjp: (g, n, grad) => {
    const [table, ids] = n.inputs;
    return [g.apply('scatter_add_rows', [ids, grad], { rows: g.shapeOf(table)[0] }), null];
  },
  gradCheck: [
    { shapes: [[4, 3], [6]], domains: ['any', 'labels:4'], label: 'vector of ids' },
    {
      shapes: [
        [3, 2],
        [2, 5],
      ],
      domains: ['any', 'labels:3'],
      label: 'matrix of ids',
    },
  ],
});
