// Where a command that makes a document (an SVG picture, an HTML report) puts it: in the file
// --out names, written atomically, or else on stdout for a pipe or a redirection. A terminal is no
// place for a few hundred kilobytes of markup, so without --out and with stdout on a terminal the
// command stops before doing any work and says how to get the file (as gzip refuses to write
// compressed data to a terminal).
import { resolve } from 'node:path';
import { UsageError, oneLine } from '../errors.js';
import { writeFileDurable } from '../io/write.js';
import { checkOutputFile } from './file-paths.js';
import type { Io } from './output.js';

/** The checked --out path (absolute), or undefined for stdout; throws when stdout is a terminal and there is no --out. */
export function documentTarget(io: Io, out: string | undefined, what: string, example: string, inputs: { what: string; path: string }[]): string | undefined {
  if (out !== undefined) return checkOutputFile('--out', out, inputs);
  if (io.outIsTerminal) throw new UsageError(`${what} is not written to a terminal`, `give --out ${example}, or redirect: > ${example}`);
  return undefined;
}

/** Writes `text` to `target` (atomically, saying so on stderr) or to stdout. */
export function putDocument(io: Io, target: string | undefined, text: string, what: string): void {
  if (target === undefined) {
    io.out(text);
    return;
  }
  writeFileDurable(target, text);
  io.err(`wrote ${what} to ${oneLine(target)}\n`);
}

/** The files of a run directory that a command's output must not replace. */
export function runFiles(dir: string): { what: string; path: string }[] {
  return ['metrics.jsonl', 'metrics.json', 'config.json', 'preprocessing.json', 'fingerprints.json', 'checkpoints/best.json', 'checkpoints/last.json'].map(
    (name) => ({ what: 'a file of the run directory', path: resolve(dir, name) }),
  );
}
