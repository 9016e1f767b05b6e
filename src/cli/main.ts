// The dlf command line: one file per command; errors become one-line messages and exit codes
// here and nowhere else. A command's module (and with it everything the command needs: zod,
// yaml, the kernels, ...) is imported only when that command runs, or is named by `dlf help
// <command>`; `dlf --help`, `dlf help` and an unknown command list the commands from their index
// (commands/index.ts) without importing any, and typos still get suggestions.
import { Command, CommanderError, Option } from 'commander';
import { DlfError, exitCodeFor } from '../errors.js';
import { dlfVersion } from '../package-root.js';
import { type Interrupts, watchInterrupts } from './interrupt.js';
import { COMMAND_INDEX } from './commands/index.js';
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
  ['generate', async () => (await import('./commands/generate.js')).registerGenerate],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['info', async () => (await import('./commands/info.js')).registerInfo],
  ['cv', async () => (await import('./commands/cv.js')).registerCv],
  ['sweep', async () => (await import('./commands/sweep.js')).registerSweep],
  ['plot', async () => (await import('./commands/plot.js')).registerPlot],
  ['report', async () => (await import('./commands/report.js')).registerReport],
];

/**
 * The program with the command `argv` names registered (`dlf <command> ...` or `dlf help
 * <command>`), or, when argv names none (no command, an option such as --help first, `help`, or a
 * typo), every command as its index lists it; `allCommands` registers every command's module
 * instead (for tests and documentation that look at every option).
 */
export async function buildProgram(io: Io, argv: string[] = [], opts: { allCommands?: boolean } = {}): Promise<Command> {
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
  const wanted = argv[2] === 'help' ? argv[3] : argv[2];
  const named = COMMANDS.find(([name]) => name === wanted);
  if (named) (await named[1]())(program, io);
  else if (opts.allCommands) for (const register of await Promise.all(COMMANDS.map(([, load]) => load()))) register(program, io);
  else listCommands(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  return program;
}

/**
 * Every command as its index entry, without its module: what the top-level help lists and what
 * commander suggests a typo from. None of them runs (a named command is registered for real).
 */
function listCommands(program: Command): void {
  for (const e of COMMAND_INDEX) {
    const c = program.command(e.name).description(e.description);
    for (const a of e.args) c.argument(a);
    // Its options are the module's; a hidden one makes the help write `[options]` as it does for the real command.
    if (e.options) c.addOption(new Option('--listed-only').hideHelp());
  }
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
