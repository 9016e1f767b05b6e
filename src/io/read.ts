// Reading an input file safely: only a regular file (a FIFO, a device such as /dev/zero, a socket
// or a directory is refused without blocking on it), and only up to a size cap, so that no input
// can hang dlf or exhaust its memory. Failures come back as a reason in words; the caller wraps it
// in the error of the input's kind (ConfigError, DataError, CheckpointError), which names the file.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isSystemError, reasonOf } from './errno.js';

/** Why an input could not be read: a sentence for the message, and the errno code when there is one. */
export class ReadFailure extends Error {
  constructor(
    readonly reason: string,
    readonly errno?: string,
    /** For text that is not valid UTF-8: the 1-based line and byte of the first bad byte. */
    readonly utf8At?: { line: number; byte: number },
  ) {
    super(reason);
  }
}

/** Binary size in words: 1.5 MiB, 12 KiB, 300 B. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function kindOf(mode: number): string {
  const t = mode & constants.S_IFMT;
  if (t === constants.S_IFDIR) return 'a directory';
  if (t === constants.S_IFIFO) return 'a named pipe (FIFO)';
  if (t === constants.S_IFCHR) return 'a character device';
  if (t === constants.S_IFBLK) return 'a block device';
  if (t === constants.S_IFSOCK) return 'a socket';
  return 'not a regular file';
}

/** Opens `path` for reading without blocking (a FIFO with no writer must not wait for one). */
function openForReading(path: string): number {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if (isSystemError(e)) throw new ReadFailure(reasonOf(e.code), e.code);
    throw e;
  }
}

/**
 * Runs `read` on the opened regular file `path` with its size; throws ReadFailure when the path
 * is missing, not a regular file (checked on the opened descriptor, so a symlink to a device is
 * caught too), or unreadable.
 */
function withRegularFile<T>(path: string, read: (fd: number, size: number) => T): T {
  const fd = openForReading(path);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReadFailure(`is ${kindOf(st.mode)}, not a regular file`);
    return read(fd, st.size);
  } catch (e) {
    if (isSystemError(e)) throw new ReadFailure(reasonOf(e.code), e.code);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** Reads into `buf` from offset 0 until it is full or the file ends; returns the count read. */
function fill(fd: number, buf: Uint8Array): number {
  let n = 0;
  while (n < buf.length) {
    const got = readSync(fd, buf, n, buf.length - n, n);
    if (got === 0) break;
    n += got;
  }
  return n;
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them. Throws ReadFailure as
 * withRegularFile does, and when the file is larger than the cap.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  return withRegularFile(path, (fd, size) => {
    if (size > maxBytes) throw new ReadFailure(`is ${sizeText(size)}, more than the ${sizeText(maxBytes)} dlf reads for this kind of file`);
    // The file may grow while it is read: read at most one byte past the cap to notice.
    const buf = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    const n = fill(fd, buf);
    if (n > maxBytes) throw new ReadFailure(`grew past the ${sizeText(maxBytes)} dlf reads for this kind of file`);
    return buf.subarray(0, n);
  });
}

/**
 * The first `n` bytes (fewer when the file is shorter) of the regular file `path` and its size,
 * without reading the rest: enough to learn a header before the data are needed.
 */
export function readRegularHead(path: string, n: number): { head: Buffer; size: number } {
  return withRegularFile(path, (fd, size) => {
    const buf = Buffer.allocUnsafe(Math.min(n, size));
    return { head: buf.subarray(0, fill(fd, buf)), size };
  });
}

/**
 * Decodes UTF-8 strictly: invalid byte sequences are a ReadFailure naming the byte offset and the
 * line, instead of turning silently into U+FFFD. A leading byte-order mark is dropped.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    throw new ReadFailure(`is not valid UTF-8 (line ${line}, byte ${at + 1})`, undefined, { line, byte: at + 1 });
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length + (n > 0 ? 0 : 1)) return i;
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    if (n > 0) {
      // overlong, surrogate and out-of-range forms
      const v = c === 0xe0 ? b[i + 1] < 0xa0 : c === 0xed ? b[i + 1] > 0x9f : c === 0xf0 ? b[i + 1] < 0x90 : c === 0xf4 ? b[i + 1] > 0x8f : false;
      if (v) return i;
    }
    i += n + 1;
  }
  return b.length;
}
