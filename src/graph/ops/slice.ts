// slice: the box of x starting at attrs.begin with attrs.size elements per axis (a size of -1
// runs to the end of its axis). Its VJP pads the gradient back with zeros.
import type { CopyRowsPlan } from '../../kernels/kernels.js';
import { type Shape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { boxBytes, boxToDense } from './_box.js';

interface Attrs {
  [k: string]: unknown;
  begin: readonly number[];
  size: readonly number[];
}

function sizeOfBox(x: Shape, attrs: Attrs): number[] {
  const { begin, size } = attrs;
  if (!Array.isArray(begin) || !Array.isArray(size) || begin.length !== x.length || size.length !== x.length) {
    throw new Error(`attributes begin and size need one integer per axis of ${shapeStr(x)}`);
  }
  return x.map((d, i) => {
    const b = begin[i];
    const s = size[i] === -1 ? d - b : size[i];
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 1 || b + s > d) {
      throw new Error(`begin [${begin.join(', ')}] with size [${size.join(', ')}] is not inside ${shapeStr(x)}`);
    }
    return s;
  });
}

export const slice = defineOp<Attrs, CopyRowsPlan>({
  doc: 'the box of x at begin with size per axis (-1: to the end); attrs begin, size',
  visibility: 'public',
  arity: 1,
  shape: ([x], attrs) => sizeOfBox(x, attrs),
  prepare: ([x], out, attrs) => boxToDense(out, x, attrs.begin),
  prepareBytes: ([x], out) => boxBytes(out, x),
  forward: (k, [x], out, s) => k.copyRows(x, out, s.prep),
  vjp: (g, n, grad) => {
    const x = g.shapeOf(n.inputs[0]);
    const begin = n.attrs.begin as number[];
    const out = n.shape;
    return [g.apply('pad', [grad], { before: [...begin], after: x.map((d, i) => d - begin[i] - out[i]) })];
  },
  gradCheck: [
    { shapes: [[5, 4]], attrs: { begin: [1, 0], size: [3, -1] }, label: 'rows' },
    { shapes: [[2, 3, 5, 4]], attrs: { begin: [0, 1, 1, 2], size: [2, 2, 3, 1] }, label: 'inner box' },
    { shapes: [[7]], attrs: { begin: [2], size: [4] }, label: 'vector' },
  ],
});
