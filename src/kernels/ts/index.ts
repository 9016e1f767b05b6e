// The TypeScript reference kernels, assembled behind the kernel interface.
import type { Kernels } from '../kernels.js';
import { binary, copy, fill, unary } from './elementwise.js';
import { gather, reduce } from './layout.js';
import { matmul } from './matmul.js';
import { adamStep, sgdStep } from './optim.js';
import { mse, oneHot, sigmoidBce, softmax, softmaxXent } from './rows.js';

export const tsKernels: Kernels = {
  name: 'ts',
  binary,
  unary,
  copy,
  fill,
  gather,
  reduce,
  matmul,
  softmax,
  softmaxXent,
  oneHot,
  sigmoidBce,
  mse,
  sgdStep,
  adamStep,
};
