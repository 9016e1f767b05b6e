// One writer per run directory. `dlf train` and `dlf train --resume` hold `<run-dir>/.dlf.lock`
// for their whole life: a small JSON file (pid, host, start time, command) created with O_EXCL,
// so of two processes that try at once exactly one succeeds. A second writer is refused with the
// holder's pid, host and start time. A lock left behind by a process that died on this host (kill
// -9, a crash, a power cut) is taken over with a warning; one held on another host is never
// guessed at, since its process cannot be checked from here.
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { IoError, UsageError } from '../errors.js';
import { isSystemError, reasonOf } from '../io/errno.js';
import { removeQuietly, writeAll } from '../io/write.js';

export const LOCK_NAME = '.dlf.lock';

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started: string;
  command: string;
}

export interface RunLock {
  readonly path: string;
  readonly info: LockInfo;
  /** A warning to show, when a dead process's lock was taken over. */
  readonly warning?: string;
  /** Removes the lock file if it is still this process's; safe to call more than once. */
  release(): void;
}

/** Whether a process with this pid exists on this host. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return isSystemError(e) && e.code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.started === 'string') {
      return { pid: v.pid, host: v.host, started: v.started, command: String(v.command ?? '') };
    }
  } catch {
    // unreadable or half-written: treated as unknown below
  }
  return undefined;
}

function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date().toDateString() === d.toDateString();
  const hhmm = d.toTimeString().slice(0, 5);
  return today ? hhmm : `${d.toISOString().slice(0, 10)} ${hhmm}`;
}

/** Tries to create the lock file; false when one exists. */
function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if (isSystemError(e) && e.code === 'EEXIST') return false;
    if (isSystemError(e)) throw new IoError('create the lock file', path, reasonOf(e.code), e.code);
    throw e;
  }
  try {
    writeAll(fd, Buffer.from(JSON.stringify(info) + '\n'));
  } catch (e) {
    closeSync(fd);
    removeQuietly(path);
    if (isSystemError(e)) throw new IoError('write the lock file', path, reasonOf(e.code), e.code);
    throw e;
  }
  closeSync(fd);
  return true;
}

/**
 * Moves a dead holder's lock aside, so that exactly one of several processes that found it
 * stale can take over. False when another process moved it first, or when what was moved is no
 * longer the stale lock (it is then put back).
 */
function clearStale(path: string, stale: LockInfo): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if (isSystemError(e) && e.code === 'ENOENT') return false;
    throw e;
  }
  const moved = readLock(aside);
  if (moved && (moved.pid !== stale.pid || moved.started !== stale.started || moved.host !== stale.host)) {
    // Another process took over between our read and the rename: give its lock back.
    try {
      linkSync(aside, path);
    } catch {
      // a third process has locked meanwhile; the other one will find its lock gone and stop
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

/**
 * Takes the lock of `dir` (which must exist) for this process, or throws a UsageError (exit 2)
 * naming the holder. `command` is recorded for whoever finds the lock.
 */
export function acquireRunLock(dir: string, command: string): RunLock {
  const path = join(dir, LOCK_NAME);
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  let warning: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, info)) return makeLock(path, info, warning);
    const held = readLock(path);
    if (!held) {
      throw new UsageError(`${dir} is locked by ${path}, which cannot be read`, 'another dlf may be starting there; if none is, remove the lock file');
    }
    if (held.host !== info.host || processAlive(held.pid)) {
      if (held.host === info.host && held.pid === process.pid) {
        throw new UsageError(`${dir} is already in use by this process`);
      }
      throw new UsageError(
        `${dir} is in use by dlf pid ${held.pid} on host ${held.host} since ${clock(held.started)}`,
        held.host === info.host ? 'wait for it or choose another --out' : `wait for it or choose another --out; if that process is gone, remove ${path}`,
      );
    }
    if (clearStale(path, held)) {
      warning = `took over the lock of ${dir} from dlf pid ${held.pid}, which is no longer running (started ${clock(held.started)})`;
    }
  }
  throw new UsageError(`${dir} is being locked and unlocked by other processes; try again`);
}

/**
 * The locks this process holds, released if it exits while holding them (process.exit after an
 * interrupt, for one): the lock's lifetime is the process's, so this set is the one piece of
 * process-wide state here.
 */
const held = new Set<RunLock>();
let exitHook = false;

function makeLock(path: string, info: LockInfo, warning?: string): RunLock {
  const lock: RunLock = {
    path,
    info,
    warning,
    release() {
      if (!held.delete(lock)) return;
      const now = readLock(path);
      if (now && now.pid === info.pid && now.started === info.started && now.host === info.host) removeQuietly(path);
    },
  };
  held.add(lock);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const l of [...held]) l.release();
    });
  }
  return lock;
}
