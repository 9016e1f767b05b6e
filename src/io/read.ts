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

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them. Throws ReadFailure when
 * the path is missing, not a regular file (checked on the opened descriptor, so a symlink to a
 * device is caught too), larger than the cap, or unreadable.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait for one; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if (isSystemError(e)) throw new ReadFailure(reasonOf(e.code), e.code);
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReadFailure(`is ${kindOf(st.mode)}, not a regular file`);
    if (st.size > maxBytes) throw new ReadFailure(`is ${sizeText(st.size)}, more than the ${sizeText(maxBytes)} dlf reads for this kind of file`);
    // The file may grow while it is read: read at most one byte past the cap to notice.
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > maxBytes) throw new ReadFailure(`grew past the ${sizeText(maxBytes)} dlf reads for this kind of file`);
        break;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (isSystemError(e)) throw new ReadFailure(reasonOf(e.code), e.code);
    throw e;
  } finally {
    closeSync(fd);
  }
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
    throw new ReadFailure(`is not valid UTF-8 (line ${line}, byte ${at + 1})`);
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
