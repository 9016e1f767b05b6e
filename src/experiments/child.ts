// One `dlf train` in a child process, as cv folds and sweep trials run: the package's own bin
// under this Node (process.execPath), stdout drained, the first error line of stderr kept, and a
// Ctrl-C passed on as SIGINT so that the child writes its checkpoints before it exits.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** The command that runs dlf here: this Node and the package's bin/dlf.js. */
export function dlfCommand(): string[] {
  return [process.execPath, join(packageRoot(), 'bin', 'dlf.js')];
}

export interface ChildResult {
  /** The exit code; 128 + the signal's number when a signal ended the child. */
  code: number;
  /** The first line the child printed on stderr (without its `error:` prefix), if any. */
  error?: string;
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
}

/** The first non-empty line of `text` with colours and an `error:` prefix removed. */
export function firstErrorLine(text: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removes terminal colour codes (ESC [ ... m)
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const line = plain.split('\n').find((l) => l.trim() !== '');
  return line?.replace(/^error:\s*/, '').trim();
}

/** Runs `dlf <args>` with `env` added to this process's; `signal` aborting sends the child SIGINT. */
export function runDlfChild(args: string[], opts: { env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<ChildResult> {
  const [exec, ...pre] = dlfCommand();
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(exec, [...pre, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume(); // the NDJSON events are not needed: results are read from the run directory
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    const stop = () => child.kill('SIGINT');
    opts.signal?.addEventListener('abort', stop, { once: true });
    let spawnError: string | undefined;
    child.on('error', (e) => (spawnError = `cannot run ${exec}: ${e.message}`));
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', stop);
      const exit = code ?? (sig ? 128 + (constants.signals[sig] ?? 0) : 1);
      const error = spawnError ?? firstErrorLine(stderr);
      resolve({ code: spawnError ? 127 : exit, ...(error ? { error } : {}), seconds: (performance.now() - t0) / 1000 });
    });
    if (opts.signal?.aborted) stop();
  });
}
