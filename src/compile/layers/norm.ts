// Normalisation layers, composed from primitives so the gradient check of those primitives
// covers them.
// batchnorm: over the batch axis (and height and width for NCHW input). Training normalises with
// the batch's mean and biased variance and moves the running mean and the unbiased running
// variance towards them; evaluation normalises with the running statistics.
// layernorm: over the last axis of each sample, the same in training and evaluation.
import { ShapeError } from '../../errors.js';
import type { GraphBuilder } from '../../graph/builder.js';
import { shapeStr } from '../../tensor/shape.js';
import type { LayerBuilder } from './types.js';

function normalise(g: GraphBuilder, x: number, mean: number, variance: number, eps: number): number {
  const std = g.apply('sqrt', [g.apply('add', [variance, g.constant(eps)])]);
  return g.apply('div', [g.apply('sub', [x, mean]), std]);
}

export const batchnorm: LayerBuilder<'batchnorm'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const s = g.shapeOf(x);
  if (s.length !== 2 && s.length !== 4) {
    throw new ShapeError(`batchnorm needs input [N, C] or [N, C, H, W], got ${shapeStr(s)}`, ctx.place);
  }
  const c = s[1];
  const axes = s.length === 2 ? [0] : [0, 2, 3];
  const bshape = s.length === 2 ? [1, c] : [1, c, 1, 1];
  const asB = (v: number) => g.apply('reshape', [v], { shape: bshape });
  const gamma = asB(ctx.param('gamma', [c], 'ones'));
  const beta = asB(ctx.param('beta', [c], 'zeros'));
  const runMean = ctx.state('running_mean', [c], 'zeros');
  const runVar = ctx.state('running_var', [c], 'ones');
  let xhat: number;
  if (ctx.mode === 'train') {
    const mean = g.apply('mean', [x], { axes, keepdims: true });
    const centred = g.apply('sub', [x, mean]);
    const variance = g.apply('mean', [g.apply('mul', [centred, centred])], { axes, keepdims: true });
    xhat = g.apply('div', [centred, g.apply('sqrt', [g.apply('add', [variance, g.constant(cfg.eps)])])]);
    const n = s.length === 2 ? s[0] : s[0] * s[2] * s[3];
    const unbiased = g.apply('mul', [variance, g.constant(n > 1 ? n / (n - 1) : 1)]);
    ctx.updateState(runMean, g.apply('reshape', [mean], { shape: [c] }), cfg.momentum);
    ctx.updateState(runVar, g.apply('reshape', [unbiased], { shape: [c] }), cfg.momentum);
  } else {
    xhat = normalise(g, x, asB(runMean), asB(runVar), cfg.eps);
  }
  return g.apply('add', [g.apply('mul', [xhat, gamma]), beta]);
};

export const layernorm: LayerBuilder<'layernorm'> = (ctx, cfg, [x]) => {
  const { g } = ctx;
  const s = g.shapeOf(x);
  const d = s[s.length - 1];
  const mean = g.apply('mean', [x], { axes: [-1], keepdims: true });
  const centred = g.apply('sub', [x, mean]);
  const variance = g.apply('mean', [g.apply('mul', [centred, centred])], { axes: [-1], keepdims: true });
  const xhat = g.apply('div', [centred, g.apply('sqrt', [g.apply('add', [variance, g.constant(cfg.eps)])])]);
  return g.apply('add', [g.apply('mul', [xhat, ctx.param('gamma', [d], 'ones')]), ctx.param('beta', [d], 'zeros')]);
};
