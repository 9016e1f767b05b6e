// How the CLI prints an error: one red `error` prefix per line on stderr. Imported by main only
// when a command fails, so that a run that succeeds never loads chalk.
import chalk from 'chalk';
import { DlfError } from '../errors.js';
import type { Io } from './output.js';

export function errorText(e: unknown): string {
  if (e instanceof DlfError) return e.format();
  if (e instanceof Error) return `internal error: ${e.stack ?? e.message}`;
  return `internal error: ${String(e)}`;
}

export function printError(io: Io, e: unknown): void {
  const text = errorText(e);
  const lines = text.split('\n').map((l) => `${chalk.red('error')} ${l}`);
  io.err(lines.join('\n') + '\n');
}
