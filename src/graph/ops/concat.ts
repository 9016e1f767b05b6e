// concat: a and b joined along attrs.axis (negative counts from the end; default -1); every other
// axis must agree. Two inputs: layers chain it for more. Its VJP slices the gradient apart.
import type { CopyRowsPlan } from '../../kernels/kernels.js';
import { type Shape, normAxes, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { boxBytes, denseToBox } from './_box.js';

interface Attrs {
  [k: string]: unknown;
  axis?: number;
}

function axisOf(a: Shape, b: Shape, attrs: Attrs): number {
  if (a.length !== b.length) throw new Error(`ranks differ: ${shapeStr(a)} and ${shapeStr(b)}`);
  if (a.length === 0) throw new Error('cannot concatenate scalars');
  const axis = attrs.axis ?? -1;
  if (!Number.isInteger(axis)) throw new Error(`attribute axis must be an integer, got ${JSON.stringify(axis)}`);
  const [ax] = normAxes([axis], a.length);
  if (!a.every((d, i) => i === ax || d === b[i])) {
    throw new Error(`${shapeStr(a)} and ${shapeStr(b)} differ on an axis other than the joined axis ${ax}`);
  }
  return ax;
}

export const concat = defineOp<Attrs, { a: CopyRowsPlan; b: CopyRowsPlan }>({
  doc: 'a and b joined along an axis; attrs axis (default -1)',
  visibility: 'public',
  arity: 2,
  shape: ([a, b], attrs) => {
    const ax = axisOf(a, b, attrs);
    return a.map((d, i) => (i === ax ? d + b[i] : d));
  },
  prepare: ([a, b], out, attrs) => {
    const ax = axisOf(a, b, attrs);
    const at = out.map((_, i) => (i === ax ? a[ax] : 0));
    return {
      a: denseToBox(
        a,
        out,
        out.map(() => 0),
      ),
      b: denseToBox(b, out, at),
    };
  },
  prepareBytes: ([a, b], out) => boxBytes(a, out) + boxBytes(b, out),
  forward: (k, [a, b], out, s) => {
    k.copyRows(a, out, s.prep.a);
    k.copyRows(b, out, s.prep.b);
  },
  vjp: (g, n, grad) => {
    const [a, b] = n.inputs;
    const sa = g.shapeOf(a);
    const sb = g.shapeOf(b);
    const ax = axisOf(sa, sb, n.attrs);
    const zero = sa.map(() => 0);
    const at = sa.map((_, i) => (i === ax ? sa[ax] : 0));
    return [g.apply('slice', [grad], { begin: zero, size: [...sa] }), g.apply('slice', [grad], { begin: at, size: [...sb] })];
  },
  gradCheck: [
    {
      shapes: [
        [2, 3],
        [2, 4],
      ],
      label: 'last axis',
    },
    {
      shapes: [
        [2, 1, 3, 2],
        [2, 3, 3, 2],
      ],
      attrs: { axis: 1 },
      label: 'channels',
    },
    {
      shapes: [
        [1, 3],
        [2, 3],
      ],
      attrs: { axis: -2 },
      label: 'first axis, negative',
    },
    { shapes: [[3], [2]], attrs: { axis: 0 }, label: 'vectors' },
  ],
});
