// The shape of the hostile corpus: a family is a describe block of cases, and each case is run
// through the real CLI once per command it concerns, each run asserting a clean refusal
// (expectRefused). A case makes its files when its family starts, so a family can grow by one line.
import { beforeAll, describe, it } from 'vitest';
import { batchTimeout, dlfMany } from './batch.js';
import { type Expect, expectRefused, type Fixtures, type Run } from './cli.js';
import type { Scratch } from './make.js';

export type Command = 'validate' | 'train' | 'summary' | 'predict';

/** What a case gives the command: a config (validate, train, summary) or an input (predict). */
export interface Made {
  config?: string;
  /** predict: the run directory and the --input file. */
  run?: string;
  input?: string;
  /** More arguments (--set, --output, ...). */
  extra?: string[];
  expect: Expect;
}

export interface Case {
  name: string;
  /** Why the case cannot run here (no mkfifo, no /dev/zero); it is skipped with this reason. */
  skip?: string;
  commands: Command[];
  /** Makes the case's files; `slug` is a file-name-safe form of the case name. */
  make(slug: string): Made;
}

export interface Context {
  s: Scratch;
  fx: Fixtures;
}

/**
 * Commands for the cases of a family, in turn: train for every case (it must also leave no run
 * directory behind), and every `every`-th case one of `others` as well, so that each command is
 * covered without running every case through every command (a run costs a Node start-up).
 */
export function inTurn(others: Command[], every = 3): () => Command[] {
  let n = 0;
  let k = 0;
  return () => (n++ % every === 0 ? ['train', others[k++ % others.length]] : ['train']);
}

/** Runs so far: numbers the file names, which stay unique when two families have a case of one name. */
let runs = 0;
const slugOf = (name: string) =>
  name
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/** The arguments of `command` for a made case (train writes to a fresh --out that must stay absent). */
function argsFor(command: Command, made: Made, ctx: Context): { args: string[]; expect: Expect } {
  const extra = made.extra ?? [];
  switch (command) {
    case 'validate':
    case 'summary':
      return { args: [command, made.config!, ...extra], expect: made.expect };
    case 'train': {
      const out = ctx.fx.out();
      return { args: ['train', made.config!, '--out', out, '--quiet', ...extra], expect: { ...made.expect, noDir: out } };
    }
    case 'predict':
      return { args: ['predict', made.run!, '--input', made.input!, ...extra], expect: made.expect };
  }
}

/**
 * A describe block of `cases`, one test per case and command. `ctx` is read when the block starts:
 * it makes every case's files and runs them all in one batch (batch.ts), and each test then
 * asserts on its own run.
 */
export function family(title: string, cases: Case[], ctx: () => Context): void {
  describe(title, () => {
    const tests = cases.flatMap((c) => c.commands.map((command) => ({ c, command, name: `${command}: ${c.name}${c.skip ? ` (skipped: ${c.skip})` : ''}` })));
    const todo = tests.filter((t) => t.c.skip === undefined);
    /** Each test's run and what it must show, or the error making its files threw. */
    const outcomes = new Map<(typeof tests)[number], { run: Run; expect: Expect } | { error: unknown }>();
    beforeAll(async () => {
      const context = ctx();
      const made: { t: (typeof todo)[number]; args: string[]; expect: Expect }[] = [];
      for (const t of todo) {
        try {
          made.push({ t, ...argsFor(t.command, t.c.make(`${t.command}-${slugOf(t.c.name)}-${++runs}`), context) });
        } catch (error) {
          outcomes.set(t, { error });
        }
      }
      const got = await dlfMany(
        made.map((m) => m.args),
        context.s,
      );
      made.forEach((m, i) => outcomes.set(m.t, { run: got[i], expect: m.expect }));
    }, batchTimeout(todo.length));
    for (const t of tests) {
      it.skipIf(t.c.skip !== undefined)(t.name, () => {
        const o = outcomes.get(t);
        if (o === undefined) throw new Error('the case was not run');
        if ('error' in o) throw o.error;
        // DLF_CORPUS_SHOW=1 prints every message, to read them all at once.
        if (process.env.DLF_CORPUS_SHOW) process.stdout.write(`\n[${t.name}]\n${o.run.stderr}`);
        expectRefused(o.run, o.expect);
      });
    }
  });
}
