// transpose: permutes axes (reverses them by default). A permutation that keeps the trailing axes
// in place (splitting attention heads: [B, L, H, dh] → [H, B, L, dh]) runs as copies of their
// contiguous runs, with one offset per run instead of one per element; any other is a gather.
// Both move the same values, so results are the same bits either way.
import { transposePlan, transposeRunsPlan } from '../../kernels/plans.js';
import type { CopyRowsPlan, GatherPlan } from '../../kernels/kernels.js';
import type { Shape } from '../../tensor/shape.js';
import { defineOp } from '../types.js';
import { gatherBytes } from './_common.js';

/** Runs shorter than this go through the gather (a copy loop per run does not pay for itself). */
const MIN_RUN = 8;

function permOf(s: Shape, perm?: number[]): number[] {
  const p = perm ?? [...s.keys()].reverse();
  const ok = p.length === s.length && [...p].sort((a, b) => a - b).every((v, i) => v === i);
  if (!ok) throw new Error(`perm [${p.join(', ')}] is not a permutation of ${s.length} axes`);
  return p;
}

type TransposePlan = { readonly gather: GatherPlan } | { readonly runs: CopyRowsPlan };

export const transpose = defineOp<{ perm?: number[] }, TransposePlan>({
  doc: 'permute axes (reverse when perm is absent); attrs perm',
  visibility: 'public',
  arity: 1,
  shape: (ins, attrs) => permOf(ins[0], attrs.perm).map((p) => ins[0][p]),
  prepare: (ins, _out, attrs) => {
    const perm = permOf(ins[0], attrs.perm);
    const runs = transposeRunsPlan(ins[0], perm, MIN_RUN);
    return runs ? { runs } : { gather: transposePlan(ins[0], perm) };
  },
  prepareBytes: (ins, out, attrs) => {
    const runs = transposeRunsPlan(ins[0], permOf(ins[0], attrs.perm), MIN_RUN);
    return runs ? 2 * 4 * runs.src.length : gatherBytes(out);
  },
  forward: (k, [x], out, s) => {
    const p = s.prep;
    if ('runs' in p) k.copyRows(x, out, p.runs);
    else k.gather(x, out, p.gather);
  },
  vjp: (g, n, grad) => {
    const perm = permOf(g.shapeOf(n.inputs[0]), n.attrs.perm as number[] | undefined);
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.apply('transpose', [grad], { perm: inv })];
  },
  gradCheck: [
    { shapes: [[3, 4]] },
    { shapes: [[2, 3, 4]], attrs: { perm: [1, 2, 0] }, label: 'perm' },
    { shapes: [[2, 3, 2, 8]], attrs: { perm: [2, 0, 1, 3] }, label: 'runs of the last axis' },
    { shapes: [[3, 2, 4, 2]], attrs: { perm: [1, 0, 2, 3] }, label: 'runs of the last two axes' },
  ],
});
