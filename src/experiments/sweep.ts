// A sweep: the trials of a sweep file (search.ts), each an ordinary `dlf train` of the base config
// with the trial's values as --set, in `<out>/trial-NNN`, run as child processes a few at a time.
// `<out>/sweep.json` holds the plan (a rerun must be the same sweep), `<out>/trials.jsonl` one line
// per finished trial. A rerun skips the trials that succeeded and brings the others to an end
// (runs.ts): a run directory finished by an emitted job is only read.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { loadConfig } from '../config/load.js';
import { CheckpointError, ConfigError, UsageError } from '../errors.js';
import { writeFileDurable, writeJsonDurable } from '../io/write.js';
import { defaultMode } from '../train/monitor.js';
import { readRunFile } from '../train/rundir.js';
import { runPool } from './pool.js';
import { type FinalMetrics, type RunResult, completeRun } from './runs.js';
import { type Assignment, type Trial, gridSize, setArgs, sweepTrials } from './search.js';
import { type LoadedSweep, MAX_TRIALS } from './sweep-file.js';

export const PLAN_FILE = 'sweep.json';
const TRIALS_FILE = 'trials.jsonl';

export interface SweepPlan {
  sweep: string;
  config: string;
  metric: string;
  mode: 'max' | 'min';
  trials: Trial[];
}

export interface TrialRecord {
  trial: number;
  dir: string;
  set: Assignment;
  status: 'ok' | 'failed';
  /** Final train/val(/test) metrics (ok only). */
  metrics?: FinalMetrics;
  epochs?: number;
  seconds: number;
  exit_code?: number;
  error?: string;
}

/**
 * The plan of a sweep file: its trials, each checked against the config schema now, so that a bad
 * value is reported at its line of the sweep file before anything runs.
 */
export function planSweep(s: LoadedSweep): SweepPlan {
  const { sweep } = s;
  if (sweep.search === 'grid' && gridSize(sweep.parameters) > MAX_TRIALS) {
    throw new ConfigError([
      {
        place: s.place(['parameters']),
        message: `the grid has ${gridSize(sweep.parameters)} combinations, more than ${MAX_TRIALS}`,
        hint: 'use search: random with trials: N',
      },
    ]);
  }
  if (!existsSync(s.config)) throw new ConfigError([{ place: s.place(['config']), message: `config file not found: ${s.config}` }]);
  loadConfig(s.config);
  const trials = sweepTrials(sweep);
  for (const t of trials) {
    try {
      loadConfig(s.config, { set: setArgs(t.values) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const issue = e.issues[0];
      const key = Object.keys(t.values).find((k) => issue.place.file?.startsWith(`--set ${k}=`));
      if (key === undefined) throw e;
      const where = s.place(['parameters', key]);
      throw new ConfigError([
        {
          place: where,
          message: `trial ${t.index} (${key}=${JSON.stringify(t.values[key])}): ${issue.place.path ? `${issue.place.path}: ` : ''}${issue.message}`,
          ...(issue.hint ? { hint: issue.hint } : {}),
        },
      ]);
    }
  }
  return { sweep: s.file, config: s.config, metric: sweep.metric, mode: sweep.mode ?? defaultMode(sweep.metric), trials };
}

export const trialDirName = (index: number, total: number) => `trial-${String(index).padStart(Math.max(3, String(total).length), '0')}`;

/** The `dlf` arguments of a trial, started afresh. */
export function trialArgs(plan: SweepPlan, trial: Trial, out: string, extra: string[] = ['--quiet', '--json']): string[] {
  const dir = join(out, trialDirName(trial.index, plan.trials.length));
  return ['train', plan.config, '--out', dir, ...setArgs(trial.values).flatMap((a) => ['--set', a]), ...extra];
}

/** Writes the plan into `out`, or checks that the plan already there is the same sweep. */
export function recordPlan(out: string, plan: SweepPlan): void {
  const file = join(out, PLAN_FILE);
  if (existsSync(file)) {
    let old: Partial<SweepPlan>;
    try {
      old = JSON.parse(readRunFile(file, 64 << 20)) as Partial<SweepPlan>;
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError('is not valid JSON', { file });
    }
    if (old.config !== plan.config || JSON.stringify(old.trials) !== JSON.stringify(plan.trials)) {
      throw new UsageError(`${out} holds another sweep (${old.config !== plan.config ? 'another base config' : 'other trials'})`, 'choose another --out');
    }
  }
  writeJsonDurable(file, plan);
}

const RecordSchema = z.object({ trial: z.number().int().min(1), status: z.enum(['ok', 'failed']) }).loose();

/** The records of trials.jsonl by trial; an unreadable line is an error naming it. */
function readTrialRecords(out: string): Map<number, TrialRecord> {
  const file = join(out, TRIALS_FILE);
  const records = new Map<number, TrialRecord>();
  if (!existsSync(file)) return records;
  const lines = readRunFile(file, 256 << 20).split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let r: TrialRecord;
    try {
      r = RecordSchema.parse(JSON.parse(line)) as unknown as TrialRecord;
    } catch {
      throw new CheckpointError(`line ${i + 1} is not a trial's record`, { file }, `remove the line (its trial then runs again)`);
    }
    records.set(r.trial, r);
  });
  return records;
}

function writeTrialRecords(out: string, records: Map<number, TrialRecord>): void {
  const lines = [...records.values()].sort((a, b) => a.trial - b.trial).map((r) => JSON.stringify(r) + '\n');
  writeFileDurable(join(out, TRIALS_FILE), lines.join(''));
}

function recordOf(trial: Trial, dir: string, r: Exclude<RunResult, { status: 'interrupted' }>): TrialRecord {
  const base = { trial: trial.index, dir, set: trial.values, seconds: r.seconds };
  if (r.status === 'ok') return { ...base, status: 'ok', metrics: r.outcome.final, epochs: r.outcome.epochs };
  return { ...base, status: 'failed', exit_code: r.code, error: r.error };
}

export interface TrialEvent {
  trial: Trial;
  result: RunResult;
}

export interface SweepOptions {
  plan: SweepPlan;
  out: string;
  jobs: number;
  env?: Record<string, string>;
  signal?: AbortSignal;
  onTrial?: (e: TrialEvent) => void;
}

/** Runs the trials not yet finished well; returns every trial's record (those that ran to an end). */
export async function runSweep(opts: SweepOptions): Promise<TrialRecord[]> {
  const { plan, out } = opts;
  const records = readTrialRecords(out);
  const todo = plan.trials.filter((t) => records.get(t.index)?.status !== 'ok');
  await runPool(
    todo,
    opts.jobs,
    async (trial) => {
      const name = trialDirName(trial.index, plan.trials.length);
      const dir = join(out, name);
      const result = await completeRun({ dir, fresh: trialArgs(plan, trial, out), env: opts.env, signal: opts.signal });
      opts.onTrial?.({ trial, result });
      if (result.status === 'interrupted') return;
      records.set(trial.index, recordOf(trial, name, result));
      writeTrialRecords(out, records);
    },
    () => opts.signal?.aborted === true,
  );
  return [...records.values()].filter((r) => plan.trials.some((t) => t.index === r.trial));
}

/** A record's value of `metric` (e.g. val.accuracy), if it has one. */
export function metricOf(r: TrialRecord, metric: string): number | undefined {
  const [split, name] = [metric.slice(0, metric.indexOf('.')), metric.slice(metric.indexOf('.') + 1)];
  const v = (r.metrics as Record<string, Record<string, number | undefined> | undefined> | undefined)?.[split]?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Best first: successful trials by the metric, then those without it, then the failed ones; ties by trial. */
export function rankTrials(records: readonly TrialRecord[], metric: string, mode: 'max' | 'min'): TrialRecord[] {
  const sign = mode === 'max' ? -1 : 1;
  const group = (r: TrialRecord) => (r.status !== 'ok' ? 2 : metricOf(r, metric) === undefined ? 1 : 0);
  return [...records].sort((a, b) => group(a) - group(b) || (group(a) === 0 ? sign * (metricOf(a, metric)! - metricOf(b, metric)!) : 0) || a.trial - b.trial);
}
