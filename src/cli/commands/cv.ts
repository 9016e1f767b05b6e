// dlf cv: k-fold cross-validation of a config (experiments/cv.ts), each fold a run directory under
// one parent, and the mean ± std of the final validation metrics printed and written to cv.json;
// `--resume <parent>` finishes an interrupted cross-validation.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { CV_FILE, type CvEvent, type CvReport, foldDir, planCv, readPlan, runCv } from '../../experiments/cv.js';
import { threadsPerJob } from '../../experiments/pool.js';
import { type RunDir, abandon, checkOutDir, defaultOutDir, openExistingRunDir, openNewRunDir } from '../../train/rundir.js';
import { loadConfig } from '../../config/load.js';
import { interruptsOf } from '../interrupt.js';
import { type Io, num } from '../output.js';
import { collect, positiveInt } from './common.js';

interface CvFlags {
  folds?: number;
  out?: string;
  set: string[];
  resume?: string;
  jobs: number;
  json?: boolean;
  quiet?: boolean;
}

export function registerCv(program: Command, io: Io): void {
  program
    .command('cv')
    .description('k-fold cross-validation: train one run per fold and report mean ± std of the validation metrics')
    .argument('[config]', 'the YAML config file (not with --resume)')
    .option('-k, --folds <k>', 'number of folds (at least 2); stratified by class for classification', positiveInt('--folds'))
    .option('-o, --out <dir>', 'parent directory of the fold runs (default: runs/<name>/<timestamp>-cv); must be new or empty')
    .option('--set <key=value>', 'override any config key in every fold (repeatable)', collect, [])
    .option('--resume <dir>', 'finish an interrupted cross-validation: finished folds are kept, unfinished ones continued or restarted')
    .option('-j, --jobs <n>', 'folds trained at once', positiveInt('--jobs'), 1)
    .option('--json', 'print cv.json (the folds and the mean and std of each metric) to stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (configFile: string | undefined, flags: CvFlags) => {
      const interrupts = interruptsOf(io);
      let runDir: RunDir;
      let plan;
      if (flags.resume) {
        if (configFile || flags.folds !== undefined || flags.out || flags.set.length) {
          throw new UsageError('--resume continues a cross-validation as it was planned; drop the config, --folds, --out and --set');
        }
        runDir = openExistingRunDir(flags.resume, `dlf cv --resume ${flags.resume}`);
        try {
          plan = readPlan(runDir.dir);
        } catch (e) {
          runDir.lock.release();
          throw e;
        }
      } else {
        if (!configFile) throw new UsageError('missing the config file', 'dlf cv <config> --folds k, or dlf cv --resume <dir>');
        if (flags.folds === undefined) throw new UsageError('missing --folds', 'dlf cv <config> --folds 5');
        if (flags.folds < 2) throw new UsageError('--folds must be at least 2');
        const out = flags.out ? checkOutDir(flags.out) : undefined;
        plan = planCv(configFile, flags.set, flags.folds);
        await interrupts.stage('reading the config');
        const name = loadConfig(configFile, { set: flags.set }).config.name;
        runDir = openNewRunDir(out ?? `${defaultOutDir(name)}-cv`, `dlf cv ${configFile}`, out === undefined);
      }
      interrupts.cooperate();
      const parent = runDir.dir;
      const env = { DLF_THREADS: String(threadsPerJob(availableParallelism(), flags.jobs, process.env.DLF_THREADS)) };
      let report: CvReport;
      try {
        report = await runCv({ plan, parent, jobs: flags.jobs, env, signal: interrupts.signal, onFold: (e) => flags.quiet || io.err(foldLine(e, plan.k)) });
      } catch (e) {
        // A new cross-validation that produced no fold at all leaves nothing behind.
        const anyFold = Array.from({ length: plan.k }, (_, i) => foldDir(parent, i + 1)).some((d) => existsSync(d));
        if (!runDir.existing && !anyFold) abandon(runDir);
        else runDir.lock.release();
        throw e;
      }
      runDir.lock.release();
      if (flags.json) io.out(JSON.stringify({ dir: parent, ...report }) + '\n');
      else if (!flags.quiet) io.out(summaryText(report, parent));
    });
}

function foldLine(e: CvEvent, k: number): string {
  const r = e.result;
  const head = `fold ${e.fold}/${k}`;
  if (r.status === 'failed') return `${head}: failed (exit ${r.code}): ${r.error}\n`;
  if (r.status === 'interrupted') return `${head}: interrupted\n`;
  const val = r.outcome.final.val ?? {};
  const metrics = Object.entries(val)
    .map(([m, v]) => `val.${m} ${num(v as number | undefined)}`)
    .join(', ');
  return `${head}: ${metrics} (${r.how}, ${r.seconds.toFixed(1)} s)\n`;
}

/** The mean ± std of every validation metric, one per line, aligned. */
export function summaryText(report: CvReport, parent: string): string {
  const mean = report.val?.mean ?? {};
  const std = report.val?.std ?? {};
  const names = Object.keys(mean);
  const width = Math.max(0, ...names.map((n) => n.length + 4));
  const lines = names.map((n) => `  ${`val.${n}`.padEnd(width)}  ${num(mean[n])} ± ${num(std[n])}`);
  return `${report.k}-fold cross-validation (${parent}, ${CV_FILE}):\n${lines.join('\n')}\n`;
}
