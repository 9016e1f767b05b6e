// Choosing a kernel implementation by name. Only the TypeScript reference exists so far; a native
// set will register here and fill the same interface.
import { UsageError } from '../errors.js';
import type { Kernels } from './kernels.js';
import { tsKernels } from './ts/index.js';

export const BACKENDS = ['ts'] as const;
export type Backend = (typeof BACKENDS)[number];

export function kernelsFor(name: string = 'ts'): Kernels {
  if (name === 'ts') return tsKernels;
  throw new UsageError(`unknown backend '${name}'`, `available: ${BACKENDS.join(', ')}`);
}
