// Choosing a kernel implementation by name: `ts` (the TypeScript reference), `native` (the C++
// addon, float32 only, falling back to the reference for the rest) and `auto`, the default, which
// takes native when the addon is built and loads, else ts. The native kernels use every hardware
// thread unless DLF_THREADS says how many (their results are the same for any count).
import { UsageError } from '../errors.js';
import type { Kernels } from './kernels.js';
import { nativeStatus } from './native.js';
import { tsKernels } from './ts/index.js';

export const BACKENDS = ['auto', 'ts', 'native'] as const;
export type Backend = (typeof BACKENDS)[number];

/** The backends that can run here, in the order `auto` prefers them. */
export function availableBackends(): ('native' | 'ts')[] {
  return nativeStatus().available ? ['native', 'ts'] : ['ts'];
}

/** What `auto` picks. */
export function autoBackend(): 'native' | 'ts' {
  return availableBackends()[0];
}

/**
 * The thread count DLF_THREADS asks the native kernels for (an integer from 1 to 16), or undefined
 * when it is unset (the addon then uses every hardware thread, up to 16).
 */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.DLF_THREADS?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new UsageError(`DLF_THREADS must be an integer from 1 to 16, got '${raw}'`, 'unset it to use every core');
  }
  return n;
}

let threadsSet = false;

export function kernelsFor(name: string = 'auto'): Kernels {
  if (name === 'ts') return tsKernels;
  if (name === 'native' || name === 'auto') {
    const s = nativeStatus();
    if (s.available) {
      if (!threadsSet) {
        s.addon.setThreads(threadsFromEnv() ?? s.addon.info().hardwareThreads);
        threadsSet = true;
      }
      return s.kernels;
    }
    if (name === 'auto') return tsKernels;
    throw new UsageError(`the native backend is unavailable: ${s.reason}`, 'use --backend ts (or auto), or build the addon with npm run build:native');
  }
  throw new UsageError(`unknown backend '${name}'`, `available: ${BACKENDS.join(', ')}`);
}
