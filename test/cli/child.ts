// dlf in a child process (bin/dlf.js, the bundle `npm run build` makes), for what needs a process
// of its own: locks held by another pid, signals, kill -9, a full disk.
import { type ChildProcess, spawn } from 'node:child_process';
import { repo } from './helpers.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  done: Promise<Finished>;
  /** What the process has printed on stderr so far. */
  stderr(): string;
}

export function spawnDlf(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [repo('bin', 'dlf.js'), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, CI: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

export function runDlf(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return spawnDlf(args, opts).done;
}

/** Polls `pred` every 10 ms until it holds; throws after `ms`. */
export async function waitFor(pred: () => boolean, ms = 20_000, what = 'a condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** stderr split into its lines (without the final newline). */
export const linesOf = (text: string) => text.split('\n').filter((l) => l !== '');
