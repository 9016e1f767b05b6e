// conv2d_bias_act: act(conv2d(x, w) + bias), bias [F] added to every cell of output channel f, act
// 'none' or 'relu'. Exists for speed: the graph optimiser (compile/optimize.ts) folds a conv
// layer's convolution, bias add and relu into it, so the native kernels add the bias and apply the
// relu to each sample's output while it is still in cache, saving two passes over the largest
// activations of a CNN and their buffers. It computes the same float operations in the same order
// as the ops it replaces (the full convolution, then the bias add, then relu), so results are bit
// for bit unchanged.
import type { Conv2dDims } from '../../kernels/kernels.js';
import { convPlan } from '../../kernels/plans.js';
import { shapeStr } from '../../tensor/shape.js';
import { unbroadcast } from '../grad.js';
import { defineOp } from '../types.js';
import { type ConvAttrs, convDims } from './_window.js';
import { conv2d } from './conv2d.js';

export interface Conv2dBiasActAttrs extends ConvAttrs {
  act?: 'none' | 'relu';
}

export const conv2d_bias_act = defineOp<Conv2dBiasActAttrs, Conv2dDims>({
  doc: 'act(conv2d(x, w) + bias[f]) fused (for speed); attrs as conv2d, and act none|relu',
  visibility: 'internal',
  arity: 3,
  shape: ([x, w, bias], attrs) => {
    if (attrs.act !== undefined && attrs.act !== 'none' && attrs.act !== 'relu') throw new Error(`unknown act '${String(attrs.act)}'`);
    const out = conv2d.shape([x, w], attrs);
    if (bias.length !== 1 || bias[0] !== out[1]) throw new Error(`bias ${shapeStr(bias)} does not hold one value per output channel of ${shapeStr(out)}`);
    return out;
  },
  prepare: ([x, w], _out, attrs) => convPlan('conv2d', convDims(x, w, attrs)),
  forward: (k, [x, w, bias], out, s) => k.conv2dBiasAct(x, w, bias, out, s.prep, s.attrs.act ?? 'none'),
  vjp: (g, node, grad) => {
    const [x, w, bias] = node.inputs;
    // relu(z) > 0 exactly where z > 0, so the output itself gives the mask.
    const gz = node.attrs.act === 'relu' ? g.apply('mul', [grad, g.apply('step', [node.id])]) : grad;
    const [gx, gw] = conv2d.vjp(g, { ...node, op: 'conv2d', inputs: [x, w] }, gz);
    const f = g.shapeOf(bias)[0];
    const gb = g.apply('reshape', [unbroadcast(g, gz, [f, 1, 1])], { shape: [f] });
    return [gx, gw, gb];
  },
  gradCheck: [
    { shapes: [[2, 2, 4, 5], [3, 2, 3, 2], [3]], label: 'plain' },
    { shapes: [[2, 2, 4, 5], [3, 2, 3, 2], [3]], attrs: { act: 'relu', padding: 1 }, domains: ['any', 'any', 'positive'], label: 'relu, padding 1' },
    {
      shapes: [[1, 3, 7, 6], [2, 3, 3, 3], [2]],
      attrs: { stride: 2, dilation: [1, 2], padding: [1, 0, 2, 1], act: 'relu' },
      domains: ['any', 'any', 'positive'],
      label: 'relu, stride 2, dilation, asymmetric padding',
    },
  ],
});
