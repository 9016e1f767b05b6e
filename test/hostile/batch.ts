// Many hostile cases through the CLI in one child process (batch-child.mjs) instead of one process
// each, which costs a Node start-up and a load of the CLI per case. What a case sees is what a
// process of its own would show: its exit code, stdout and stderr (including warnings). Whatever
// the batch cannot vouch for is run again in a process of its own, as `dlf` in cli.ts runs it: the
// case the child died in (a crash, process.exit, out of memory) or stopped progressing in (a hang,
// killed after the timeout), and every case of a child that wrote outside the cases' capture.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORPUS_BIN, type Run, TIMEOUT, dlf, repo } from './cli.js';
import type { Scratch } from './make.js';

const CHILD = fileURLToPath(new URL('./batch-child.mjs', import.meta.url));

/** The CLI module bin/dlf.js loads. */
const cliMain = () => (existsSync(repo('dist', 'bundle', 'main.cjs')) ? repo('dist', 'bundle', 'main.cjs') : repo('dist', 'cli', 'main.js'));

interface Batch {
  /** Outcomes of the runs it finished, in order from the first. */
  done: Run[];
  /** Why it stopped before the end (it died or hung), or undefined. */
  stopped?: string;
  /** What the child wrote outside the capture of any run. */
  stray: string;
}

let batches = 0;

/** Says on the test output that runs are made again one process each (slower, and worth a look). */
const note = (text: string) => process.stderr.write(`hostile corpus: ${text}\n`);

function runBatch(runs: string[][], s: Scratch, main: string, timeoutMs: number): Promise<Batch> {
  const n = ++batches;
  const results = s.path(`batch-${n}.jsonl`);
  const specFile = s.write(`batch-${n}.json`, JSON.stringify({ main, results, runs }));
  writeFileSync(results, '');
  const child = spawn(process.execPath, ['--no-warnings', CHILD, specFile], {
    cwd: s.dir,
    env: { ...process.env, FORCE_COLOR: '0', DLF_DEBUG: '', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stray = '';
  child.stdout.on('data', (d) => (stray += d));
  child.stderr.on('data', (d) => (stray += d));
  const read = (): Run[] =>
    readFileSync(results, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const { code, stdout, stderr } = JSON.parse(l) as { code: number; stdout: string; stderr: string };
        return { code, signal: null, stdout, stderr, timedOut: false };
      });
  return new Promise((resolve) => {
    let seen = 0;
    let since = Date.now();
    let hung = false;
    const watch = setInterval(() => {
      const now = read().length;
      if (now !== seen) [seen, since] = [now, Date.now()];
      else if (Date.now() - since > timeoutMs) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 200);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      const done = read();
      const stopped = done.length === runs.length ? undefined : hung ? 'hung' : `exited (${signal ?? code})`;
      resolve({ done, stopped, stray });
    });
  });
}

/**
 * `dlf ...args` for each of `runs`, in `s.dir`, in order; as `dlf` in cli.ts gives them. `main` is
 * the module whose main(argv) the batch calls (the CLI's, unless a test of this file says), and
 * `timeoutMs` how long a run may go without finishing.
 */
export async function dlfMany(runs: string[][], s: Scratch, opts: { main?: string; timeoutMs?: number } = {}): Promise<Run[]> {
  const { main = cliMain(), timeoutMs = TIMEOUT } = opts;
  // Another build under test (DLF_CORPUS_BIN): its own bin, a process per case.
  if (CORPUS_BIN) return runs.map((args) => dlf(args, s.dir));
  const outcomes: Run[] = [];
  while (outcomes.length < runs.length) {
    const from = outcomes.length;
    const b = await runBatch(runs.slice(from), s, main, timeoutMs);
    if (b.stray !== '') {
      // Output no run captured cannot be told apart: every run of this batch gets a process of its own.
      const upTo = from + Math.max(b.done.length + (b.stopped ? 1 : 0), 1);
      note(`a batch child wrote behind the capture (${JSON.stringify(b.stray.slice(0, 200))}): runs ${from} to ${upTo - 1} again one process each`);
      for (let i = from; i < upTo; i++) outcomes.push(dlf(runs[i], s.dir, timeoutMs));
      continue;
    }
    outcomes.push(...b.done);
    if (b.stopped) note(`a batch child ${b.stopped} in run ${outcomes.length} (dlf ${runs[outcomes.length].join(' ')}): run again in a process of its own`);
    if (b.stopped) outcomes.push(dlf(runs[outcomes.length], s.dir, timeoutMs));
  }
  return outcomes;
}

/** How long a batch of `n` runs may take at most: each within the timeout, and a margin. */
export const batchTimeout = (n: number) => (n + 1) * TIMEOUT + 60_000;
