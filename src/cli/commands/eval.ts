// dlf eval: score a run's checkpoint (the best by default) on the train, validation or test data:
// every metric the config names, and the confusion matrix for classification.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { kernelsFor } from '../../kernels/select.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { dataChanges } from '../../data/fingerprint.js';
import { type EvalResult, evaluateRun } from '../../train/evaluate.js';
import { readFingerprints } from '../../train/session.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import { type Io, num } from '../output.js';

function confusionText(r: EvalResult): string {
  const m = r.confusion!;
  const names = (r.classes ?? m.map((_, i) => String(i))).map((c) => (c.length > 10 ? c.slice(0, 9) + '…' : c));
  const width = Math.max(6, ...names.map((n) => n.length), ...m.flat().map((v) => String(v).length)) + 1;
  const pad = (s: string) => s.padStart(width);
  const lines = ['confusion matrix (rows: true class, columns: predicted)', pad('') + names.map(pad).join('')];
  m.forEach((row, i) => lines.push(pad(names[i]) + row.map((v) => pad(String(v))).join('')));
  return lines.join('\n') + '\n';
}

export function registerEval(program: Command, io: Io): void {
  program
    .command('eval')
    .description("evaluate a run's checkpoint (best by default) on a data split")
    .argument('<run-dir>', 'a run directory written by dlf train')
    .option('-c, --checkpoint <file>', 'checkpoint file (default: <run-dir>/checkpoints/best.json, else last.json)')
    .option('--split <split>', 'train, val or test', 'val')
    .option('--json', 'print the result (metrics, confusion matrix, checkpoint) as one JSON object')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action((runDir: string, flags: { checkpoint?: string; split: string; json?: boolean; backend: string; maxMemory?: number }) => {
      const split = flags.split;
      if (split !== 'train' && split !== 'val' && split !== 'test') throw new UsageError(`--split must be train, val or test, got '${split}'`);
      const r = evaluateRun(runDir, { checkpoint: flags.checkpoint, split, kernels: kernelsFor(flags.backend), maxMemory: flags.maxMemory });
      // The splits are recreated from the data files: say so when those changed since training.
      for (const c of dataChanges(readFingerprints(r.runDir) ?? [])) {
        io.err(`warning: data file ${c.path} ${c.what} since the run trained; these scores are on the data as it is now\n`);
      }
      if (flags.json) {
        io.out(JSON.stringify(r) + '\n');
        return;
      }
      io.out(`checkpoint ${r.checkpoint} (epoch ${r.epoch})\n${r.split}: ${r.samples} samples\n`);
      for (const [k, v] of Object.entries(r.metrics)) io.out(`  ${k.padEnd(15)} ${num(v as number, 6)}\n`);
      if (r.confusion && r.confusion.length <= 20) io.out('\n' + confusionText(r));
    });
}
