// The top-level help is answered from commands/index.ts without importing the command modules:
// it must list what the modules register (names, arguments, options, descriptions), in order, and
// print exactly the help that registering every module prints.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { COMMAND_INDEX } from '../../src/cli/commands/index.js';
import { dlf } from './helpers.js';

const quietIo = { out() {}, err() {}, interactive: false };
const argName = (a: { name(): string; required: boolean; variadic: boolean }) =>
  (a.required ? '<' : '[') + a.name() + (a.variadic ? '...' : '') + (a.required ? '>' : ']');

describe('the command index', () => {
  it('says what each command module registers', async () => {
    const program = await buildProgram(quietIo, ['node', 'dlf'], { allCommands: true });
    const real = program.commands.map((c) => ({
      name: c.name(),
      args: c.registeredArguments.map(argName),
      options: c.options.length > 0,
      description: c.description(),
    }));
    expect(COMMAND_INDEX).toEqual(real);
  });

  it('gives the same top-level help as the modules would', async () => {
    const real = await buildProgram(quietIo, ['node', 'dlf'], { allCommands: true });
    const listed = await buildProgram(quietIo, ['node', 'dlf', '--help']);
    expect(listed.helpInformation()).toBe(real.helpInformation());
  });

  it("dlf help <command> prints that command's own help, and a typo gets a suggestion", async () => {
    const help = await dlf('help', 'predict');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: dlf predict \[options\] <run-dir>/);
    expect(help.stdout).toContain('--threshold <t>');
    const typo = await dlf('trian', 'x.yaml');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'trian'\n\(Did you mean train\?\)/);
  });
});
