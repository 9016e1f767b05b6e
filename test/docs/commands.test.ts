// Every dlf command has its row in the README's command table, and every option of a command is
// written in that row or in the command's own page, docs/<command>.md (the flags --help lists).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const read = (rel: string) => readFileSync(new URL(`../../${rel}`, import.meta.url), 'utf8');
const readme = read('README.md');
const tableRows = readme.split('\n').filter((l) => l.startsWith('| `dlf '));

/** The README rows of `name` (dlf train has two: a new run and --resume). */
const rowsOf = (name: string) => tableRows.filter((r) => r.startsWith(`| \`dlf ${name} `) || r.startsWith(`| \`dlf ${name}\``)).join('\n');
const pageOf = (name: string) => (existsSync(new URL(`../../docs/${name}.md`, import.meta.url)) ? read(`docs/${name}.md`) : '');

describe('the README and docs/ cover every command', async () => {
  const program = await buildProgram({ out() {}, err() {}, interactive: false }, ['node', 'dlf'], { allCommands: true });
  const commands = program.commands.map((c) => ({ name: c.name(), flags: c.options.map((o) => o.long).filter((f): f is string => f !== undefined) }));

  it('finds the commands', () => {
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['train', 'eval', 'predict', 'cv', 'sweep']));
  });

  it.each(commands.map((c) => [c.name, c.flags] as const))('dlf %s has a row with its options', (name, flags) => {
    const row = rowsOf(name);
    expect(row, `no row for dlf ${name} in the README's command table`).not.toBe('');
    const page = pageOf(name);
    expect(flags.filter((f) => !row.includes(f) && !page.includes(f))).toEqual([]);
  });

  it('links the pages of the commands that have one', () => {
    for (const { name } of commands) {
      if (pageOf(name)) expect(readme).toContain(`(docs/${name}.md)`);
    }
  });
});
