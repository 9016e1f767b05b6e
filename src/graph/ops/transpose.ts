// transpose: permutes axes (reverses them by default).
import { transposePlan } from '../../kernels/plans.js';
import type { GatherPlan } from '../../kernels/kernels.js';
import type { Shape } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { gatherBytes } from './_common.js';

function permOf(s: Shape, perm?: number[]): number[] {
  const p = perm ?? [...s.keys()].reverse();
  const ok = p.length === s.length && [...p].sort((a, b) => a - b).every((v, i) => v === i);
  if (!ok) throw new Error(`perm [${p.join(', ')}] is not a permutation of ${s.length} axes`);
  return p;
}

export const transpose = defineOp<{ perm?: number[] }, GatherPlan>({
  doc: 'permute axes (reverse when perm is absent); attrs perm',
  visibility: 'public',
  arity: 1,
  shape: (ins, attrs) => permOf(ins[0], attrs.perm).map((p) => ins[0][p]),
  prepare: (ins, _out, attrs) => transposePlan(ins[0], permOf(ins[0], attrs.perm)),
  prepareBytes: (_ins, out) => gatherBytes(out),
  forward: (k, [x], out, s) => k.gather(x, out, s.prep),
  vjp: (g, n, grad) => {
    const perm = permOf(g.shapeOf(n.inputs[0]), n.attrs.perm as number[] | undefined);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.apply('transpose', [grad], { perm: inv })];
  },
  gradCheck: [{ shapes: [[3, 4]] }, { shapes: [[2, 3, 4]], attrs: { perm: [1, 2, 0] }, label: 'perm' }],
});
