// Data fingerprints: the path, size and SHA-256 of every file a run's data stage reads (the CSV
// files, or each IDX file), recorded in the run directory when training starts, so that a resume
// can refuse data that changed under it and an evaluation can say that it did.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import { isSystemError, reasonOf } from '../io/errno.js';
import { idxTestFiles } from './load.js';

/** The file in a run directory that records the data files the run read. */
export const FINGERPRINTS_FILE = 'fingerprints.json';

export interface Fingerprint {
  /** Absolute path. */
  path: string;
  size: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** The absolute paths of the files the data stage reads for `cfg` (paths already resolved). */
function dataFiles(cfg: DataConfig): string[] {
  switch (cfg.source) {
    case 'csv':
    case 'text':
      return cfg.test === undefined ? [cfg.path] : [cfg.path, cfg.test];
    case 'idx': {
      const test = idxTestFiles(cfg);
      const files = [resolve(cfg.dir, cfg.train_images), resolve(cfg.dir, cfg.train_labels)];
      return test ? [...files, test.images, test.labels] : files;
    }
    default:
      return [];
  }
}

const CHUNK = 1 << 20;

/** The fingerprint of one file, read in chunks (no whole copy in memory). */
function fingerprintFile(path: string, buf: Buffer = Buffer.allocUnsafe(CHUNK)): Fingerprint {
  let fd: number | undefined;
  try {
    // O_NONBLOCK and fstat first: a FIFO or a device is refused, never waited on or read forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) throw new DataError('not a regular file', { file: path });
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
    return { path, size, sha256: hash.digest('hex') };
  } catch (e) {
    if (isSystemError(e)) throw new DataError(`cannot read data file: ${reasonOf(e.code)}`, { file: path });
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Fingerprints of all the files `cfg` reads. */
export function fingerprintData(cfg: DataConfig): Fingerprint[] {
  const buf = Buffer.allocUnsafe(CHUNK);
  return dataFiles(cfg).map((f) => fingerprintFile(f, buf));
}

export interface DataChange {
  path: string;
  /** What differs, in words: `size 4551 -> 4560 bytes`, `contents (sha256 ...)`, `missing`. */
  what: string;
}

/** How the files recorded in `saved` differ from `now` (the same files taken again; a missing one is absent). */
export function compareFingerprints(saved: readonly Fingerprint[], now: readonly Fingerprint[]): DataChange[] {
  const byPath = new Map(now.map((f) => [f.path, f]));
  const changes: DataChange[] = [];
  for (const f of saved) {
    const n = byPath.get(f.path);
    if (!n) changes.push({ path: f.path, what: 'is missing or unreadable' });
    else if (n.size !== f.size) changes.push({ path: f.path, what: `changed size (${f.size} -> ${n.size} bytes)` });
    else if (n.sha256 !== f.sha256) changes.push({ path: f.path, what: `changed contents (sha256 ${f.sha256.slice(0, 12)}… -> ${n.sha256.slice(0, 12)}…)` });
  }
  return changes;
}

/** The recorded files that are now missing, of another size or with other contents. */
export function dataChanges(saved: readonly Fingerprint[]): DataChange[] {
  const buf = Buffer.allocUnsafe(CHUNK);
  const now: Fingerprint[] = [];
  for (const f of saved) {
    try {
      now.push(fingerprintFile(f.path, buf));
    } catch {
      // reported as missing or unreadable
    }
  }
  return compareFingerprints(saved, now);
}

/** Parses a run's fingerprints.json value; undefined when it is not a list of fingerprints. */
export function parseFingerprints(raw: unknown): Fingerprint[] | undefined {
  const files = (raw as { files?: unknown })?.files;
  if (!Array.isArray(files)) return undefined;
  const ok = files.every(
    (f) => typeof f?.path === 'string' && Number.isSafeInteger(f?.size) && typeof f?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(f.sha256),
  );
  return ok ? (files as Fingerprint[]) : undefined;
}
