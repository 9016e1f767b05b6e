// The shape of the hostile corpus: a family is a describe block of cases, and each case is run
// through the real CLI once per command it concerns, each run asserting a clean refusal
// (expectRefused). A case makes its files when it runs, so a family can grow by one line.
import { describe, it } from 'vitest';
import { dlf, type Expect, expectRefused, type Fixtures } from './cli.js';
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
const slugOf = (name: string) => name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

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

/** A describe block of `cases`, one test per case and command. `ctx` is read when the tests run. */
export function family(title: string, cases: Case[], ctx: () => Context): void {
  describe(title, () => {
    for (const c of cases) {
      for (const command of c.commands) {
        const name = `${command}: ${c.name}${c.skip ? ` (skipped: ${c.skip})` : ''}`;
        it.skipIf(c.skip !== undefined)(name, () => {
          const context = ctx();
          const made = c.make(`${command}-${slugOf(c.name)}-${++runs}`);
          const { args, expect } = argsFor(command, made, context);
          const r = dlf(args, context.s.dir);
          // DLF_CORPUS_SHOW=1 prints every message, to read them all at once.
          if (process.env.DLF_CORPUS_SHOW) process.stdout.write(`\n[${name}]\n${r.stderr}`);
          expectRefused(r, expect);
        });
      }
    }
  });
}
