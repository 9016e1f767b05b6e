// The TypeScript reference kernels, assembled behind the kernel interface.
import type { Kernels } from '../kernels.js';
import { conv2d, conv2dGradInput, conv2dGradWeight } from './conv.js';
import { byteRows, copyRows, gatherRows, scatterAddRows } from './copy.js';
import { binary, copy, fill, unary } from './elementwise.js';
import { gather, reduce } from './layout.js';
import { matmul } from './matmul.js';
import { channelBiasAct, makeMatmulBiasAct, maskPositive } from './matmul-bias-act.js';
import { tsOptimizerKernels } from './optim.js';
import { avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad, maxPool2dPick } from './pool.js';
import { recurrentBackward, recurrentForward } from './recurrent.js';
import { mse, oneHot, sigmoidBce, softmax, softmaxXent } from './rows.js';
import { abs, sign } from './sign.js';

export const tsKernels: Kernels = {
  name: 'ts',
  binary,
  unary,
  copy,
  fill,
  gather,
  reduce,
  matmul,
  matmulBiasAct: makeMatmulBiasAct(matmul),
  conv2dBiasAct: (x, w, bias, out, d, act) => {
    conv2d(x, w, out, d);
    channelBiasAct(bias, out, d.f, d.oh * d.ow, act);
  },
  maskPositive,
  softmax,
  softmaxXent,
  oneHot,
  sigmoidBce,
  mse,
  conv2d,
  conv2dGradInput,
  conv2dGradWeight,
  maxPool2d,
  maxPool2dGrad,
  maxPool2dPick,
  avgPool2d,
  avgPool2dGrad,
  copyRows,
  gatherRows,
  scatterAddRows,
  byteRows,
  abs,
  sign,
  recurrentForward,
  recurrentBackward,
  ...tsOptimizerKernels,
};
