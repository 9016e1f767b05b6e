// The dlf command line: one file per command; errors become one-line messages and exit codes
// here and nowhere else. A command's module (and with it everything the command needs: zod,
// yaml, the kernels, ...) is imported only when that command runs; `dlf --help`, `dlf help` and an
// unknown command load all of them, so that help lists every command and typos get suggestions.
import { Command, CommanderError } from 'commander';
import { DlfError, exitCodeFor } from '../errors.js';
import { dlfVersion } from '../package-root.js';
import { type Interrupts, watchInterrupts } from './interrupt.js';
import { type Io, processIo } from './output.js';

type Register = (program: Command, io: Io) => void;

/** Every command, in the order help lists them, with the import that registers it. */
const COMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['train', async () => (await import('./commands/train.js')).registerTrain],
  ['eval', async () => (await import('./commands/eval.js')).registerEval],
  ['graph', async () => (await import('./commands/graph.js')).registerGraph],
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['schema', async () => (await import('./commands/schema.js')).registerSchema],
  ['summary', async () => (await import('./commands/summary.js')).registerSummary],
  ['gradcheck', async () => (await import('./commands/gradcheck.js')).registerGradcheck],
  ['predict', async () => (await import('./commands/predict.js')).registerPredict],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['info', async () => (await import('./commands/info.js')).registerInfo],
  ['cv', async () => (await import('./commands/cv.js')).registerCv],
  ['sweep', async () => (await import('./commands/sweep.js')).registerSweep],
  ['plot', async () => (await import('./commands/plot.js')).registerPlot],
  ['report', async () => (await import('./commands/report.js')).registerReport],
];


/**
 * The program with the command `argv` names registered, or every command when argv names none
 * of them (no command, an option such as --help first, `help`, or a typo).
 */
export async function buildProgram(io: Io, argv: string[] = []): Promise<Command> {
  const program = new Command('dlf')
    .description('dlf: train deep-learning models described in YAML on a static computation graph')
    .version(dlfVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 training failed (NaN/infinite loss), 2 invalid usage, config, data or checkpoint\n(or a run directory in use), 3 an output could not be written (disk full, permission, read-only file system),\n130 interrupted by Ctrl-C (SIGINT), 143 by SIGTERM (continue with dlf train --resume <run-dir>).\nDLF_DEBUG=1 adds the stack trace to an internal error.\n',
    );
  const named = COMMANDS.find(([name]) => name === argv[2]);
  const registers = await Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
  for (const register of registers) register(program, io);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  return program;
}

/**
 * Runs the CLI on argv and returns the exit code. Ctrl-C and SIGTERM are handled from the start
 * (interrupt.ts): a command that is not training ends at once with 130 or 143.
 */
export async function main(argv: string[], baseIo: Io = processIo()): Promise<number> {
  const interrupts: Interrupts = watchInterrupts();
  const io: Io = { ...baseIo, interrupts };
  try {
    const program = await buildProgram(io, argv);
    await Promise.race([program.parseAsync(argv), interrupts.stopped]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message.
      return e.exitCode === 0 ? 0 : 2;
    }
    const { printError, exitCodeOfForeign } = await import('./report.js');
    printError(io, e);
    return e instanceof DlfError ? exitCodeFor(e) : exitCodeOfForeign(e);
  } finally {
    interrupts.dispose();
  }
}
