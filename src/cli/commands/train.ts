// dlf train: validate, compile, load data, train with progress, write the run directory.
import type { Command } from 'commander';
import { kernelsFor } from '../../kernels/select.js';
import { train } from '../../train/loop.js';
import { checkOutDir, defaultOutDir, prepareRun } from '../../train/session.js';
import type { Io } from '../output.js';
import { createRenderer, type Mode } from '../progress.js';
import { collect, nonNegativeInt, positiveInt } from './common.js';

interface TrainFlags {
  out?: string;
  epochs?: number;
  seed?: number;
  set: string[];
  json?: boolean;
  quiet?: boolean;
  backend: string;
}

export function registerTrain(program: Command, io: Io): void {
  program
    .command('train')
    .description('train the model a config describes and write a run directory')
    .argument('<config>', 'the YAML config file')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>/<timestamp>); must be new or empty')
    .option('--epochs <n>', 'override train.epochs', positiveInt('--epochs'))
    .option('--seed <n>', 'override seed', nonNegativeInt('--seed'))
    .option('--set <key=value>', 'override any config key, e.g. train.optimizer.lr=0.01 (repeatable)', collect, [])
    .option('--json', 'write NDJSON events (start, epoch, checkpoint, end) to stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--backend <name>', 'kernel backend', 'ts')
    .action(async (configFile: string, flags: TrainFlags) => {
      const kernels = kernelsFor(flags.backend);
      const set = [...flags.set];
      if (flags.epochs !== undefined) set.push(`train.epochs=${flags.epochs}`);
      if (flags.seed !== undefined) set.push(`seed=${flags.seed}`);
      const run = prepareRun(configFile, set);
      const outDir = flags.out ? checkOutDir(flags.out) : defaultOutDir(run.resolved.config.name);
      const mode: Mode = flags.json ? 'json' : flags.quiet ? 'quiet' : io.interactive ? 'bar' : 'lines';
      const renderer = createRenderer(io, mode);
      try {
        await train({
          ...run,
          kernels,
          outDir,
          onEvent: renderer.onEvent,
          yieldEvery: () => new Promise((r) => setImmediate(r)),
        });
      } finally {
        renderer.close();
      }
    });
}
