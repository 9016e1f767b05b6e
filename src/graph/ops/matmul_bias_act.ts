// matmul_bias_act: act(op(a)·op(b) + bias), bias a row of the output's last-axis size, act 'none'
// or 'relu'. Exists for speed: the graph optimiser (compile/optimize.ts) folds a dense layer's
// matmul, bias add and relu into it, saving two passes over the output and two buffers. It
// computes the same float operations in the same order, so results are bit for bit unchanged.
import type { MatmulDims } from '../../kernels/kernels.js';
import { type Shape, shapeStr } from '../../tensor/shape.js';
import { unbroadcast } from '../grad.js';
import { defineOp } from '../types.js';
import { matmul } from './matmul.js';

export interface MatmulBiasActAttrs {
  [k: string]: unknown;
  transpose_a?: boolean;
  transpose_b?: boolean;
  act?: 'none' | 'relu';
}

function checkBias(ins: readonly Shape[], out: Shape): void {
  const bias = ins[2];
  if (bias.length !== 1 || bias[0] !== out[out.length - 1]) {
    throw new Error(`bias ${shapeStr(bias)} is not a row of the output's last axis ${shapeStr(out)}`);
  }
}

export const matmul_bias_act = defineOp<MatmulBiasActAttrs, MatmulDims>({
  doc: 'act(matmul(a, b) + bias) fused (for speed); attrs transpose_a, transpose_b, act none|relu',
  visibility: 'internal',
  arity: 3,
  shape: (ins, attrs) => {
    if (attrs.act !== undefined && attrs.act !== 'none' && attrs.act !== 'relu') throw new Error(`unknown act '${String(attrs.act)}'`);
    const out = matmul.shape(ins.slice(0, 2), attrs);
    checkBias(ins, out);
    return out;
  },
  prepare: (ins, out, attrs) => matmul.prepare!(ins.slice(0, 2), out, attrs),
  forward: (k, [a, b, bias], out, s) => k.matmulBiasAct(a, b, bias, out, s.prep, s.attrs.act ?? 'none'),
  vjp: (g, node, grad) => {
    const [a, b, bias] = node.inputs;
    // relu(z) > 0 exactly where z > 0, so the output itself gives the mask.
    const gz = node.attrs.act === 'relu' ? g.apply('mul', [grad, g.apply('step', [node.id])]) : grad;
    const [ga, gb] = matmul.vjp(g, { ...node, op: 'matmul', inputs: [a, b] }, gz);
    return [ga, gb, unbroadcast(g, gz, g.shapeOf(bias))];
  },
  gradCheck: [
    { shapes: [[3, 4], [4, 5], [5]] },
    { shapes: [[3, 4], [4, 5], [5]], attrs: { act: 'relu' }, domains: ['any', 'any', 'positive'], label: 'relu' },
    { shapes: [[4, 3], [5, 4], [5]], attrs: { transpose_a: true, transpose_b: true, act: 'relu' }, domains: ['any', 'any', 'positive'], label: 'tAtB relu' },
    { shapes: [[2, 3, 4], [4, 5], [5]], attrs: { act: 'relu' }, domains: ['any', 'any', 'positive'], label: 'shared b relu' },
  ],
});
