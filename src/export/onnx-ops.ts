// The ONNX form of every primitive op of dlf's graph (opset 17): a table with one entry per op
// name, either an emitter that adds the ONNX nodes computing the op, or the reason it has none.
// The mapped type makes the compiler reject an op without a decision. Ops that only autodiff or
// the graph optimiser make never appear in an inference graph as export builds it (forward,
// evaluation mode, not optimised); their entries say so.
//
// Values are float32 tensors throughout, in dlf's layouts (NCHW for images, [in, out] weights),
// which are ONNX's own, so no op needs its data rearranged. Shapes are dlf's with the batch axis
// symbolic: `SymDim` is a fixed size or the batch size times a factor.
import type { OpName } from '../graph/ops/index.js';
import type { Node } from '../graph/types.js';
import { normAxes } from '../tensor/shape.js';
import { convAttrsOf, poolAttrsOf } from '../graph/ops/_window.js';
import type { OnnxGraph } from './onnx-graph.js';
import { DataType } from './onnx-proto.js';

/** A size along one axis: fixed, or the batch size times `batch`. */
export type SymDim = number | { readonly batch: number };

export const isBatchDim = (d: SymDim): d is { readonly batch: number } => typeof d !== 'number';

/** What an emitter gets: the node, its inputs as ONNX values, and the name its result must have. */
export interface Emit {
  readonly g: OnnxGraph;
  readonly node: Node;
  /** ONNX value names of the node's inputs, in order. */
  readonly ins: readonly string[];
  /** Shapes of the inputs and of the output, with the batch axis symbolic. */
  readonly inDims: readonly (readonly SymDim[])[];
  readonly outDims: readonly SymDim[];
  /** The name of the value the emitter must compute. */
  readonly out: string;
  /** Throws an ExportError naming this node, its op and its layer. */
  fail(why: string, hint?: string): never;
}

export type Emitter = (e: Emit) => void;

/** An op with no ONNX form, and why. */
export interface NoForm {
  readonly none: string;
}

const TRAINING_ONLY: NoForm = { none: 'it is made only by autodiff for training programs and has no place in an inference graph' };
const RECURRENT: NoForm = {
  none: "a recurrent scan is exported with its layer's input projection and the slice of h as one ONNX RNN, LSTM or GRU node (onnx-recurrent.ts), and this one is not read that way",
};
const FUSED: NoForm = { none: "it is a fused op of dlf's graph optimiser, which export runs before" };

const binary =
  (op: string): Emitter =>
  (e) =>
    void e.g.node(op, e.ins, {}, e.out);
const unary =
  (op: string): Emitter =>
  (e) =>
    void e.g.node(op, [e.ins[0]], {}, e.out);

/** The axes of a reduction, normalised (all axes when the op has none). */
function reduceAxes(e: Emit): number[] {
  return normAxes(e.node.attrs.axes as number[] | undefined, e.inDims[0].length);
}

const keepdims = (e: Emit) => (e.node.attrs.keepdims ? 1 : 0);

/** A reduction whose axes are an attribute in opset 17 (ReduceMean, ReduceMax). */
const reduceAttr =
  (op: string): Emitter =>
  (e) =>
    void e.g.node(op, [e.ins[0]], { axes: reduceAxes(e), keepdims: keepdims(e) }, e.out);

/** The same value with its last two axes swapped. */
function swapLast(e: Emit, value: string, rank: number): string {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return e.g.node('Transpose', [value], { perm }, `${e.out}/transpose`);
}

/**
 * A target shape for Reshape or Expand with the batch axis written as `batchAs` (-1 for
 * Reshape, which infers it; 1 for Expand, which keeps the input's). At most one axis may depend
 * on the batch size.
 */
function staticShape(e: Emit, dims: readonly SymDim[], batchAs: number): number[] {
  const batchAxes = dims.filter(isBatchDim).length;
  if (batchAxes > 1) e.fail('its result has more than one axis that depends on the batch size, which a static ONNX shape cannot say');
  return dims.map((d) => (isBatchDim(d) ? batchAs : d));
}

/** Class index labels of any shape as int64 with a trailing axis of 1. */
function labelsColumn(e: Emit, labels: string): string {
  const ids = e.g.node('Cast', [labels], { to: DataType.INT64 }, `${e.out}/ids`);
  return e.g.node('Unsqueeze', [ids, e.g.ints([-1])], {}, `${e.out}/ids_column`);
}

export const ONNX_OPS: { readonly [K in OpName]: Emitter | NoForm } = {
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  eq: (e) => {
    const b = e.g.node('Equal', e.ins, {}, `${e.out}/equal`);
    e.g.node('Cast', [b], { to: DataType.FLOAT }, e.out);
  },
  neg: unary('Neg'),
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  pow: (e) => void e.g.node('Pow', [e.ins[0], e.g.scalar(e.node.attrs.exponent as number)], {}, e.out),
  relu: unary('Relu'),
  leaky_relu: (e) => void e.g.node('LeakyRelu', [e.ins[0]], { alpha: { f: (e.node.attrs.alpha as number | undefined) ?? 0.01 } }, e.out),
  step: (e) => {
    const pos = e.g.node('Greater', [e.ins[0], e.g.scalar(0)], {}, `${e.out}/positive`);
    e.g.node('Where', [pos, e.g.scalar(1), e.g.scalar((e.node.attrs.low as number | undefined) ?? 0)], {}, e.out);
  },
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  matmul: (e) => {
    // ONNX MatMul has no transpose flags (Gemm has, but only for matrices): swap axes first.
    const a = e.node.attrs.transpose_a ? swapLast(e, e.ins[0], e.inDims[0].length) : e.ins[0];
    const b = e.node.attrs.transpose_b ? swapLast(e, e.ins[1], e.inDims[1].length) : e.ins[1];
    e.g.node('MatMul', [a, b], {}, e.out);
  },
  sum: (e) => {
    // In opset 17 ReduceSum takes its axes as an input; without one it reduces every axis.
    const axes = e.node.attrs.axes === undefined ? [] : [e.g.ints(reduceAxes(e))];
    e.g.node('ReduceSum', [e.ins[0], ...axes], { keepdims: keepdims(e) }, e.out);
  },
  mean: reduceAttr('ReduceMean'),
  max: reduceAttr('ReduceMax'),
  reshape: (e) => void e.g.node('Reshape', [e.ins[0], e.g.ints(staticShape(e, e.outDims, -1))], {}, e.out),
  transpose: (e) => {
    const rank = e.inDims[0].length;
    const perm = (e.node.attrs.perm as number[] | undefined) ?? [...Array(rank).keys()].reverse();
    e.g.node('Transpose', [e.ins[0]], { perm }, e.out);
  },
  broadcast_to: (e) => {
    const from = e.inDims[0];
    const to = e.outDims;
    const lead = to.length - from.length;
    to.forEach((d, i) => {
      const src = i >= lead ? from[i - lead] : 1;
      if (isBatchDim(d) && !(isBatchDim(src) && src.batch === d.batch)) e.fail('it broadcasts to a size that depends on the batch size');
    });
    e.g.node('Expand', [e.ins[0], e.g.ints(staticShape(e, to, 1))], {}, e.out);
  },
  softmax: (e) => void e.g.node('Softmax', [e.ins[0]], { axis: -1 }, e.out),
  log_softmax: (e) => void e.g.node('LogSoftmax', [e.ins[0]], { axis: -1 }, e.out),
  softmax_cross_entropy: (e) => {
    // logsumexp(logits) - logits[label] = -log_softmax(logits)[label], per row.
    const logp = e.g.node('LogSoftmax', [e.ins[0]], { axis: -1 }, `${e.out}/log_softmax`);
    const picked = e.g.node('GatherElements', [logp, labelsColumn(e, e.ins[1])], { axis: -1 }, `${e.out}/picked`);
    const row = e.g.node('Squeeze', [picked, e.g.ints([-1])], {}, `${e.out}/squeezed`);
    e.g.node('Neg', [row], {}, e.out);
  },
  one_hot: (e) => {
    const depth = e.node.attrs.depth as number;
    const hit = e.g.node('Equal', [labelsColumn(e, e.ins[0]), e.g.ints([...Array(depth).keys()], 'classes')], {}, `${e.out}/equal`);
    e.g.node('Cast', [hit], { to: DataType.FLOAT }, e.out);
  },
  sigmoid_binary_cross_entropy: (e) => {
    // max(x, 0) - x·t + log(1 + e^-|x|), as dlf computes it (ONNX has no log1p: Log of 1 + ...).
    const [x, t] = e.ins;
    const g = e.g;
    const pos = g.node('Relu', [x], {}, `${e.out}/relu`);
    const xt = g.node('Mul', [x, t], {}, `${e.out}/xt`);
    const negAbs = g.node('Neg', [g.node('Abs', [x], {}, `${e.out}/abs`)], {}, `${e.out}/neg_abs`);
    const soft = g.node('Log', [g.node('Add', [g.scalar(1), g.node('Exp', [negAbs], {}, `${e.out}/exp`)], {}, `${e.out}/one_plus`)], {}, `${e.out}/log`);
    g.node('Add', [g.node('Sub', [pos, xt], {}, `${e.out}/sub`), soft], {}, e.out);
  },
  mse: (e) => {
    const d = e.g.node('Sub', e.ins, {}, `${e.out}/diff`);
    const sq = e.g.node('Mul', [d, d], {}, `${e.out}/square`);
    e.g.node('ReduceMean', [sq], { axes: [e.inDims[0].length - 1], keepdims: 0 }, e.out);
  },
  abs: unary('Abs'),
  sign: unary('Sign'),
  conv2d: (e) => emitConv(e, e.ins[0], e.ins[1]),
  conv2d_grad_input: TRAINING_ONLY,
  conv2d_grad_weight: TRAINING_ONLY,
  maxpool2d: (e) => {
    // Padded cells never win in dlf, as in ONNX MaxPool; windows that run over the edge are dropped (floor).
    const { kernel, stride, padding } = poolAttrsOf(e.node.attrs);
    e.g.node('MaxPool', [e.ins[0]], { kernel_shape: kernel, strides: stride, pads: onnxPads(padding) }, e.out);
  },
  maxpool2d_grad: TRAINING_ONLY,
  maxpool2d_pick: TRAINING_ONLY,
  avgpool2d: (e) => {
    // Padded cells are not counted in dlf: count_include_pad 0.
    const { kernel, stride, padding } = poolAttrsOf(e.node.attrs);
    e.g.node('AveragePool', [e.ins[0]], { kernel_shape: kernel, strides: stride, pads: onnxPads(padding), count_include_pad: 0 }, e.out);
  },
  avgpool2d_grad: TRAINING_ONLY,
  concat: (e) => {
    const [axis] = normAxes([(e.node.attrs.axis as number | undefined) ?? -1], e.inDims[0].length);
    e.g.node('Concat', e.ins, { axis }, e.out);
  },
  slice: (e) => {
    const begin = e.node.attrs.begin as number[];
    const from = e.inDims[0];
    const axes: number[] = [];
    from.forEach((d, i) => {
      const size = e.outDims[i];
      const whole = begin[i] === 0 && (isBatchDim(d) ? isBatchDim(size) && size.batch === d.batch : size === d);
      if (whole) return;
      if (isBatchDim(d) || isBatchDim(size)) e.fail(`it slices axis ${i}, whose size depends on the batch size`);
      axes.push(i);
    });
    if (axes.length === 0) {
      e.g.node('Identity', [e.ins[0]], {}, e.out);
      return;
    }
    const starts = axes.map((i) => begin[i]);
    const ends = axes.map((i) => begin[i] + (e.outDims[i] as number));
    e.g.node('Slice', [e.ins[0], e.g.ints(starts), e.g.ints(ends), e.g.ints(axes)], {}, e.out);
  },
  pad: (e) => {
    const before = e.node.attrs.before as number[];
    const after = e.node.attrs.after as number[];
    e.g.node('Pad', [e.ins[0], e.g.ints([...before, ...after]), e.g.scalar(0)], { mode: 'constant' }, e.out);
  },
  gather_rows: (e) => {
    // Ids are float-encoded integers in dlf; Gather takes int64. An id outside the table is a row
    // of NaN in dlf but an error (or, for -1 .. -V, a row from the end) in ONNX Runtime.
    const ids = e.g.node('Cast', [e.ins[1]], { to: DataType.INT64 }, `${e.out}/ids`);
    e.g.node('Gather', [e.ins[0], ids], { axis: 0 }, e.out);
  },
  scatter_add_rows: TRAINING_ONLY,
  matmul_bias_act: FUSED,
  conv2d_bias_act: FUSED,
  mask_positive: FUSED,
  rnn_seq: RECURRENT,
  lstm_seq: RECURRENT,
  gru_seq: RECURRENT,
  recurrent_seq_grad: TRAINING_ONLY,
};

/** ONNX pads [top, left, bottom, right] from dlf's [top, bottom, left, right]. */
function onnxPads([t, b, l, r]: readonly number[]): number[] {
  return [t, l, b, r];
}

/** A convolution of x by w, with a bias of one value per filter when `bias` is given. */
export function emitConv(e: Emit, x: string, w: string, bias?: string): void {
  const { stride, padding, dilation } = convAttrsOf(e.node.attrs);
  const wDims = e.inDims[1];
  e.g.node(
    'Conv',
    bias === undefined ? [x, w] : [x, w, bias],
    { kernel_shape: [wDims[2] as number, wDims[3] as number], strides: stride, dilations: dilation, pads: onnxPads(padding) },
    e.out,
  );
}
