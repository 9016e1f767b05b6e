// dlf sweep: run the trials of a sweep file (experiments/sweep.ts) as parallel child processes,
// record each in trials.jsonl and print them ranked by the sweep's metric; or, with --emit-jobs,
// write one self-contained `dlf train` command per trial for another scheduler to run.
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DlfError, InterruptedError, interruptOf } from '../../errors.js';
import { dlfCommand } from '../../experiments/child.js';
import { threadsPerJob } from '../../experiments/pool.js';
import { shellLine } from '../../experiments/shell.js';
import { loadSweep } from '../../experiments/sweep-file.js';
import {
  PLAN_FILE,
  type SweepPlan,
  type TrialEvent,
  type TrialRecord,
  metricOf,
  planSweep,
  rankTrials,
  recordPlan,
  runSweep,
  trialArgs,
  trialDirName,
} from '../../experiments/sweep.js';
import { loadConfig } from '../../config/load.js';
import { ioFailure } from '../../io/write.js';
import { type RunDir, checkOutDir, defaultOutDir, openExistingRunDir, openNewRunDir } from '../../train/rundir.js';
import { interruptsOf } from '../interrupt.js';
import { type Io, num } from '../output.js';
import { positiveInt } from './common.js';
import { textTable } from '../table.js';

interface SweepFlags {
  jobs?: number;
  out?: string;
  emitJobs?: string | boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerSweep(program: Command, io: Io): void {
  program
    .command('sweep')
    .description('run the trials of a sweep file (grid or random search) in parallel and rank them by a metric')
    .argument('<sweep>', 'the YAML sweep file')
    .option('-j, --jobs <n>', 'trials run at once (default: the number of CPUs)', positiveInt('--jobs'))
    .option('-o, --out <dir>', 'sweep directory (default: runs/<name>/<timestamp>-sweep); rerun with the same --out to continue')
    .option('--emit-jobs [file]', 'write one shell command per trial (to the file, or stdout) instead of running them')
    .option('--json', 'print the ranked trials as JSON to stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (sweepFile: string, flags: SweepFlags) => {
      const interrupts = interruptsOf(io);
      const plan = planSweep(loadSweep(sweepFile));
      await interrupts.stage('reading the sweep');
      const out = resolve(flags.out ?? `${defaultOutDir(loadConfig(plan.config).config.name)}-sweep`);
      const runDir = openSweepDir(out);
      try {
        recordPlan(out, plan);
      } catch (e) {
        runDir.lock.release();
        throw e;
      }
      if (flags.emitJobs !== undefined && flags.emitJobs !== false) {
        runDir.lock.release();
        const text = plan.trials.map((t) => shellLine([...dlfCommand(), ...trialArgs(plan, t, out, ['--quiet'])]) + '\n').join('');
        if (typeof flags.emitJobs === 'string') {
          try {
            writeFileSync(flags.emitJobs, text);
          } catch (e) {
            throw ioFailure(e, 'write', flags.emitJobs);
          }
          if (!flags.quiet)
            io.err(`wrote ${plan.trials.length} commands to ${flags.emitJobs}; collect the results with: dlf sweep ${sweepFile} --out ${out}\n`);
        } else io.out(text);
        return;
      }
      interrupts.cooperate();
      const jobs = flags.jobs ?? availableParallelism();
      const env = { DLF_THREADS: String(threadsPerJob(availableParallelism(), jobs, process.env.DLF_THREADS)) };
      let records: TrialRecord[];
      try {
        records = await runSweep({ plan, out, jobs, env, signal: interrupts.signal, onTrial: (e) => flags.quiet || io.err(trialLine(e, plan)) });
      } finally {
        runDir.lock.release();
      }
      const sig = interruptOf(interrupts.signal);
      if (sig) {
        throw new InterruptedError(
          `sweep interrupted by ${sig} with ${records.filter((r) => r.status === 'ok').length} of ${plan.trials.length} trials finished`,
          { file: out },
          `continue with: dlf sweep ${sweepFile} --out ${out}`,
          sig,
        );
      }
      const ranked = rankTrials(records, plan.metric, plan.mode);
      if (flags.json) io.out(JSON.stringify({ dir: out, metric: plan.metric, mode: plan.mode, trials: ranked }) + '\n');
      else if (!flags.quiet) io.out(rankedTable(ranked, plan));
      const failed = ranked.filter((r) => r.status === 'failed');
      if (failed.length) {
        const f = failed[0];
        throw new DlfError(
          'TRAINING',
          `${failed.length} of ${plan.trials.length} trials failed; ${f.dir}: exit ${f.exit_code}: ${f.error}`,
          { file: join(out, 'trials.jsonl') },
          `rerun the same command to retry them: dlf sweep ${sweepFile} --out ${out}`,
        );
      }
    });
}

/** Locks the sweep directory: an existing sweep's (a rerun), or a new empty one. */
function openSweepDir(out: string): RunDir {
  if (existsSync(join(out, PLAN_FILE))) return openExistingRunDir(out, 'dlf sweep');
  return openNewRunDir(checkOutDir(out), 'dlf sweep', false);
}

function trialLine(e: TrialEvent, plan: SweepPlan): string {
  const r = e.result;
  const head = `${trialDirName(e.trial.index, plan.trials.length)} (${Object.entries(e.trial.values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ')})`;
  if (r.status === 'failed') return `${head}: failed (exit ${r.code}): ${r.error}\n`;
  if (r.status === 'interrupted') return `${head}: interrupted\n`;
  const [split, name] = plan.metric.split('.');
  const v = (r.outcome.final as unknown as Record<string, Record<string, number> | undefined>)[split]?.[name];
  return `${head}: ${plan.metric} ${num(v)} (${r.how}, ${r.seconds.toFixed(1)} s)\n`;
}

/** The trials, best first, as an aligned text table. */
export function rankedTable(ranked: readonly TrialRecord[], plan: SweepPlan): string {
  const keys = Object.keys(plan.trials[0]?.values ?? {});
  const head = ['rank', 'trial', plan.metric, ...keys, 'status', 'seconds'];
  const rows = ranked.map((r, i) => [
    String(i + 1),
    r.dir,
    num(metricOf(r, plan.metric)),
    ...keys.map((k) => (typeof r.set[k] === 'string' ? (r.set[k] as string) : JSON.stringify(r.set[k]))),
    r.status === 'ok' ? 'ok' : `failed (exit ${r.exit_code})`,
    r.seconds.toFixed(1),
  ]);
  const table = textTable([head, ...rows]);
  return `${plan.trials.length} trials ranked by ${plan.metric} (${plan.mode}):\n` + table.line(head) + rows.map(table.line).join('');
}
