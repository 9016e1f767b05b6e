// Calls on the native addon made in a child process (native-child.mjs), so that a call that
// crashes (a segmentation fault) or hangs fails the test that made it instead of killing or
// stalling the test runner. Arguments are described as JSON (ArgSpec) and made in the child.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NATIVE_ADDON_PATH } from '../../src/kernels/native.js';

/** How the child fills a Float32Array: uniform in [−1, 1), small integers (labels), odd values (NaN, ±∞, huge, −0, denormal), or zeros. */
export type Fill = 'uniform' | 'ints' | 'odd' | 'zero';

/** One argument, as native-child.mjs makes it (see its `materialize`). */
export type ArgSpec =
  | { f32: number; guard: boolean; fill: Fill; seed: number }
  | { typed: 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint32Array' | 'Uint8Array'; values: number[] }
  | { num: string }
  | { bigint: string }
  | { bool: boolean }
  | { str: string }
  | { js: 'undefined' | 'null' | 'object' | 'array' | 'function' | 'symbol' };

export interface CallSpec {
  fn: string;
  args: ArgSpec[];
}

export type Outcome = 'returned' | 'TypeError' | 'RangeError' | 'other' | 'corrupt';

export interface ChildRun {
  /** The outcome of each call that finished, in order; fewer than the calls when the child died. */
  outcomes: { i: number; outcome: Outcome; message?: string }[];
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
}

const CHILD = fileURLToPath(new URL('./native-child.mjs', import.meta.url));

/** A number argument (NaN, ±Infinity and −0 included). */
export const num = (v: number): ArgSpec => ({ num: Object.is(v, -0) ? '-0' : String(v) });
/** A Float32Array argument of n floats: guarded (a view between guard floats) unless `own`. */
export const f32 = (n: number, fill: Fill = 'uniform', own = false): ArgSpec => ({ f32: n, guard: !own, fill, seed: n + 1 });

/** Runs the calls on the built addon in a child process, within timeoutMs. */
export function runInChild(calls: CallSpec[], timeoutMs = 60_000): ChildRun {
  const r = spawnSync(process.execPath, [CHILD], {
    input: JSON.stringify({ addon: NATIVE_ADDON_PATH, calls }),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    // One thread unless a call sets more: the machine is shared.
    env: { ...process.env, DLF_THREADS: '1' },
  });
  const outcomes = (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ChildRun['outcomes'][number]);
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { outcomes, status: r.status, signal: r.signal, timedOut, stderr: r.stderr ?? '' };
}

/** What went wrong with a child run as a whole (a crash, a hang, a failed start), naming the call it died in; undefined when it ran every call. */
export function childFailure(run: ChildRun, calls: CallSpec[]): string | undefined {
  if (run.status === 0 && run.outcomes.length === calls.length) return undefined;
  const at = run.outcomes.length;
  const call = at < calls.length ? ` in call ${at}: ${calls[at].fn}(${JSON.stringify(calls[at].args)})` : '';
  const how = run.timedOut ? 'timed out' : run.signal ? `died of ${run.signal}` : `exited with ${run.status}`;
  return `the child ${how}${call}${run.stderr ? `\n${run.stderr.slice(0, 2000)}` : ''}`;
}
