// The IDX format of MNIST and Fashion-MNIST, raw or gzip (told apart by the gzip magic bytes
// 1f 8b). A big-endian header, then uint8 data: images have magic 0x00000803 and count, rows,
// cols (uint32 each; 16 bytes); labels have magic 0x00000801 and count (8 bytes). A file must hold
// exactly the data its header announces, and images and labels must agree in count.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER = 16;
const LABELS_HEADER = 8;

export type IdxKind = 'images' | 'labels';

/** An images file: `count` images of rows × cols bytes, row-major, one after another. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

/** A labels file: `count` bytes. */
export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

/** What an IDX header says; rows and cols only for images. */
export interface IdxHeader {
  kind: IdxKind;
  count: number;
  rows?: number;
  cols?: number;
}

const hex = (m: number) => '0x' + m.toString(16).padStart(8, '0');
const magicOf = (kind: IdxKind) => (kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC);
const headerSize = (kind: IdxKind) => (kind === 'images' ? IMAGES_HEADER : LABELS_HEADER);

/** Whether `bytes` start with the gzip magic bytes 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads an IDX images file (raw or gzip). */
export function readIdxImages(path: string): IdxImages {
  return parseIdxImages(readIdxBytes(path), path);
}

/** Reads an IDX labels file (raw or gzip). */
export function readIdxLabels(path: string): IdxLabels {
  return parseIdxLabels(readIdxBytes(path), path);
}

/** Parses the (decompressed) bytes of an images file; `file` only names the source in errors. */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const h = parseHeader(bytes, file, 'images');
  const rows = h.rows!;
  const cols = h.cols!;
  checkLength(bytes.length, IMAGES_HEADER, h.count * rows * cols, `${h.count} images of ${rows}×${cols}`, file);
  return { count: h.count, rows, cols, pixels: bytes.subarray(IMAGES_HEADER) };
}

/** Parses the (decompressed) bytes of a labels file; `file` only names the source in errors. */
export function parseIdxLabels(bytes: Uint8Array, file: string): IdxLabels {
  const h = parseHeader(bytes, file, 'labels');
  checkLength(bytes.length, LABELS_HEADER, h.count, `${h.count} labels`, file);
  return { count: h.count, labels: bytes.subarray(LABELS_HEADER) };
}

/**
 * Only the header of an IDX file of the given kind, reading (and for gzip, decompressing) no
 * more than the first few kilobytes: enough to learn an image size before the pixels are needed.
 * The data length is not checked here; reading the whole file checks it.
 */
export function readIdxHeader(path: string, kind: IdxKind): IdxHeader {
  const need = headerSize(kind);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw readError(e, path);
  }
  try {
    let chunk = 4096;
    for (;;) {
      const buf = new Uint8Array(chunk);
      const got = readSync(fd, buf, 0, chunk, 0);
      const head = buf.subarray(0, got);
      if (!isGzip(head)) return parseHeader(head, path, kind);
      // A gzip stream cut short: inflate what there is, without asking for the end of the stream.
      const out = inflate(head, path, true);
      if (out.length >= need || got < chunk) return parseHeader(out, path, kind);
      chunk *= 4;
    }
  } catch (e) {
    throw e instanceof DataError ? e : readError(e, path);
  } finally {
    closeSync(fd);
  }
}

/** Checks that an images file and a labels file describe the same number of items. */
export function checkIdxPair(images: { count: number }, labels: { count: number }, imagesFile: string, labelsFile: string): void {
  if (images.count !== labels.count) {
    throw new DataError(
      `images has ${images.count} items but labels has ${labels.count} (${basename(imagesFile)})`,
      { file: labelsFile },
      'use the labels file that belongs to the images file',
    );
  }
}

/** The bytes of a file, decompressed when it is gzip; a missing file is a DataError naming it. */
export function readIdxBytes(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw readError(e, path);
  }
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return isGzip(bytes) ? inflate(bytes, path, false) : bytes;
}

/**
 * The decompressed size a whole gzip file announces in its last four bytes (little-endian, modulo
 * 2^32), when it is plausible: deflate expands at most about 1032:1. A hint only: a file made of
 * several gzip members, or a wrong trailer, still decompresses correctly, only less frugally.
 */
function announcedSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < 18) return undefined;
  const at = bytes.length - 4;
  const size = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 2 ** 24;
  return size > 0 && size <= bytes.length * 1032 ? size : undefined;
}

function inflate(bytes: Uint8Array, file: string, partial: boolean): Uint8Array {
  // Output space for the whole file at once (one byte more, so zlib never finds it full): zlib
  // then returns that one buffer instead of joining chunks into a second copy of the output.
  const size = partial ? undefined : announcedSize(bytes);
  const opts = partial ? { finishFlush: constants.Z_SYNC_FLUSH } : size ? { chunkSize: Math.max(size + 1, constants.Z_MIN_CHUNK) } : {};
  try {
    const out = gunzipSync(bytes, opts);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new DataError(`cannot decompress the gzip file: ${(e as Error).message}`, { file }, 'the file may be truncated; download it again');
  }
}

function readError(e: unknown, file: string): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new DataError('IDX file not found', { file }, 'check data.dir and the file names; a relative data.dir is resolved against the folder of the config file');
  }
  if (code === 'EISDIR') return new DataError('IDX path is a directory, not a file', { file });
  return new DataError(`cannot read IDX file: ${(e as Error).message}`, { file });
}

function parseHeader(bytes: Uint8Array, file: string, kind: IdxKind): IdxHeader {
  const size = headerSize(kind);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 4) {
    const magic = view.getUint32(0, false);
    const want = magicOf(kind);
    if (magic !== want) {
      const other: IdxKind = kind === 'images' ? 'labels' : 'images';
      const hint =
        magic === magicOf(other)
          ? `this is an IDX ${other} file; check which file is given as ${kind}`
          : 'the file is not in the IDX format (or is compressed other than with gzip)';
      throw new DataError(`expected IDX magic ${hex(want)} (${kind}), found ${hex(magic)}`, { file }, hint);
    }
  }
  if (bytes.length < size) {
    throw new DataError(`file too short for an IDX ${kind} header: ${bytes.length} bytes, the header needs ${size}`, { file });
  }
  const count = view.getUint32(4, false);
  if (kind === 'labels') return { kind, count };
  return { kind, count, rows: view.getUint32(8, false), cols: view.getUint32(12, false) };
}

function checkLength(actual: number, header: number, data: number, what: string, file: string): void {
  if (actual !== header + data) {
    throw new DataError(
      `expected ${header + data} bytes (a ${header}-byte header and ${what}), found ${actual}`,
      { file },
      actual < header + data ? 'the file is truncated; download it again' : 'the file has extra bytes after the data its header announces',
    );
  }
}
