// dlf report: one self-contained HTML page about a run: learning curves, an evaluation of the best
// checkpoint (metrics, the confusion matrix as a heat map and the per-class table, or a
// regression's residual charts), the model summary, the data and its fingerprints, the config, the
// timings and the environment. Written to --out (atomically) or to stdout (never a terminal). What
// the command does is in ../draw.ts, imported only when it runs.
import type { Command } from 'commander';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import type { Io } from '../output.js';

export function registerReport(program: Command, io: Io): void {
  program
    .command('report')
    .description('write one self-contained HTML page about a run: curves, evaluation, model, data, config, environment (works offline, no scripts)')
    .argument('<run-dir>', 'a run directory written by dlf train')
    .option('-o, --out <file>', 'write the page to this file (atomically); without it the HTML goes to stdout, which must then be a pipe or a file')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    // Parsed in draw.ts: importing max-memory.js here would make esbuild split the compiler's chunk
    // for this one module, which costs dlf --help about 15 ms.
    .option(
      '--max-memory <size>',
      "refuse a model whose training step needs more memory than this: bytes, or 512M, 4G, 2GiB (binary), 4GB (decimal); default: half of this machine's memory",
    )
    .addHelpText(
      'after',
      '\nThe best checkpoint is evaluated on the validation split (the training split when the run has none),\nas dlf eval does. Example:\n  dlf report runs/iris/20261201T101500 --out report.html\n',
    )
    .action(async (runDir: string, flags: { out?: string; backend: string; maxMemory?: string }) => {
      const { reportCommand } = await import('../draw.js');
      await reportCommand(io, runDir, flags);
    });
}
