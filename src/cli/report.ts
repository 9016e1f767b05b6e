// How the CLI prints an error: one red `error:` prefix per line on stderr. Imported by main only
// when a command fails, so that a run that succeeds never loads chalk. An error dlf did not mean
// to throw still becomes one line: a system error names its call and path, an allocation failure
// says memory ran out, anything else is an internal error whose stack DLF_DEBUG=1 shows.
import chalk from 'chalk';
import { DlfError, oneLine } from '../errors.js';
import { isSystemError, reasonOf } from '../io/errno.js';
import type { Io } from './output.js';

function debugging(): boolean {
  const v = process.env.DLF_DEBUG;
  return v !== undefined && v !== '' && v !== '0';
}

export function errorText(e: unknown): string {
  if (e instanceof DlfError) return e.format();
  const stack = debugging() && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  if (isSystemError(e)) {
    const where = e.path ? ` ${e.path}` + (e.dest ? ` -> ${e.dest}` : '') : '';
    return oneLine(`cannot ${e.syscall ?? 'access'}${where}: ${reasonOf(e.code)}`, 4000) + stack;
  }
  if (e instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer|Invalid array length|Maximum call stack/.test(e.message)) {
    return oneLine(`out of memory: ${e.message}`, 4000) + ' (a model, batch or input too large for this machine)' + stack;
  }
  const message = e instanceof Error ? e.message : String(e);
  return oneLine(`internal error: ${message}`, 4000) + (stack || ' (a bug in dlf; run with DLF_DEBUG=1 for the stack trace)');
}

export function printError(io: Io, e: unknown): void {
  const text = errorText(e);
  const lines = text.split('\n').map((l) => `${chalk.red('error:')} ${l}`);
  io.err(lines.join('\n') + '\n');
}

/** The exit code of an error that is no DlfError: 3 for a system error (an I/O failure), else 1. */
export function exitCodeOfForeign(e: unknown): number {
  return isSystemError(e) ? 3 : 1;
}
