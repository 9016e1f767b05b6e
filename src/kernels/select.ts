// Choosing a kernel implementation by name: `ts` (the TypeScript reference), `native` (the C++
// addon, float32 only, falling back to the reference for the rest) and `auto`, the default, which
// takes native when the addon is built and loads, else ts.
import { UsageError } from '../errors.js';
import type { Kernels } from './kernels.js';
import { nativeStatus } from './native.js';
import { tsKernels } from './ts/index.js';

export const BACKENDS = ['auto', 'ts', 'native'] as const;

/** The backends that can run here, in the order `auto` prefers them. */
export function availableBackends(): ('native' | 'ts')[] {
  return nativeStatus().available ? ['native', 'ts'] : ['ts'];
}

/** What `auto` picks. */
export function autoBackend(): 'native' | 'ts' {
  return availableBackends()[0];
}

export function kernelsFor(name: string = 'auto'): Kernels {
  if (name === 'ts') return tsKernels;
  if (name === 'native' || name === 'auto') {
    const s = nativeStatus();
    if (s.available) return s.kernels;
    if (name === 'auto') return tsKernels;
    throw new UsageError(`the native backend is unavailable: ${s.reason}`, 'use --backend ts (or auto), or build the addon with npm run build:native');
  }
  throw new UsageError(`unknown backend '${name}'`, `available: ${BACKENDS.join(', ')}`);
}
