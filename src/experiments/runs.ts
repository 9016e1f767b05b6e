// One run of an experiment (a cv fold, a sweep trial) in its own run directory, brought to an end
// whatever state an earlier attempt left it in: a finished run (metrics.json written when training
// ended) is only read; one with checkpoints/last.json is continued with `dlf train --resume`; any
// other leftover (stopped before its first checkpoint, killed) is removed and started again.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';
import type { Metrics } from '../train/metrics.js';
import { acquireRunLock } from '../train/lock.js';
import { readRunFile } from '../train/rundir.js';
import { runDlfChild } from './child.js';

export interface FinalMetrics {
  train: Metrics;
  val?: Metrics;
  test?: Metrics;
}

/** What metrics.json says about a finished run. */
export interface RunOutcome {
  final: FinalMetrics;
  epochs: number;
  /** Seconds of training, as the run measured them. */
  seconds: number;
}

export type RunState = { kind: 'finished'; outcome: RunOutcome } | { kind: 'resumable' } | { kind: 'leftover' } | { kind: 'absent' };

/** The outcome a run's metrics.json records, or undefined when it has none or one of a paused run. */
function readOutcome(dir: string): RunOutcome | undefined {
  const file = join(dir, 'metrics.json');
  if (!existsSync(file)) return undefined;
  let m: { final?: FinalMetrics; epochs?: number; seconds?: number; stopped?: string };
  try {
    m = JSON.parse(readRunFile(file, 16 << 20)) as typeof m;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('is not valid JSON', { file });
  }
  if (typeof m !== 'object' || m === null || typeof m.final !== 'object' || m.final === null) throw new CheckpointError('holds no final metrics', { file });
  if (m.stopped === 'paused') return undefined;
  return { final: m.final, epochs: Number(m.epochs ?? 0), seconds: Number(m.seconds ?? 0) };
}

/** Where the run in `dir` stands (see the header). */
function runState(dir: string): RunState {
  if (!existsSync(dir)) return { kind: 'absent' };
  const outcome = readOutcome(dir);
  if (outcome) return { kind: 'finished', outcome };
  if (existsSync(join(dir, 'checkpoints', 'last.json')) && existsSync(join(dir, 'config.json'))) return { kind: 'resumable' };
  return { kind: 'leftover' };
}

/** Removes a run directory that holds nothing to continue from, after taking its lock (so never one a live dlf holds). */
function removeLeftover(dir: string): void {
  const lock = acquireRunLock(dir, 'removing an unfinished run to start it again');
  try {
    for (const name of readdirSync(dir)) if (name !== '.dlf.lock') rmSync(join(dir, name), { recursive: true, force: true });
  } finally {
    lock.release();
  }
  rmSync(dir, { recursive: true, force: true });
}

export type RunResult =
  | { status: 'ok'; how: 'collected' | 'resumed' | 'trained'; outcome: RunOutcome; seconds: number }
  | { status: 'failed'; code: number; error: string; seconds: number }
  | { status: 'interrupted'; code: number; seconds: number };

export interface RunSpec {
  dir: string;
  /** `dlf` arguments that start the run afresh in `dir` (a `train` with `--out dir`). */
  fresh: string[];
  env?: Record<string, string>;
  signal?: AbortSignal;
}

const INTERRUPT_CODES = new Set([130, 143]);

/** Brings the run of `spec` to its end (see the header) and reads its outcome. */
export async function completeRun(spec: RunSpec): Promise<RunResult> {
  const state = runState(spec.dir);
  if (state.kind === 'finished') return { status: 'ok', how: 'collected', outcome: state.outcome, seconds: state.outcome.seconds };
  if (state.kind === 'leftover') removeLeftover(spec.dir);
  const how = state.kind === 'resumable' ? 'resumed' : 'trained';
  const args = how === 'resumed' ? ['train', '--resume', spec.dir, '--quiet', '--json'] : spec.fresh;
  const r = await runDlfChild(args, { env: spec.env, signal: spec.signal });
  if (INTERRUPT_CODES.has(r.code) || (spec.signal?.aborted && r.code !== 0)) return { status: 'interrupted', code: r.code, seconds: r.seconds };
  if (r.code !== 0) return { status: 'failed', code: r.code, error: r.error ?? `dlf exited with code ${r.code}`, seconds: r.seconds };
  const outcome = readOutcome(spec.dir);
  if (!outcome) return { status: 'failed', code: 1, error: `${join(spec.dir, 'metrics.json')} was not written`, seconds: r.seconds };
  return { status: 'ok', how, outcome, seconds: r.seconds };
}
