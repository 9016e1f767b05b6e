// Checks of the files a command line names, made before any work so that a wrong path is a usage
// error in one line: an input must be a regular file (a FIFO would block the reader, a device
// never ends), and an output must be a new or regular file that is not one of the command's own
// inputs (writing predictions over the data they came from would destroy it).
import { type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { oneLine, UsageError } from '../errors.js';
import { isSystemError, reasonOf } from '../io/errno.js';

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The stats of `path` (following symbolic links), undefined when nothing is there; other failures are UsageErrors. */
function statOf(flag: string, path: string): Stats | undefined {
  if (path.includes('\0')) throw new UsageError(`${flag} ${oneLine(path)}: a file name cannot contain a NUL byte`);
  try {
    return statSync(path);
  } catch (e) {
    if (isSystemError(e) && e.code === 'ENOENT') return undefined;
    if (isSystemError(e)) throw new UsageError(`${flag} ${oneLine(path)}: ${reasonOf(e.code)}`);
    throw e;
  }
}

/** The stats of `path`, or undefined when it cannot be had (for comparing, not for reporting). */
function statQuiet(path: string): Stats | undefined {
  if (path.includes('\0')) return undefined;
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether two stats are of one file (also through links). */
const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** Checks that `path`, given as `flag`, is an existing regular file; returns its absolute path. */
export function checkInputFile(flag: string, path: string): string {
  const abs = resolve(path);
  const st = statOf(flag, abs);
  if (!st) throw new UsageError(`${flag} ${oneLine(path)}: no such file`);
  if (!st.isFile()) throw new UsageError(`${flag} ${oneLine(path)} is ${kindOf(st)}, not a regular file`);
  return abs;
}

/**
 * Checks that `path`, given as `flag`, can be replaced by an output: nothing there yet, or a
 * regular file that is none of `inputs` (files the command reads; missing ones are skipped).
 * Returns its absolute path.
 */
export function checkOutputFile(flag: string, path: string, inputs: { what: string; path: string }[]): string {
  const abs = resolve(path);
  const st = statOf(flag, abs);
  if (!st) return abs;
  if (st.isDirectory()) throw new UsageError(`${flag} ${oneLine(path)} is a directory`, 'give the name of a file to write');
  if (!st.isFile()) throw new UsageError(`${flag} ${oneLine(path)} is ${kindOf(st)}, not a regular file`, 'leave out the option to write to stdout');
  for (const input of inputs) {
    const other = statQuiet(input.path);
    if (other && sameFile(st, other))
      throw new UsageError(`${flag} ${oneLine(path)} is ${input.what}; writing to it would destroy it`, 'give another file name');
  }
  return abs;
}
