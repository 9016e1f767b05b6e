// The dlf command line: one file per command; errors become one-line messages and exit codes
// here and nowhere else.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DlfError, exitCodeOf } from '../errors.js';
import { registerEval } from './commands/eval.js';
import { registerGradcheck } from './commands/gradcheck.js';
import { registerGraph } from './commands/graph.js';
import { registerInfo } from './commands/info.js';
import { registerPredict } from './commands/predict.js';
import { registerSchema } from './commands/schema.js';
import { registerSummary } from './commands/summary.js';
import { registerTrain } from './commands/train.js';
import { registerValidate } from './commands/validate.js';
import { type Io, printError, processIo } from './output.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(io: Io): Command {
  const program = new Command('dlf')
    .description('dlf: train deep-learning models described in YAML on a static computation graph')
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 training failed (NaN/infinite loss), 2 invalid usage, config, data or checkpoint,\n130 interrupted (Ctrl-C; continue with dlf train --resume <run-dir>).\n',
    );
  registerTrain(program, io);
  registerEval(program, io);
  registerGraph(program, io);
  registerValidate(program, io);
  registerSchema(program, io);
  registerSummary(program, io);
  registerGradcheck(program, io);
  registerPredict(program, io);
  registerInfo(program, io);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  return program;
}

/** Runs the CLI on argv and returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message.
      return e.exitCode === 0 ? 0 : 2;
    }
    printError(io, e);
    return e instanceof DlfError ? exitCodeOf(e.code) : 1;
  }
}
