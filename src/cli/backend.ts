// The kernel backend a command uses when --backend is not given: $DLF_BACKEND when set (so that a
// whole test run or a shell session can pick one), else `auto` (native when the addon is built).
// This is the only place dlf reads DLF_BACKEND.
import { BACKENDS } from '../kernels/select.js';

export function defaultBackend(): string {
  const env = process.env.DLF_BACKEND?.trim();
  return env ? env : 'auto';
}

/** Where the default came from, for `dlf info`. */
export function defaultBackendSource(): string {
  return process.env.DLF_BACKEND?.trim() ? 'DLF_BACKEND' : 'built-in default';
}

export const BACKEND_HELP = `kernel backend: ${BACKENDS.join(', ')} (auto = native when the addon is built, else ts; default: $DLF_BACKEND or auto; native uses every core unless $DLF_THREADS says how many)`;
