// pad: x surrounded by zeros, attrs.before[i] of them before and attrs.after[i] after axis i. Its
// VJP slices the gradient back out.
import type { CopyRowsPlan } from '../../kernels/kernels.js';
import { type Shape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { boxBytes, denseToBox } from './_box.js';

interface Attrs {
  [k: string]: unknown;
  before: readonly number[];
  after: readonly number[];
}

function paddedShape(x: Shape, attrs: Attrs): number[] {
  const { before, after } = attrs;
  const ok = (v: unknown) => Array.isArray(v) && v.length === x.length && v.every((d) => Number.isInteger(d) && d >= 0);
  if (!ok(before) || !ok(after)) throw new Error(`attributes before and after need one integer >= 0 per axis of ${shapeStr(x)}`);
  return x.map((d, i) => before[i] + d + after[i]);
}

export const pad = defineOp<Attrs, CopyRowsPlan>({
  doc: 'x surrounded by zeros; attrs before, after (per axis)',
  visibility: 'public',
  arity: 1,
  shape: ([x], attrs) => paddedShape(x, attrs),
  prepare: ([x], out, attrs) => denseToBox(x, out, attrs.before),
  prepareBytes: ([x], out) => boxBytes(x, out),
  forward: (k, [x], out, s) => {
    k.fill(out, 0);
    k.copyRows(x, out, s.prep);
  },
  vjp: (g, n, grad) => [g.apply('slice', [grad], { begin: [...(n.attrs.before as number[])], size: [...g.shapeOf(n.inputs[0])] })],
  gradCheck: [
    { shapes: [[3, 4]], attrs: { before: [1, 0], after: [2, 0] }, label: 'rows' },
    { shapes: [[2, 2, 3, 3]], attrs: { before: [0, 1, 2, 0], after: [1, 0, 1, 2] }, label: 'every axis' },
    { shapes: [[3]], attrs: { before: [0], after: [0] }, label: 'none' },
  ],
});
