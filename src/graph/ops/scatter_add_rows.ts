// scatter_add_rows: sums rows of src [..., D] into a zero table [attrs.rows, D] at ids [...]
// (float-encoded integers; ids out of range are skipped). The gradient of gather_rows; its own
// VJP (for src) is gather_rows, ids get none.
import type { GatherRowsDims } from '../../kernels/kernels.js';
import { type Shape, shapeStr, sizeOf } from '../../tensor/shape.js';
import { defineOp } from '../types.js';

function dims([ids, src]: readonly Shape[], attrs: { rows?: unknown }): GatherRowsDims {
  const rows = attrs.rows;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1) throw new Error('attribute rows must be a positive integer');
  if (src.length !== ids.length + 1 || !ids.every((d, i) => d === src[i])) {
    throw new Error(`src ${shapeStr(src)} must be the ids' shape ${shapeStr(ids)} plus a row axis`);
  }
  return { rows: sizeOf(ids), cols: src[src.length - 1], vocab: rows };
}

export const scatter_add_rows = defineOp<{ [k: string]: unknown; rows: number }, GatherRowsDims>({
  doc: 'rows of src [...,D] summed into a zero table [rows,D] at integer ids [...]; attrs rows',
  visibility: 'internal',
  arity: 2,
  shape: (ins, attrs) => {
    const d = dims(ins, attrs);
    return [d.vocab, d.cols];
  },
  prepare: (ins, _out, attrs) => dims(ins, attrs),
  forward: (k, [ids, src], out, s) => k.scatterAddRows(ids, src, out, s.prep),
  vjp: (g, n, grad) => [null, g.apply('gather_rows', [grad, n.inputs[0]])],
  gradCheck: [
    { shapes: [[6], [6, 3]], attrs: { rows: 4 }, domains: ['labels:4', 'any'], label: 'vector of ids' },
    {
      shapes: [
        [2, 5],
        [2, 5, 2],
      ],
      attrs: { rows: 3 },
      domains: ['labels:3', 'any'],
      label: 'matrix of ids',
    },
  ],
});
