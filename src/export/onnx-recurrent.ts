// The recurrent layers (rnn, lstm, gru) as ONNX RNN, LSTM and GRU nodes, one per layer and
// direction. In dlf's graph a direction is x·w_ih + b (a matmul and an add), the fused scan
// (rnn_seq, lstm_seq, gru_seq) and, for LSTM and GRU, a slice that takes h out of the scan's
// packed per-step output; those nodes become one ONNX node whose W, R and B are the layer's
// weights with their gate blocks reordered (ONNX's LSTM gates are i, o, f, c where dlf's are
// i, f, g, o; ONNX's GRU gates z, r, h where dlf's are r, z, n) and transposed to [G·H, F].
// dlf's GRU applies r after the recurrent product (PyTorch's form), which is ONNX's
// linear_before_reset = 1 with b_hn as the recurrent bias of the h block.
//
// Padding. dlf skips every step whose mask is 0, wherever it is, and carries the state through
// it: the output at a skipped step is the state of the last real step before it (forward) or
// after it (reverse), zero when there is none. ONNX's ops take instead a length per sample
// (sequence_lens), read the first `length` steps and leave zeros after them. So, when the mask
// comes from token ids, the export
//   1. moves each sample's real steps to the front, in order (TopK of a sort key, Gather),
//   2. runs the ONNX op with sequence_lens = the number of real steps,
//   3. puts each output step back where dlf has it: at step t, with c_t the number of real steps
//      up to t, the forward direction's output is the compact step c_t − 1 and the reverse one's
//      the compact step c_t − mask_t; positions with no such real step (leading padding forward,
//      trailing padding in reverse) are set to zero explicitly, not left to the runtime's zeros.
// With right padding (how dlf pads) step 1 leaves the order as it is, and step 3 repeats the last
// real state over the padding, as dlf does; a 0 id inside a sequence is skipped as dlf skips it.
// When the model input is not tokens every step is real: the op runs on the whole sequence.
import type { RecurrentCell } from '../kernels/kernels.js';
import { GATES, PACKED } from '../kernels/ts/recurrent.js';
import type { Node } from '../graph/types.js';
import type { OnnxGraph } from './onnx-graph.js';
import { DataType } from './onnx-proto.js';
import { type SymDim, isBatchDim } from './onnx-ops.js';

const CELL: Partial<Record<string, RecurrentCell>> = { rnn_seq: 'rnn', lstm_seq: 'lstm', gru_seq: 'gru' };
const ONNX_OP: Record<RecurrentCell, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };
/** ONNX's gate block k is dlf's block ORDER[cell][k]. */
const ORDER: Record<RecurrentCell, readonly number[]> = { rnn: [0], lstm: [0, 3, 1, 2], gru: [1, 0, 2] };

/** One direction of one recurrent layer, as the nodes of dlf's graph that make it. */
export interface ScanPlan {
  readonly cell: RecurrentCell;
  readonly reverse: boolean;
  readonly scan: number;
  /** The node whose value is the direction's hidden states [B, L, H]: the slice of h (LSTM, GRU) or the scan (RNN). */
  readonly outer: number;
  /** Nodes that the ONNX node replaces besides `outer`: the input projection's matmul and add, and the scan (LSTM, GRU). */
  readonly inner: readonly number[];
  /** The input projection x·w_ih + b that feeds the scan: the ids of x, w_ih and b. */
  readonly projection: { readonly x: number; readonly wih: number; readonly b: number };
  readonly whh: number;
  readonly bhn?: number;
  readonly mask: number;
}

/**
 * The recurrent directions of the needed part of the graph, by the id of their outer node. A scan
 * that is not fed x·w_ih + b, or whose packed output something other than one slice of h reads,
 * is left out (the layers never make one; export would fail at it, naming the layer).
 */
export function recurrentScans(
  nodes: readonly Node[],
  needed: readonly number[],
  constant: ReadonlySet<number>,
  readers: ReadonlyMap<number, number>,
): Map<number, ScanPlan> {
  const plans = new Map<number, ScanPlan>();
  const readersOf = new Map<number, number[]>();
  for (const id of needed) for (const i of nodes[id].inputs) readersOf.set(i, [...(readersOf.get(i) ?? []), id]);
  for (const id of needed) {
    const n = nodes[id];
    const cell = CELL[n.op];
    if (!cell || constant.has(id)) continue;
    const [xg, whh, ...rest] = n.inputs;
    const bhn = cell === 'gru' ? rest[0] : undefined;
    const mask = rest[rest.length - 1];
    if (!constant.has(whh) || (bhn !== undefined && !constant.has(bhn))) continue;
    const H = nodes[whh].shape[0];
    let outer = id;
    const inner: number[] = [];
    if (cell !== 'rnn') {
      const users = readersOf.get(id) ?? [];
      const s = nodes[users[0]];
      const [B, L] = n.shape;
      const begin = s?.attrs.begin as number[] | undefined;
      const size = s?.attrs.size as number[] | undefined;
      const takesH = users.length === 1 && s.op === 'slice' && begin?.join() === [0, 0, (PACKED[cell] - 1) * H].join() && size?.join() === [B, L, H].join();
      if (!takesH) continue;
      outer = s.id;
      inner.push(id);
    }
    const add = nodes[xg];
    if (add.op !== 'add' || readers.get(xg) !== 1 || !constant.has(add.inputs[1]) || nodes[add.inputs[1]].shape.length !== 1) continue;
    const mm = nodes[add.inputs[0]];
    const plain = mm.op === 'matmul' && !mm.attrs.transpose_a && !mm.attrs.transpose_b;
    if (!plain || readers.get(mm.id) !== 1 || !constant.has(mm.inputs[1]) || nodes[mm.inputs[1]].shape.length !== 2) continue;
    inner.push(xg, mm.id);
    const projection = { x: mm.inputs[0], wih: mm.inputs[1], b: add.inputs[1] };
    plans.set(outer, { cell, reverse: n.attrs.reverse === true, scan: id, outer, inner, projection, whh, bhn, mask });
  }
  return plans;
}

/** What emitting a direction needs from the model's emitter. */
export interface ScanContext {
  readonly g: OnnxGraph;
  readonly nodes: readonly Node[];
  readonly dims: readonly (readonly SymDim[])[];
  /** The ONNX value of a node (computed or an initializer). */
  use(id: number): string;
  /** The values of a constant node. */
  valuesOf(id: number): Float32Array;
  /** The padding values derived from a mask, shared by every direction that reads the same mask. */
  readonly masks: Map<string, MaskPrep>;
  fail(why: string, hint?: string): never;
}

/** Values derived from a token mask [B, L] for packing, running and unpacking the steps. */
export interface MaskPrep {
  /** int32 [B]: real steps per sample. */
  readonly lengths: string;
  /** int64 [B, L]: the positions of the real steps first, in order, then those of the padding. */
  readonly order: string;
  /** int64 [B, L]: the compact step whose output the forward and the reverse direction have at each position. */
  readonly forward: string;
  readonly reverse: string;
  /** float [B, L, 1]: 1 where that compact step exists, 0 where dlf's output is the zero state. */
  readonly forwardKeep: string;
  readonly reverseKeep: string;
  /** int64 [B, 1]: b·L, the first row of sample b in values [B, L, W] seen as rows [B·L, W]. */
  readonly rowBase: string;
  /** `order`, `forward` and `reverse` as rows of [B·L, W] (row b·L + index), made on first use. */
  readonly rows: Map<string, string>;
}

/** Emits the ONNX node of one direction into `out`, a value [B, L, H]. */
export function emitScan(ctx: ScanContext, plan: ScanPlan, out: string): void {
  const { g, nodes } = ctx;
  const { cell } = plan;
  const H = nodes[plan.whh].shape[0];
  const G = GATES[cell];
  const order = ORDER[cell];
  const input = plan.projection.x;
  const inDims = ctx.dims[input];
  const [, L, F] = inDims;
  if (inDims.length !== 3 || !isBatchDim(inDims[0]) || inDims[0].batch !== 1 || isBatchDim(L) || isBatchDim(F)) {
    ctx.fail(`its input is [${inDims.map((d) => (isBatchDim(d) ? 'N' : d)).join(', ')}], not [N, steps, features]`);
  }
  const steps = L as number;
  const width = F as number;
  // The direction's scope, e.g. layer1/gru/l0 (its parameters are <scope>/w_hh, ...).
  const whhName = nodes[plan.whh].name;
  const scope = whhName.includes('/') ? whhName.slice(0, whhName.lastIndexOf('/')) : nodes[plan.outer].name;

  // W [1, G·H, F], R [1, G·H, H], B [1, 2·G·H] in ONNX's gate order.
  const W = new Float32Array(G * H * width);
  const R = new Float32Array(G * H * H);
  const B = new Float32Array(2 * G * H);
  const whh = ctx.valuesOf(plan.whh);
  const wih = ctx.valuesOf(plan.projection.wih);
  const b = ctx.valuesOf(plan.projection.b);
  for (let k = 0; k < G; k++) {
    const from = order[k] * H;
    for (let j = 0; j < H; j++) {
      const row = k * H + j;
      for (let f = 0; f < width; f++) W[row * width + f] = wih[f * G * H + from + j];
      for (let i = 0; i < H; i++) R[row * H + i] = whh[i * G * H + from + j];
      B[row] = b[from + j];
    }
  }
  if (plan.bhn !== undefined) B.set(ctx.valuesOf(plan.bhn), G * H + 2 * H); // the recurrent bias of GRU's h block
  const Wname = g.floats(`${scope}/W`, [1, G * H, width], W);
  const Rname = g.floats(`${scope}/R`, [1, G * H, H], R);
  const Bname = g.floats(`${scope}/B`, [1, 2 * G * H], B);

  const maskNode = nodes[plan.mask];
  const allReal = maskNode.op === 'const' && maskNode.attrs.values === undefined && maskNode.attrs.value === 1;
  const x = ctx.use(input);
  const attrs = {
    hidden_size: H,
    direction: plan.reverse ? 'reverse' : 'forward',
    ...(cell === 'gru' ? { linear_before_reset: 1 } : {}),
  };
  if (allReal) {
    const X = g.node('Transpose', [x], { perm: [1, 0, 2] }, `${scope}/steps_first`);
    const Y = g.node(ONNX_OP[cell], [X, Wname, Rname, Bname], attrs, `${scope}/Y`);
    const Y3 = g.node('Squeeze', [Y, g.ints([1])], {}, `${scope}/Y_squeezed`);
    g.node('Transpose', [Y3], { perm: [1, 0, 2] }, out);
    return;
  }
  if (ctx.dims[plan.mask].length !== 2 || ctx.dims[plan.mask][1] !== steps) ctx.fail('its mask is not [N, steps]');
  const mask = ctx.use(plan.mask);
  let prep = ctx.masks.get(mask);
  if (!prep) {
    prep = maskPrep(g, mask, steps);
    ctx.masks.set(mask, prep);
  }
  const packed = gatherSteps(g, prep, x, 'order', width, `${scope}/real_steps_first`);
  const X = g.node('Transpose', [packed], { perm: [1, 0, 2] }, `${scope}/steps_first`);
  const Y = g.node(ONNX_OP[cell], [X, Wname, Rname, Bname, prep.lengths], attrs, `${scope}/Y`);
  const Y3 = g.node('Squeeze', [Y, g.ints([1])], {}, `${scope}/Y_squeezed`);
  const compact = g.node('Transpose', [Y3], { perm: [1, 0, 2] }, `${scope}/Y_compact`);
  const dir = plan.reverse ? 'reverse' : 'forward';
  const placed = gatherSteps(g, prep, compact, dir, H, `${scope}/Y_placed`);
  g.node('Mul', [placed, plan.reverse ? prep.reverseKeep : prep.forwardKeep], {}, out);
}

function maskPrep(g: OnnxGraph, mask: string, steps: number): MaskPrep {
  const lengthsF = g.node('ReduceSum', [mask, g.ints([1])], { keepdims: 0 }, 'mask/real_steps');
  const lengths = g.node('Cast', [lengthsF], { to: DataType.INT32 }, 'mask/sequence_lens');
  const lengths64 = g.node('Unsqueeze', [g.node('Cast', [lengthsF], { to: DataType.INT64 }, 'mask/real_steps_i64'), g.ints([1])], {}, 'mask/real_steps_column');
  // c_t: real steps up to and including t.
  const counted = g.node('CumSum', [mask, g.constant(DataType.INT64, [], [1], 'axis_1')], {}, 'mask/real_so_far');
  const c = g.node('Cast', [counted], { to: DataType.INT64 }, 'mask/real_so_far_i64');
  const real = g.node('Cast', [mask], { to: DataType.INT64 }, 'mask/i64');
  const one = g.constant(DataType.INT64, [], [1], 'one_i64');
  const zero = g.constant(DataType.INT64, [], [0], 'zero_i64');
  const previous = g.node('Sub', [c, one], {}, 'mask/forward_step');
  const forward = g.node('Max', [previous, zero], {}, 'mask/forward_index');
  const reverse = g.node('Sub', [c, real], {}, 'mask/reverse_index');
  const keep = (cond: string, hint: string) => g.node('Unsqueeze', [g.node('Cast', [cond], { to: DataType.FLOAT }, `${hint}_float`), g.ints([2])], {}, hint);
  const forwardKeep = keep(g.node('Greater', [c, zero], {}, 'mask/forward_exists'), 'mask/forward_keep');
  const reverseKeep = keep(g.node('Less', [reverse, lengths64], {}, 'mask/reverse_exists'), 'mask/reverse_keep');
  // Sort key: a real step t sorts as t, a padded one as steps + t; the ascending order of the keys puts the real steps first.
  const padded = g.node('Sub', [g.scalar(1), mask], {}, 'mask/padded');
  const key = g.node(
    'Add',
    [
      g.node('Mul', [padded, g.scalar(steps)], {}, 'mask/padded_offset'),
      g.constant(
        DataType.FLOAT,
        [steps],
        Array.from({ length: steps }, (_, t) => t),
        'positions',
      ),
    ],
    {},
    'mask/sort_key',
  );
  const [, order] = g.nodeOutputs('TopK', [key, g.ints([steps])], { axis: 1, largest: 0, sorted: 1 }, ['mask/sorted_keys', 'mask/order']);
  const batch = g.node('Gather', [g.node('Shape', [mask], {}, 'mask/shape'), zero], { axis: 0 }, 'mask/batch');
  const samples = g.node('Range', [zero, batch, one], {}, 'mask/samples');
  const rowBase = g.node(
    'Unsqueeze',
    [g.node('Mul', [samples, g.constant(DataType.INT64, [], [steps], 'steps_i64')], {}, 'mask/first_rows'), g.ints([1])],
    {},
    'mask/first_rows_column',
  );
  return { lengths, order, forward, reverse, forwardKeep, reverseKeep, rowBase, rows: new Map() };
}

/**
 * `values` [B, L, width] with the steps of each sample picked by the index [B, L] `which`: one
 * Gather of rows from the values seen as [B·L, width] (cheaper than GatherElements, whose index
 * would have to be expanded to the values' shape).
 */
function gatherSteps(g: OnnxGraph, prep: MaskPrep, values: string, which: 'order' | 'forward' | 'reverse', width: number, out: string): string {
  let rows = prep.rows.get(which);
  if (rows === undefined) {
    rows = g.node('Add', [prep[which], prep.rowBase], {}, `mask/${which}_rows`);
    prep.rows.set(which, rows);
  }
  const flat = g.node('Reshape', [values, g.ints([-1, width])], {}, `${out}/rows`);
  return g.node('Gather', [flat, rows], { axis: 0 }, out);
}
