// reshape: the same elements under another shape (one axis may be -1). A view: no copy.
import { type Shape, shapeStr, sizeOf } from '../../tensor/shape.js';
import { defineOp } from '../types.js';

export const reshape = defineOp<{ shape: number[] }>({
  doc: 'same data, new shape (one axis may be -1); a view',
  visibility: 'public',
  arity: 1,
  alias: true,
  shape: (ins, attrs) => {
    const target = attrs.shape;
    if (!Array.isArray(target)) throw new Error('attribute shape must be a list of sizes');
    const n = sizeOf(ins[0]);
    const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const free = target.filter((d) => d === -1).length;
    if (free > 1 || target.some((d) => d !== -1 && !(Number.isInteger(d) && d > 0))) throw new Error(`bad target shape ${shapeStr(target)}`);
    const out: Shape = target.map((d) => (d === -1 ? n / known : d));
    if (sizeOf(out) !== n || !out.every(Number.isInteger)) throw new Error(`cannot reshape ${shapeStr(ins[0])} (${n} elements) to ${shapeStr(target)}`);
    return out;
  },
  forward: (k, [x], out) => {
    if (x !== out) k.copy(x, out);
  },
  vjp: (g, n, grad) => [g.apply('reshape', [grad], { shape: [...g.shapeOf(n.inputs[0])] })],
  gradCheck: [{ shapes: [[3, 4]], attrs: { shape: [2, -1] } }],
});
