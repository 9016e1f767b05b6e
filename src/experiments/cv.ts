// k-fold cross-validation: fold i is an ordinary `dlf train` of the config with
// `data.split.fold={k, index: i}` in `<parent>/fold-i`, run as a child process. The parent holds
// the plan and the results in cv.json (rewritten durably as folds finish), is locked like a run
// directory, and can be resumed: finished folds are read, unfinished ones continued or restarted.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { loadConfig } from '../config/load.js';
import { CheckpointError, type DlfError, exitCodeOf, interruptOf } from '../errors.js';
import { writeJsonDurable } from '../io/write.js';
import { readRunFile } from '../train/rundir.js';
import { childFailure } from './failure.js';
import { runPool } from './pool.js';
import { type FinalMetrics, type RunResult, completeRun } from './runs.js';
import { type MetricSummary, summarize } from './stats.js';

export const CV_FILE = 'cv.json';

const PlanSchema = z.object({
  config: z.string(),
  set: z.array(z.string()),
  k: z.number().int().min(2),
  seed: z.number(),
  hash: z.string(),
});
/** What a cross-validation is: enough to resume it. */
export type CvPlan = z.infer<typeof PlanSchema>;

export interface FoldRecord {
  fold: number;
  dir: string;
  epochs: number;
  seconds: number;
  final: FinalMetrics;
}

/** cv.json: the plan, the folds finished so far and, once all are, the mean and std of their validation metrics. */
export interface CvReport extends CvPlan {
  complete: boolean;
  folds: FoldRecord[];
  val?: MetricSummary;
}

/** The --set that makes a config's split fold `index` of `k`. */
const foldSet = (k: number, index: number) => `data.split.fold={k: ${k}, index: ${index}}`;

export const foldDir = (parent: string, index: number) => join(parent, `fold-${index}`);

/** The plan of a new cross-validation; loading the config checks it (and the fold key) before anything runs. */
export function planCv(configFile: string, set: string[], k: number): CvPlan {
  const base = loadConfig(configFile, { set });
  loadConfig(configFile, { set: [...set, foldSet(k, k)] });
  return { config: base.file, set, k, seed: base.config.seed, hash: base.hash };
}

/** The plan a cross-validation directory holds; its config must still resolve to what it was. */
export function readPlan(parent: string): CvPlan {
  const file = join(parent, CV_FILE);
  if (!existsSync(file)) throw new CheckpointError(`not a cross-validation directory (no ${CV_FILE})`, { file: parent });
  let plan: CvPlan;
  try {
    plan = PlanSchema.parse(JSON.parse(readRunFile(file, 64 << 20)));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('is not the plan of a cross-validation', { file });
  }
  const now = loadConfig(plan.config, { set: plan.set });
  if (now.hash !== plan.hash) {
    throw new CheckpointError(
      'the config changed since the cross-validation started',
      { file: plan.config },
      'restore it, or start a new cross-validation with dlf cv',
    );
  }
  return plan;
}

export interface CvEvent {
  fold: number;
  result: RunResult;
}

export interface CvOptions {
  plan: CvPlan;
  parent: string;
  jobs: number;
  env?: Record<string, string>;
  signal?: AbortSignal;
  onFold?: (e: CvEvent) => void;
}

/** The report of the folds in `done` (complete when all k are there). */
function cvReport(plan: CvPlan, done: readonly FoldRecord[]): CvReport {
  const folds = [...done].sort((a, b) => a.fold - b.fold);
  const complete = folds.length === plan.k;
  return { ...plan, complete, folds, ...(complete ? { val: summarize(folds.map((f) => f.final.val ?? {})) } : {}) };
}

/**
 * Runs (or resumes) every fold and returns the report. The first fold that fails stops new folds
 * from starting and is thrown, with the child's exit code, once the running ones end; so is an
 * interrupt.
 */
export async function runCv(opts: CvOptions): Promise<CvReport> {
  const { plan, parent } = opts;
  const done: FoldRecord[] = [];
  const save = () => writeJsonDurable(join(parent, CV_FILE), cvReport(plan, done));
  save();
  let failure: DlfError | undefined;
  const indices = Array.from({ length: plan.k }, (_, i) => i + 1);
  await runPool(
    indices,
    opts.jobs,
    async (fold) => {
      const dir = foldDir(parent, fold);
      const fresh = ['train', plan.config, '--out', dir, ...plan.set.flatMap((s) => ['--set', s]), '--set', foldSet(plan.k, fold), '--quiet', '--json'];
      const result = await completeRun({ dir, fresh, env: opts.env, signal: opts.signal });
      opts.onFold?.({ fold, result });
      if (result.status === 'ok') {
        done.push({ fold, dir: `fold-${fold}`, epochs: result.outcome.epochs, seconds: result.seconds, final: result.outcome.final });
        save();
      } else if (result.status === 'failed') {
        failure ??= childFailure(result.code, `fold ${fold} failed: ${result.error}`, { file: dir }, `fix it and continue with: dlf cv --resume ${parent}`);
      }
    },
    () => failure !== undefined || opts.signal?.aborted === true,
  );
  if (failure) throw failure;
  const sig = interruptOf(opts.signal);
  if (sig) {
    throw childFailure(
      exitCodeOf('INTERRUPTED', sig),
      `cross-validation interrupted with ${done.length} of ${plan.k} folds finished`,
      { file: parent },
      `continue with: dlf cv --resume ${resolve(parent)}`,
    );
  }
  return cvReport(plan, done);
}
