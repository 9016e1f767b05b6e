// dlf eval: score a run's checkpoint (the best by default) on the train, validation or test data:
// every metric the config names and any asked for with --metrics; for classification a per-class
// table and the confusion matrix, and for two classes ROC-AUC, PR-AUC and the decision threshold.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { kernelsFor } from '../../kernels/select.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { dataChanges } from '../../data/fingerprint.js';
import { evaluateRun } from '../../train/evaluate.js';
import { readFingerprints } from '../../train/session.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import type { Io } from '../output.js';
import { binaryText, confusionText, metricsText, reportText } from '../eval-report.js';
import { MetricName as MetricNameSchema } from '../../config/schema/train.js';
import type { MetricName } from '../../train/metrics.js';
import { didYouMean } from '../../suggest.js';

/** --threshold: a probability strictly between 0 and 1. */
export function parseThreshold(v: string): number {
  const t = Number(v);
  if (v.trim() === '' || !(t > 0 && t < 1)) throw new UsageError(`--threshold must be a number between 0 and 1 (exclusive), got '${v}'`);
  return t;
}

/** --metrics a,b: known metric names, an unknown one with the closest known name. */
function parseMetrics(v: string): MetricName[] {
  const known = MetricNameSchema.options;
  return v
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '')
    .map((m) => {
      if ((known as readonly string[]).includes(m)) return m as MetricName;
      throw new UsageError(`--metrics: unknown metric '${m}'`, didYouMean(m, known) ?? `known metrics: ${known.join(', ')}`);
    });
}

export function registerEval(program: Command, io: Io): void {
  program
    .command('eval')
    .description("evaluate a run's checkpoint (best by default) on a data split")
    .argument('<run-dir>', 'a run directory written by dlf train')
    .option('-c, --checkpoint <file>', 'checkpoint file (default: <run-dir>/checkpoints/best.json, else last.json)')
    .option('--split <split>', 'train, val or test', 'val')
    .option(
      '--threshold <t>',
      'two classes: the probability of the positive class above which a sample is predicted positive (default: train.threshold, else 0.5)',
      parseThreshold,
    )
    .option('--metrics <list>', 'comma-separated metrics to compute besides those the config names, e.g. f1,roc_auc', parseMetrics)
    .option('--json', 'print the result (metrics, per-class table, binary scores, confusion matrix, checkpoint) as one JSON object')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action(
      (
        runDir: string,
        flags: { checkpoint?: string; split: string; json?: boolean; backend: string; maxMemory?: number; threshold?: number; metrics?: MetricName[] },
      ) => {
        const split = flags.split;
        if (split !== 'train' && split !== 'val' && split !== 'test') throw new UsageError(`--split must be train, val or test, got '${split}'`);
        const r = evaluateRun(runDir, {
          checkpoint: flags.checkpoint,
          split,
          kernels: kernelsFor(flags.backend),
          maxMemory: flags.maxMemory,
          threshold: flags.threshold,
          metrics: flags.metrics,
        });
        // The splits are recreated from the data files: say so when those changed since training.
        for (const c of dataChanges(readFingerprints(r.runDir) ?? [])) {
          io.err(`warning: data file ${c.path} ${c.what} since the run trained; these scores are on the data as it is now\n`);
        }
        for (const w of r.warnings ?? []) io.err(`warning: ${w}\n`);
        if (flags.json) {
          io.out(JSON.stringify(r) + '\n');
          return;
        }
        const tokens = r.tokens ? ` (${r.tokens.count} tokens)` : '';
        io.out(`checkpoint ${r.checkpoint} (epoch ${r.epoch})\n${r.split}: ${r.samples} samples${tokens}\n`);
        io.out(metricsText(r));
        if (r.tokens) io.out(`\n${r.tokens.note}\n`);
        if (r.binary) io.out('\n' + binaryText(r));
        if (r.report && r.report.classes.length <= 50) io.out('\n' + reportText(r));
        if (r.confusion && r.confusion.length <= 20) io.out('\n' + confusionText(r));
      },
    );
}
