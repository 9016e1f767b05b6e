// The OPS table: every primitive op of the graph, by name. A new op is one file plus its line in
// OPS (and its name in OpName, which makes the compiler reject a table that misses it); the
// gradient-check test walks this table. Each op's definition says whether it is public (a config
// may name it) or internal (made only by autodiff or the graph optimiser); PUBLIC_OPS lists the former.
import type { OpDef } from '../types.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { avgpool2d } from './avgpool2d.js';
import { avgpool2d_grad } from './avgpool2d_grad.js';
import { broadcast_to } from './broadcast_to.js';
import { concat } from './concat.js';
import { conv2d } from './conv2d.js';
import { conv2d_grad_input } from './conv2d_grad_input.js';
import { conv2d_grad_weight } from './conv2d_grad_weight.js';
import { div } from './div.js';
import { eq } from './eq.js';
import { exp } from './exp.js';
import { gather_rows } from './gather_rows.js';
import { leaky_relu } from './leaky_relu.js';
import { log } from './log.js';
import { log_softmax } from './log_softmax.js';
import { mask_positive } from './mask_positive.js';
import { matmul } from './matmul.js';
import { conv2d_bias_act } from './conv2d_bias_act.js';
import { matmul_bias_act } from './matmul_bias_act.js';
import { max } from './max.js';
import { maxpool2d } from './maxpool2d.js';
import { maxpool2d_grad } from './maxpool2d_grad.js';
import { maxpool2d_pick } from './maxpool2d_pick.js';
import { mean } from './mean.js';
import { mse } from './mse.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { one_hot } from './one_hot.js';
import { pad } from './pad.js';
import { pow } from './pow.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { scatter_add_rows } from './scatter_add_rows.js';
import { sigmoid } from './sigmoid.js';
import { sigmoid_binary_cross_entropy } from './sigmoid_binary_cross_entropy.js';
import { sign } from './sign.js';
import { slice } from './slice.js';
import { softmax } from './softmax.js';
import { softmax_cross_entropy } from './softmax_cross_entropy.js';
import { sqrt } from './sqrt.js';
import { step } from './step.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { tanh } from './tanh.js';
import { transpose } from './transpose.js';
import { rnn_seq } from './rnn_seq.js';
import { lstm_seq } from './lstm_seq.js';
import { gru_seq } from './gru_seq.js';
import { recurrent_seq_grad } from './recurrent_seq_grad.js';

/** Every op name. Declared rather than inferred from OPS because VJPs refer to ops by name. */
export type OpName =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'eq'
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'pow'
  | 'relu'
  | 'leaky_relu'
  | 'step'
  | 'sigmoid'
  | 'tanh'
  | 'matmul'
  | 'sum'
  | 'mean'
  | 'max'
  | 'reshape'
  | 'transpose'
  | 'broadcast_to'
  | 'softmax'
  | 'log_softmax'
  | 'softmax_cross_entropy'
  | 'one_hot'
  | 'sigmoid_binary_cross_entropy'
  | 'mse'
  | 'abs'
  | 'sign'
  | 'conv2d'
  | 'conv2d_grad_input'
  | 'conv2d_grad_weight'
  | 'maxpool2d'
  | 'maxpool2d_grad'
  | 'maxpool2d_pick'
  | 'avgpool2d'
  | 'avgpool2d_grad'
  | 'concat'
  | 'slice'
  | 'pad'
  | 'gather_rows'
  | 'scatter_add_rows'
  | 'matmul_bias_act'
  | 'conv2d_bias_act'
  | 'mask_positive'
  | 'rnn_seq'
  | 'lstm_seq'
  | 'gru_seq'
  | 'recurrent_seq_grad';

// biome-ignore lint/suspicious/noExplicitAny: each op has its own attribute and prep types, and a table of ops holds them all
export const OPS: { readonly [K in OpName]: OpDef<any, any> } = {
  add,
  sub,
  mul,
  div,
  eq,
  neg,
  exp,
  log,
  sqrt,
  pow,
  relu,
  leaky_relu,
  step,
  sigmoid,
  tanh,
  matmul,
  sum,
  mean,
  max,
  reshape,
  transpose,
  broadcast_to,
  softmax,
  log_softmax,
  softmax_cross_entropy,
  one_hot,
  sigmoid_binary_cross_entropy,
  mse,
  abs,
  sign,
  conv2d,
  conv2d_grad_input,
  conv2d_grad_weight,
  maxpool2d,
  maxpool2d_grad,
  maxpool2d_pick,
  avgpool2d,
  avgpool2d_grad,
  concat,
  slice,
  pad,
  gather_rows,
  scatter_add_rows,
  matmul_bias_act,
  conv2d_bias_act,
  mask_positive,
  rnn_seq,
  lstm_seq,
  gru_seq,
  recurrent_seq_grad,
};

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(OPS, name);
}

/** The ops a config's graph form may name, in table order. */
export const PUBLIC_OPS: readonly OpName[] = (Object.keys(OPS) as OpName[]).filter((name) => OPS[name].visibility === 'public');
