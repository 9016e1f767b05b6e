// Reading data files safely: a regular file only (a FIFO, device or socket is refused without
// blocking on it, also behind a symlink), at most the cap of its kind, and every failure a
// DataError naming the file (and the line, for text that is not valid UTF-8).
import { DataError } from '../errors.js';
import { isSystemError, reasonOf } from '../io/errno.js';
import { decodeUtf8, ReadFailure, readRegularFile, readRegularHead } from '../io/read.js';
import { shortPath } from '../short-path.js';

/** How messages name a kind of data file, and what to check when one is missing. */
export interface FileKind {
  /** `data file`, `IDX file`. */
  noun: string;
  /** The hint for a missing file. */
  missingHint?: string;
}

/** A path with a NUL byte names no file (Node's fs would throw a TypeError for it, not an errno). */
function checkPath(path: string, kind: FileKind): void {
  if (path.includes('\0')) throw new DataError(`${kind.noun} path contains a NUL byte, which no file name can`, { file: shortPath(path) });
}

/** The whole of the regular file `path`, at most `maxBytes`; a DataError naming it otherwise. */
export function readDataBytes(path: string, maxBytes: number, kind: FileKind): Uint8Array {
  checkPath(path, kind);
  try {
    const b = readRegularFile(path, maxBytes);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw asDataError(e, path, kind);
  }
}

/** `bytes` as strict UTF-8 text; invalid bytes are a DataError at file:line. */
export function decodeDataText(bytes: Uint8Array, path: string, kind: FileKind): string {
  try {
    return decodeUtf8(bytes);
  } catch (e) {
    throw asDataError(e, path, kind);
  }
}

/**
 * The first `n` bytes (fewer when the file is shorter) of the regular file `path`, and its size,
 * without reading the rest: enough to learn a header before the data are needed.
 */
export function readDataHead(path: string, n: number, kind: FileKind): { head: Uint8Array; size: number } {
  checkPath(path, kind);
  try {
    const { head, size } = readRegularHead(path, n);
    return { head: new Uint8Array(head.buffer, head.byteOffset, head.byteLength), size };
  } catch (e) {
    throw asDataError(e, path, kind);
  }
}

/** A ReadFailure (or a system error) as the DataError of a file of `kind`; a DataError passes through. */
function asDataError(e: unknown, fullPath: string, kind: FileKind): unknown {
  if (e instanceof DataError) return e;
  const path = shortPath(fullPath); // the file as the message names it
  if (e instanceof ReadFailure) {
    if (e.errno === 'ENOENT') return new DataError(`${kind.noun} not found`, { file: path }, kind.missingHint);
    if (e.utf8At) return new DataError(`not valid UTF-8 at byte ${e.utf8At.byte}`, { file: path, line: e.utf8At.line }, 'save the file as UTF-8');
    // Reasons without an errno are sentences about the file ("is a directory, not a regular file").
    return new DataError(e.errno ? `cannot read ${kind.noun}: ${e.reason}` : `${kind.noun} ${e.reason}`, { file: path });
  }
  if (isSystemError(e)) return new DataError(`cannot read ${kind.noun}: ${reasonOf(e.code)}`, { file: path });
  return e;
}
