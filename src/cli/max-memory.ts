// The --max-memory option of the commands that compile a model for training (train, validate,
// summary) or compile a run's model the same way (eval, predict): the bound on what a training
// step may need, parameters, optimizer state, the plan's buffers and tables together
// (compile/memory.ts). A bad value is a usage error.
import { formatBytes, parseByteSize } from '../compile/bytes.js';
import { defaultMemoryBound } from '../compile/memory.js';
import { UsageError } from '../errors.js';

export function maxMemoryHelp(): string {
  return (
    'refuse a model whose training step needs more memory than this (parameters, optimizer state, activations, gradients): ' +
    `bytes, or 512M, 4G, 2GiB (binary), 4GB (decimal); default: half of this machine's memory, ${formatBytes(defaultMemoryBound())}`
  );
}

/** Parses a --max-memory value. */
export function maxMemory(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new UsageError(`--max-memory must be a size in bytes such as 512M, 4G or 2GiB, got '${value}'`);
  return bytes;
}
