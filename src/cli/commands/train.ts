// dlf train: validate, compile, load data, train with progress, write the run directory; or
// continue a run (--resume), or start from another run's weights (--init).
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { kernelsFor } from '../../kernels/select.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { train } from '../../train/loop.js';
import { checkOutDir, defaultOutDir, freshState, prepareResume, prepareRun } from '../../train/session.js';
import type { Io } from '../output.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
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
  resume?: string;
  init?: string;
  stopAfter?: number;
  maxMemory?: number;
}

export function registerTrain(program: Command, io: Io): void {
  program
    .command('train')
    .description('train the model a config describes and write a run directory')
    .argument('[config]', 'the YAML config file (optional with --resume)')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>/<timestamp>); must be new or empty')
    .option('--epochs <n>', 'override train.epochs', positiveInt('--epochs'))
    .option('--seed <n>', 'override seed', nonNegativeInt('--seed'))
    .option('--set <key=value>', 'override any config key, e.g. train.optimizer.lr=0.01 (repeatable)', collect, [])
    .option('--resume <run-dir>', 'continue a run from its last checkpoint (only train.epochs, train.early_stopping.patience, train.checkpoint, train.checkpoint_interval and train.evaluate_test may change)')
    .option('--init <checkpoint>', 'start from the weights of a checkpoint (matched by name and shape)')
    .option('--stop-after <epoch>', 'pause after this epoch (as if interrupted); continue later with --resume', positiveInt('--stop-after'))
    .option('--json', 'write NDJSON events (start, epoch, checkpoint, end) to stdout')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action(async (configFile: string | undefined, flags: TrainFlags) => {
      const kernels = kernelsFor(flags.backend);
      const set = [...flags.set];
      if (flags.epochs !== undefined) set.push(`train.epochs=${flags.epochs}`);
      if (flags.seed !== undefined) set.push(`seed=${flags.seed}`);
      let prepared;
      if (flags.resume) {
        if (flags.out) throw new UsageError('--resume continues in the run directory itself; drop --out');
        if (flags.init) throw new UsageError('--resume and --init cannot be combined');
        prepared = prepareResume(flags.resume, { configFile, set, maxMemory: flags.maxMemory });
      } else {
        if (!configFile) throw new UsageError('missing the config file', 'dlf train <config>, or dlf train --resume <run-dir>');
        const run = prepareRun(configFile, set, flags.maxMemory);
        const state = freshState(run, flags.init);
        const outDir = flags.out ? checkOutDir(flags.out) : defaultOutDir(run.resolved.config.name);
        prepared = { run, state, outDir };
      }
      const { run, state, outDir } = prepared;
      const mode: Mode = flags.json ? 'json' : flags.quiet ? 'quiet' : io.interactive ? 'bar' : 'lines';
      const renderer = await createRenderer(io, mode);
      // Ctrl-C, or a SIGTERM (kill, a job scheduler), stops after the current batch and writes the
      // checkpoint of the last finished epoch for --resume: checkpoints are otherwise written only
      // every train.checkpoint_interval seconds.
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await train({
          config: run.resolved.config,
          configHash: run.resolved.hash,
          configFile: run.resolved.file,
          model: run.model,
          data: run.data,
          kernels,
          outDir,
          state,
          onEvent: renderer.onEvent,
          yieldEvery: () => new Promise((r) => setImmediate(r)),
          stopAfter: flags.stopAfter,
          signal: abort.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        renderer.close();
      }
    });
}
