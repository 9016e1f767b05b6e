// The life of a run directory around training: choosing and checking it, creating it, locking it
// (lock.ts), clearing the temporary files a killed process left in it, and removing what a run
// created when it fails or is interrupted before it has written a checkpoint, so that bad input
// or an early failure never leaves a half-made run directory behind; and reading the run's own
// text files (config.json, metrics.jsonl, fingerprints.json) safely.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CheckpointError, UsageError } from '../errors.js';
import { ReadFailure, decodeUtf8, readRegularFile } from '../io/read.js';
import { isSystemError } from '../io/errno.js';
import { ioFailure, isTempName, makeDir, removeQuietly } from '../io/write.js';
import { LOCK_NAME, type RunLock, acquireRunLock } from './lock.js';

/** The default run directory: runs/<name>/<timestamp>; claim() makes it unique. */
export function defaultOutDir(name: string, now = new Date(), base = 'runs'): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return resolve(base, name, stamp);
}

/**
 * Checks an output directory given with --out: it must be a directory that is empty, or not
 * exist yet (with no file in the way among its parents). Returns the absolute path.
 */
export function checkOutDir(dir: string): string {
  const abs = resolve(dir);
  for (let p = abs; ; p = dirname(p)) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      if (isSystemError(e) && e.code === 'ENOENT' && dirname(p) !== p) continue;
      if (isSystemError(e) && e.code === 'ENOTDIR') continue;
      throw ioFailure(e, 'check', p);
    }
    if (!st.isDirectory()) {
      throw new UsageError(
        p === abs ? `output directory ${abs} is a file, not a directory` : `output directory ${abs} cannot be made: ${p} is a file`,
        'choose another --out',
      );
    }
    if (p === abs && readdirSync(abs).length > 0) {
      throw new UsageError(`output directory ${abs} is not empty`, 'choose another --out, or remove it; to continue a run use --resume');
    }
    return abs;
  }
}

/** A locked run directory, and what this process created in it. */
export interface RunDir {
  readonly dir: string;
  readonly lock: RunLock;
  /** The outermost directory this process created (removed by abandon), if any. */
  readonly createdRoot?: string;
  /** Whether the run existed before (a resume): abandon() then removes nothing. */
  readonly existing: boolean;
}

/** The outermost ancestor of `dir` (or `dir` itself) that does not exist yet. */
function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let p = dir; !existsSync(p); p = dirname(p)) {
    missing = p;
    if (dirname(p) === p) break;
  }
  return missing;
}

/**
 * Creates and locks the directory of a new run. With `unique` (the default runs/<name>/<stamp>)
 * a directory another process has just taken gets a `-2`, `-3`, ... suffix instead; otherwise
 * (--out) the directory must still be empty once locked.
 */
export function openNewRunDir(dir: string, command: string, unique: boolean): RunDir {
  for (let k = 1; ; k++) {
    const candidate = unique && k > 1 ? `${dir}-${k}` : dir;
    const createdRoot = firstMissing(candidate);
    if (unique && !createdRoot) continue;
    makeDir(dirname(candidate));
    try {
      mkdirSync(candidate);
    } catch (e) {
      if (!(isSystemError(e) && e.code === 'EEXIST')) throw ioFailure(e, 'create directory', candidate);
      if (unique) continue;
    }
    const lock = acquireRunLock(candidate, command);
    const others = readdirSync(candidate).filter((n) => n !== LOCK_NAME);
    if (others.length > 0) {
      lock.release();
      if (unique) continue;
      throw new UsageError(`output directory ${candidate} is not empty`, 'another run started there meanwhile; choose another --out');
    }
    return { dir: candidate, lock, createdRoot, existing: false };
  }
}

/** Locks the directory of an existing run (--resume) and clears stale temporary files in it. */
export function openExistingRunDir(dir: string, command: string): RunDir {
  const abs = resolve(dir);
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    if (isSystemError(e) && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) throw new UsageError(`run directory ${abs} does not exist`);
    throw ioFailure(e, 'read', abs);
  }
  if (!st.isDirectory()) throw new UsageError(`${abs} is not a run directory (not a directory at all)`);
  const lock = acquireRunLock(abs, command);
  clearStaleTemps(abs);
  return { dir: abs, lock, existing: true };
}

/**
 * Removes temporary files (`.<name>.<pid>.tmp`) left in a run directory and its checkpoints by
 * a process that was killed mid-write. Only the lock holder calls this, so none is in use.
 */
function clearStaleTemps(dir: string): number {
  let removed = 0;
  for (const d of [dir, join(dir, 'checkpoints')]) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      if (isTempName(name) || /^\.dlf\.lock\.\d+\.stale$/.test(name)) {
        removeQuietly(join(d, name));
        removed++;
      }
    }
  }
  return removed;
}

/**
 * Undoes a new run that failed or was interrupted before writing a checkpoint: removes what it
 * created (the directory, when this process made it, or else the files in it) and the lock. A
 * resumed run keeps everything.
 */
export function abandon(run: RunDir): void {
  if (!run.existing) {
    try {
      if (run.createdRoot) rmSync(run.createdRoot, { recursive: true, force: true });
      else for (const name of readdirSync(run.dir)) if (name !== LOCK_NAME) rmSync(join(run.dir, name), { recursive: true, force: true });
    } catch {
      // what could not be removed stays; the error that led here is the one to report
    }
  }
  run.lock.release();
}

/** metrics.jsonl holds a line of a few hundred bytes per epoch; this is far past any real run. */
export const METRICS_CAP = 256 * 1024 * 1024;

/** A text file of a run directory, read as a regular file under a cap; failures name the file. */
export function readRunFile(file: string, cap: number): string {
  try {
    return decodeUtf8(readRegularFile(file, cap));
  } catch (e) {
    if (e instanceof ReadFailure) throw new CheckpointError(`cannot read the run's file: ${e.reason}`, { file });
    throw e;
  }
}

/** A small JSON file of a run directory, parsed; undefined when the run has none. */
export function readRunJson(file: string, cap = 1 << 20): unknown {
  if (!existsSync(file)) return undefined;
  const text = readRunFile(file, cap);
  try {
    return JSON.parse(text);
  } catch {
    throw new CheckpointError('is not valid JSON', { file });
  }
}
