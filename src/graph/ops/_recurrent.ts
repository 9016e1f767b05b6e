// Shared by the recurrent scan ops (rnn_seq, lstm_seq, gru_seq) and their backward op
// (recurrent_seq_grad): shape rules, kernel dims, the gradient-check cases and the VJP, which is
// the backward kernel for the pre-activations plus matrix products of graph nodes for whh.
import type { RecurrentCell, RecurrentDims } from '../../kernels/kernels.js';
import { DGATES, GATES, PACKED } from '../../kernels/ts/recurrent.js';
import { type Shape, sameShape, shapeStr } from '../../tensor/shape.js';
import type { GraphBuilder } from '../builder.js';
import type { GradCase, Node } from '../types.js';

export interface ScanAttrs {
  [k: string]: unknown;
  /** Run from the last step to the first (the backward direction of a bidirectional layer). */
  reverse?: boolean;
}

export { DGATES, GATES, PACKED };

/** [batch, steps, hidden] of a scan's inputs xg [B, L, G·H], whh [H, G·H] and mask [B, L]; throws what does not fit. */
export function scanSizes(cell: RecurrentCell, xg: Shape, whh: Shape, mask: Shape): [number, number, number] {
  const G = GATES[cell];
  if (whh.length !== 2 || whh[1] !== G * whh[0]) throw new Error(`the recurrent weights must be [H, ${G}·H], got ${shapeStr(whh)}`);
  const H = whh[0];
  if (xg.length !== 3 || xg[2] !== G * H) throw new Error(`the input pre-activations must be [batch, steps, ${G * H}], got ${shapeStr(xg)}`);
  if (!sameShape(mask, [xg[0], xg[1]]) && !sameShape(mask, [1, xg[1]]))
    throw new Error(`the mask must be [batch, steps] = [${xg[0]}, ${xg[1]}] (or [1, ${xg[1]}], one row for every sample), got ${shapeStr(mask)}`);
  return [xg[0], xg[1], H];
}

export function scanDims(cell: RecurrentCell, [B, L, H]: [number, number, number], reverse: boolean, carry?: Float64Array): RecurrentDims {
  return { cell, batch: B, steps: L, hidden: H, reverse, carry };
}

/** The hidden states h₋ each step started from, [B·L, H] (zeros at the first step), or null for one step. */
function previousStates(g: GraphBuilder, packed: number, [B, L, H]: [number, number, number], reverse: boolean): number | null {
  if (L === 1) return null;
  const width = g.shapeOf(packed)[2];
  const h = g.apply('slice', [packed], { begin: [0, reverse ? 1 : 0, width - H], size: [B, L - 1, H] });
  const shifted = g.apply('pad', [h], reverse ? { before: [0, 0, 0], after: [0, 1, 0] } : { before: [0, 1, 0], after: [0, 0, 0] });
  return g.apply('reshape', [shifted], { shape: [B * L, H] });
}

/**
 * The VJP of a scan node: [dxg, dwhh, (dbhn,) null for the mask]. The backward kernel gives the
 * pre-activation gradients; dwhh = Σ over steps of h₋ᵀ · (recurrent pre-activation gradients),
 * one matrix product over all steps.
 */
export function scanVjp(cell: RecurrentCell, g: GraphBuilder, n: Node, grad: number): (number | null)[] {
  const gru = cell === 'gru';
  const [xg, whh] = n.inputs;
  const mask = n.inputs[gru ? 3 : 2];
  const sizes = scanSizes(cell, g.shapeOf(xg), g.shapeOf(whh), g.shapeOf(mask));
  const [B, L, H] = sizes;
  const reverse = n.attrs.reverse === true;
  const dg = g.apply('recurrent_seq_grad', [n.id, whh, mask, grad], { cell, reverse });
  const part = (from: number, width: number) => g.apply('slice', [dg], { begin: [0, 0, from], size: [B, L, width] });
  let dxg = dg;
  let drec = dg; // the gradients of the recurrent pre-activations, [B, L, G·H]
  let dbhn: number | null = null;
  if (gru) {
    const dhn = part(3 * H, H);
    dxg = part(0, 3 * H);
    drec = g.apply('concat', [part(0, 2 * H), dhn], { axis: 2 });
    dbhn = g.apply('sum', [dhn], { axes: [0, 1] });
  }
  const G = GATES[cell] * H;
  const hPrev = previousStates(g, n.id, sizes, reverse);
  const dwhh = hPrev === null ? g.constant(0, [H, G]) : g.apply('matmul', [hPrev, g.apply('reshape', [drec], { shape: [B * L, G] })], { transpose_a: true });
  return gru ? [dxg, dwhh, dbhn, null] : [dxg, dwhh, null];
}

/** Gradient-check cases of a scan: forward and reverse, with padding in the middle and at the ends, one step, and one mask row for the batch. */
export function scanCases(cell: RecurrentCell): GradCase[] {
  const G = GATES[cell];
  const gru = cell === 'gru';
  const shapes = (B: number, L: number, H: number): number[][] =>
    gru
      ? [[B, L, G * H], [H, G * H], [H], [B, L]]
      : [
          [B, L, G * H],
          [H, G * H],
          [B, L],
        ];
  const domains = (gru ? ['any', 'any', 'any', 'labels:2'] : ['any', 'any', 'labels:2']) as GradCase['domains'];
  return [
    { shapes: shapes(3, 4, 2), domains, label: 'forward' },
    { shapes: shapes(3, 4, 2), domains, attrs: { reverse: true }, label: 'reverse' },
    { shapes: shapes(2, 1, 3), domains, label: 'one step' },
    { shapes: shapes(2, 3, 2).map((sh, i, all) => (i === all.length - 1 ? [1, 3] : sh)), domains, label: 'one mask row' },
  ];
}
