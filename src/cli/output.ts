// Output helpers for commands: data to stdout, messages to stderr, numbers and sizes for people.
// (How an error is printed is in report.ts.)
import type { Interrupts } from './interrupt.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is an interactive terminal and no CI is declared (progress bars allowed). */
  interactive: boolean;
  /** Whether stdout is a terminal (a command whose output is a document refuses to print it there). */
  outIsTerminal?: boolean;
  /** Ctrl-C and SIGTERM, set by main() for the commands it runs. */
  interrupts?: Interrupts;
}

/**
 * Once a reader closes stdout (`dlf graph x.yaml | head`), further output is dropped instead of
 * crashing on EPIPE; the command itself goes on (a training run still writes its checkpoints).
 */
let stdoutClosed = false;
function watchStdout(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutClosed = true;
  });
}

export function processIo(): Io {
  watchStdout();
  return {
    out: (t) => void (stdoutClosed || process.stdout.write(t)),
    err: (t) => void process.stderr.write(t),
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    outIsTerminal: Boolean(process.stdout.isTTY),
  };
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
