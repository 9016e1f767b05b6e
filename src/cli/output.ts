// Output helpers for commands: data to stdout, messages to stderr, and how to print an error.
import chalk from 'chalk';
import { DlfError } from '../errors.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is an interactive terminal and no CI is declared (progress bars allowed). */
  interactive: boolean;
}

export function processIo(): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
  };
}

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

/** A metric for people: fixed decimals in the usual range, exponent notation outside it. */
export function num(v: number | undefined, digits = 4): string {
  if (v === undefined) return '-';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-4) ? v.toExponential(3) : v.toFixed(digits);
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(2)} MiB`;
}
