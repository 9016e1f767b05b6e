// Durable writes: the one way dlf writes a file that matters (checkpoints, metrics, the resolved
// config, predictions). The bytes go to a temporary file in the target's directory; every write's
// byte count is checked, the file is synced, renamed over the target and the directory synced.
// Any failure removes the temporary file and leaves the previous version of the target as it was,
// then throws an IoError naming the operation and the path.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IoError } from '../errors.js';
import { isSystemError, reasonOf } from './errno.js';

/** The temporary name a write of `path` uses: `.<name>.<pid>.tmp` beside it (see isTempName). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Whether a file name is one of dlf's temporary files (left behind only by a killed process). */
export function isTempName(name: string): boolean {
  return /^\..+\.\d+\.tmp$/.test(name);
}

/** An IoError for a failed system call, or `e` itself when it is no system error. */
export function ioFailure(e: unknown, op: string, path: string): unknown {
  if (!isSystemError(e)) return e;
  return new IoError(op, path, reasonOf(e.code), e.code);
}

/** Writes all of `bytes` at the file position, checking the count of every write. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO', syscall: 'write' });
    done += n;
  }
}

/** Syncs a directory so that a rename or a new entry in it survives a power cut. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some file systems cannot sync a directory; the rename itself has still happened.
    if (!isSystemError(e) || !['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(e.code)) throw ioFailure(e, 'sync', dir);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Creates a directory (and its parents), or throws an IoError naming it. */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioFailure(e, 'create directory', dir);
  }
}

/** Replaces `path` with `data` durably (see the header); throws IoError on any failure. */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  makeDir(dir);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = tempPathFor(path);
  let step = 'write';
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, bytes);
      step = 'sync';
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    step = 'replace';
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw ioFailure(e, step === 'replace' ? 'replace' : 'write', path);
  }
  syncDir(dir);
}

/** Removes a file if it is there, ignoring failure (a cleanup that must not hide the first error). */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the error that led here is the one to report
  }
}

/** writeFileDurable of a value as indented JSON with a final newline. */
export function writeJsonDurable(path: string, value: unknown): void {
  writeFileDurable(path, JSON.stringify(value, null, 2) + '\n');
}
