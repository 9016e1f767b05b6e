// dlf train: validate, compile, load data, train with progress, write the run directory; or
// continue a run (--resume), or start from another run's weights (--init). The run directory is
// locked for the command's whole life (one writer per run); a new run that fails or is
// interrupted before its first checkpoint leaves nothing behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InterruptedError, UsageError } from '../../errors.js';
import type { Kernels } from '../../kernels/kernels.js';
import { kernelsFor } from '../../kernels/select.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { type TrainOptions, train } from '../../train/loop.js';
import { type RunDir, abandon, checkOutDir, defaultOutDir, openExistingRunDir, openNewRunDir } from '../../train/rundir.js';
import { freshState, prepareResume, prepareRun } from '../../train/session.js';
import { unseenNote } from '../../data/columns.js';
import { interruptsOf } from '../interrupt.js';
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
  allowDataChange?: boolean;
  stepEvents?: number;
  maxMemory?: number;
}

/** Whether the run directory holds a checkpoint file. */
const anyCheckpoint = (dir: string) => ['last.json', 'best.json'].some((f) => existsSync(join(dir, 'checkpoints', f)));

export function registerTrain(program: Command, io: Io): void {
  program
    .command('train')
    .description('train the model a config describes and write a run directory')
    .argument('[config]', 'the YAML config file (optional with --resume)')
    .option('-o, --out <dir>', 'run directory (default: runs/<name>/<timestamp>); must be new or empty')
    .option('--epochs <n>', 'override train.epochs; 0 writes the initialised model as checkpoints/last.json without training', nonNegativeInt('--epochs'))
    .option('--seed <n>', 'override seed', nonNegativeInt('--seed'))
    .option('--set <key=value>', 'override any config key, e.g. train.optimizer.lr=0.01 (repeatable)', collect, [])
    .option(
      '--resume <run-dir>',
      'continue a run from its last checkpoint (only train.epochs, train.early_stopping.patience, train.checkpoint, train.checkpoint_interval and train.evaluate_test may change)',
    )
    .option('--allow-data-change', 'with --resume: continue even though a data file changed since the run started')
    .option('--init <checkpoint>', 'start from the weights of a checkpoint (matched by name and shape)')
    .option('--stop-after <epoch>', 'pause after this epoch (as if interrupted); continue later with --resume', positiveInt('--stop-after'))
    .option('--json', 'also write NDJSON events (start, epoch, checkpoint, end) to stdout')
    .option('--step-events <n>', 'with --json: also a step event (epoch, step, loss, lr) every n optimizer steps', positiveInt('--step-events'))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action(async (configFile: string | undefined, flags: TrainFlags) => {
      const interrupts = interruptsOf(io);
      const kernels = kernelsFor(flags.backend); // a bad --backend is a usage error before any work
      const set = [...flags.set];
      if (flags.epochs !== undefined) set.push(`train.epochs=${flags.epochs}`);
      if (flags.seed !== undefined) set.push(`seed=${flags.seed}`);
      const command = flags.resume ? `dlf train --resume ${flags.resume}` : `dlf train ${configFile ?? ''}`;
      let runDir: RunDir;
      if (flags.stepEvents !== undefined && !flags.json) throw new UsageError('--step-events adds events to the --json output; add --json');
      let opts: Omit<TrainOptions, 'outDir' | 'onEvent' | 'signal'>;
      let dataNote: string | undefined;
      if (flags.resume) {
        if (flags.out) throw new UsageError('--resume continues in the run directory itself; drop --out');
        if (flags.init) throw new UsageError('--resume and --init cannot be combined');
        // Locked before the checkpoint is read, so that two resumes cannot both start from it.
        runDir = openExistingRunDir(flags.resume, command);
        try {
          const { run, state, onDisk } = prepareResume(runDir.dir, { configFile, set, allowDataChange: flags.allowDataChange, maxMemory: flags.maxMemory });
          opts = { ...optionsOf(run, state, flags, kernels), onDisk, fingerprints: flags.allowDataChange ? run.fingerprints : undefined };
          dataNote = unseenOf(run);
          await interrupts.stage('loading the data');
        } catch (e) {
          runDir.lock.release();
          throw e;
        }
      } else {
        if (flags.allowDataChange) throw new UsageError('--allow-data-change is for --resume');
        if (!configFile) throw new UsageError('missing the config file', 'dlf train <config>, or dlf train --resume <run-dir>');
        const out = flags.out ? checkOutDir(flags.out) : undefined;
        await interrupts.stage('reading the config');
        const run = prepareRun(configFile, set, flags.maxMemory);
        await interrupts.stage('loading the data');
        const state = freshState(run, flags.init);
        await interrupts.stage('preparing the model');
        opts = { ...optionsOf(run, state, flags, kernels), fingerprints: run.fingerprints };
        dataNote = unseenOf(run);
        runDir = openNewRunDir(out ?? defaultOutDir(run.resolved.config.name), command, out === undefined);
      }
      // From here on a signal stops training after the current batch (see interrupt.ts).
      interrupts.cooperate();
      const mode: Mode = flags.quiet ? 'quiet' : io.interactive ? 'bar' : 'lines';
      if (runDir.lock.warning && mode !== 'quiet') io.err(`warning: ${runDir.lock.warning}\n`);
      if (dataNote && mode !== 'quiet') io.err(`warning: ${dataNote}\n`);
      const renderer = await createRenderer(io, mode, flags.json);
      try {
        await train({
          ...opts,
          outDir: runDir.dir,
          onEvent: renderer.onEvent,
          signal: interrupts.signal,
        });
        runDir.lock.release();
      } catch (e) {
        renderer.close();
        // A new run with no checkpoint holds nothing worth keeping: remove what it made.
        if (runDir.existing || anyCheckpoint(runDir.dir)) {
          runDir.lock.release();
          throw e;
        }
        abandon(runDir);
        if (e instanceof InterruptedError) {
          throw new InterruptedError(`${e.message}; ${runDir.dir} was removed`, {}, 'run the same command again to start over', e.signal);
        }
        throw e;
      } finally {
        renderer.close();
      }
    });
}

function optionsOf(
  run: ReturnType<typeof prepareRun>,
  state: TrainOptions['state'],
  flags: TrainFlags,
  kernels: Kernels,
): Omit<TrainOptions, 'outDir' | 'onEvent' | 'signal'> {
  return {
    config: run.resolved.config,
    configHash: run.resolved.hash,
    configFile: run.resolved.file,
    model: run.model,
    data: run.data,
    kernels,
    state,
    yieldEvery: () => new Promise((r) => setImmediate(r)),
    stopAfter: flags.stopAfter,
    stepEvery: flags.stepEvents,
  };
}

/** A note on the validation and test rows whose categories went to an unknown bucket, if any. */
function unseenOf(run: ReturnType<typeof prepareRun>): string | undefined {
  const { val, test } = run.data;
  const notes = [unseenNote(val.unseen), unseenNote(test?.unseen)];
  return notes[0] && notes[1]
    ? `validation: ${notes[0]}; test: ${notes[1]}`
    : notes[0]
      ? `validation split: ${notes[0]}`
      : notes[1]
        ? `test set: ${notes[1]}`
        : undefined;
}
