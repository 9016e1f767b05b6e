// matmul: matrix product of the last two axes, with optional transposes. Batched when both
// inputs have the same leading axes, or when `b` is a single matrix shared by every batch of `a`.
import type { MatmulDims } from '../../kernels/kernels.js';
import { type Shape, sameShape, shapeStr } from '../../tensor/shape.js';
import { defineOp } from '../types.js';

interface MatmulAttrs {
  [k: string]: unknown;
  transpose_a?: boolean;
  transpose_b?: boolean;
}

function dims(ins: readonly Shape[], attrs: MatmulAttrs): MatmulDims & { lead: Shape } {
  const [a, b] = ins;
  if (a.length < 2 || b.length < 2) throw new Error('both inputs need at least 2 axes');
  const ta = !!attrs.transpose_a;
  const tb = !!attrs.transpose_b;
  const m = a[a.length - (ta ? 1 : 2)];
  const ka = a[a.length - (ta ? 2 : 1)];
  const kb = b[b.length - (tb ? 1 : 2)];
  const n = b[b.length - (tb ? 2 : 1)];
  if (ka !== kb) throw new Error(`inner sizes differ: ${ka} (of ${shapeStr(a)}) vs ${kb} (of ${shapeStr(b)})`);
  const leadA = a.slice(0, -2);
  const leadB = b.slice(0, -2);
  if (leadB.length && !sameShape(leadA, leadB)) {
    throw new Error(`batch axes differ: ${shapeStr(leadA)} vs ${shapeStr(leadB)}`);
  }
  const batch = leadA.reduce((x, y) => x * y, 1);
  return {
    lead: leadA,
    batch,
    m,
    n,
    k: ka,
    transA: ta,
    transB: tb,
    strideA: m * ka,
    strideB: leadB.length ? ka * n : 0,
  };
}

export const matmul = defineOp<MatmulAttrs, MatmulDims>({
  doc: 'matrix product over the last two axes; attrs transpose_a, transpose_b; batched',
  visibility: 'public',
  arity: 2,
  shape: (ins, attrs) => {
    const d = dims(ins, attrs);
    return [...d.lead, d.m, d.n];
  },
  prepare: (ins, _out, attrs) => dims(ins, attrs),
  forward: (k, [a, b], out, s) => k.matmul(a, b, out, s.prep),
  vjp: (g, node, grad) => {
    const [a, b] = node.inputs;
    const ta = !!node.attrs.transpose_a;
    const tb = !!node.attrs.transpose_b;
    const mm = (x: number, y: number, t1: boolean, t2: boolean) => g.apply('matmul', [x, y], { transpose_a: t1, transpose_b: t2 });
    // C = op(A)·op(B):  dop(A) = G·op(B)ᵀ,  dop(B) = op(A)ᵀ·G, transposed back when the op was.
    const shapeA = g.shapeOf(a);
    const shapeB = g.shapeOf(b);
    const sharedB = shapeB.length === 2 && shapeA.length > 2;
    const swapLast = (x: number) => {
      const perm = [...g.shapeOf(x).keys()];
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return g.apply('transpose', [x], { perm });
    };
    // With a shared b and a transposed a, op(B)·Gᵀ cannot batch over G, so take (G·op(B)ᵀ)ᵀ.
    const ga = !ta ? mm(grad, b, false, !tb) : sharedB ? swapLast(mm(grad, b, false, !tb)) : mm(b, grad, tb, true);
    let gb: number;
    if (sharedB) {
      // b was shared by every batch: fold the batch into the rows of a 2-D product.
      const rows = (s: Shape) => s.slice(0, -1).reduce((x, y) => x * y, 1);
      const g2 = g.apply('reshape', [grad], { shape: [rows(g.shapeOf(grad)), g.shapeOf(grad).at(-1)!] });
      if (ta) {
        // op(A) = Aᵀ per batch: transpose a's last two axes first, then fold.
        const at = swapLast(a);
        const a2 = g.apply('reshape', [at], { shape: [rows(g.shapeOf(at)), g.shapeOf(at).at(-1)!] });
        gb = tb ? mm(g2, a2, true, false) : mm(a2, g2, true, false);
      } else {
        const a2 = g.apply('reshape', [a], { shape: [rows(shapeA), shapeA.at(-1)!] });
        gb = tb ? mm(g2, a2, true, false) : mm(a2, g2, true, false);
      }
    } else {
      gb = tb ? mm(grad, a, true, ta) : mm(a, grad, !ta, false);
    }
    return [ga, gb];
  },
  gradCheck: [
    {
      shapes: [
        [3, 4],
        [4, 5],
      ],
    },
    {
      shapes: [
        [4, 3],
        [4, 5],
      ],
      attrs: { transpose_a: true },
      label: 'tA',
    },
    {
      shapes: [
        [3, 4],
        [5, 4],
      ],
      attrs: { transpose_b: true },
      label: 'tB',
    },
    {
      shapes: [
        [4, 3],
        [5, 4],
      ],
      attrs: { transpose_a: true, transpose_b: true },
      label: 'tAtB',
    },
    {
      shapes: [
        [2, 3, 4],
        [2, 4, 5],
      ],
      label: 'batched',
    },
    {
      shapes: [
        [2, 3, 4],
        [4, 5],
      ],
      label: 'shared b',
    },
    {
      shapes: [
        [2, 4, 3],
        [5, 4],
      ],
      attrs: { transpose_a: true, transpose_b: true },
      label: 'shared b, tAtB',
    },
  ],
});
