// dlf eval: score a run's checkpoint on its train or validation split.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { kernelsFor } from '../../kernels/select.js';
import { evaluateRun } from '../../train/evaluate.js';
import { type Io, num } from '../output.js';

export function registerEval(program: Command, io: Io): void {
  program
    .command('eval')
    .description("evaluate a run's checkpoint (best by default) on a data split")
    .argument('<run-dir>', 'a run directory written by dlf train')
    .option('-c, --checkpoint <file>', 'checkpoint file (default: <run-dir>/checkpoints/best.json, else last.json)')
    .option('--split <split>', 'train or val', 'val')
    .option('--json', 'print the result as one JSON object')
    .option('--backend <name>', 'kernel backend', 'ts')
    .action((runDir: string, flags: { checkpoint?: string; split: string; json?: boolean; backend: string }) => {
      if (flags.split !== 'train' && flags.split !== 'val') throw new UsageError(`--split must be train or val, got '${flags.split}'`);
      const r = evaluateRun(runDir, { checkpoint: flags.checkpoint, split: flags.split, kernels: kernelsFor(flags.backend) });
      if (flags.json) {
        io.out(JSON.stringify(r) + '\n');
        return;
      }
      io.out(`checkpoint ${r.checkpoint} (epoch ${r.epoch})\n${r.split} split: ${r.samples} samples\n`);
      for (const [k, v] of Object.entries(r.metrics)) io.out(`  ${k.padEnd(9)} ${num(v as number, 6)}\n`);
    });
}
