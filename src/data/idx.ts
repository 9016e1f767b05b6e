// The IDX format of MNIST and Fashion-MNIST, raw or gzip (told apart by the gzip magic bytes
// 1f 8b). A big-endian header, then uint8 data: images have magic 0x00000803 and count, rows,
// cols (uint32 each; 16 bytes); labels have magic 0x00000801 and count (8 bytes). A file must hold
// exactly the data its header announces, and images and labels must agree in count.
// Headers are checked before any data is read or inflated: at least one item of at least 1×1
// pixels, and no more data than the caps of limits.ts. A gzip file is inflated only up to the size
// its header announces, so a decompression bomb stops there instead of filling memory.
import { basename } from 'node:path';
import { DataError } from '../errors.js';
import { sizeText } from '../io/read.js';
import { DEFLATE_MAX_RATIO, IDX_MAX_DATA_BYTES, IDX_MAX_IMAGE_PIXELS } from './limits.js';
import { type FileKind, readDataBytes, readDataHead } from './read-file.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
/** node:zlib, loaded on the first gzip file: most runs read none, and loading it is part of every start. */
const zlib = () => process.getBuiltinModule('node:zlib');

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
  return parseIdxImages(readIdxBytes(path, 'images'), path);
}

/** Reads an IDX labels file (raw or gzip). */
export function readIdxLabels(path: string): IdxLabels {
  return parseIdxLabels(readIdxBytes(path, 'labels'), path);
}

/** Parses the (decompressed) bytes of an images file; `file` only names the source in errors. */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const h = parseHeader(bytes, file, 'images');
  checkLength(bytes.length, h, file);
  return { count: h.count, rows: h.rows!, cols: h.cols!, pixels: bytes.subarray(IMAGES_HEADER) };
}

/** Parses the (decompressed) bytes of a labels file; `file` only names the source in errors. */
function parseIdxLabels(bytes: Uint8Array, file: string): IdxLabels {
  const h = parseHeader(bytes, file, 'labels');
  checkLength(bytes.length, h, file);
  return { count: h.count, labels: bytes.subarray(LABELS_HEADER) };
}

/** How messages name an IDX file, and what to check when it is missing. */
const IDX_FILE: FileKind = {
  noun: 'IDX file',
  missingHint: 'check data.dir and the file names; a relative data.dir is resolved against the folder of the config file',
};

/**
 * Only the header of an IDX file of the given kind, reading (and for gzip, decompressing) no
 * more than the first few kilobytes: enough to learn an image size before the pixels are needed.
 * The header is checked (see the top of the file); the data length is not: reading the whole
 * file checks it.
 */
export function readIdxHeader(path: string, kind: IdxKind): IdxHeader {
  const first = readDataHead(path, IMAGES_HEADER, IDX_FILE);
  if (!isGzip(first.head)) return parseHeader(first.head, path, kind);
  return parseHeader(
    inflatePrefix((n) => readDataHead(path, n, IDX_FILE).head, first.size, headerSize(kind), path),
    path,
    kind,
  );
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

/**
 * The bytes of an IDX file, decompressed when it is gzip; `kind` is what the caller expects (by
 * default whatever the magic number says). The header is checked first, and no more is read or
 * inflated than it announces (and the caps allow). Every failure is a DataError naming the file.
 */
export function readIdxBytes(path: string, kind?: IdxKind): Uint8Array {
  const { head, size } = readDataHead(path, IMAGES_HEADER, IDX_FILE);
  if (!isGzip(head)) {
    const h = parseHeader(head, path, kind ?? kindOf(head));
    // A file whose size does not match its header is refused before its data are read.
    checkLength(size, h, path);
    return readDataBytes(path, totalSize(h), IDX_FILE);
  }
  const raw = readDataBytes(path, headerSize('images') + IDX_MAX_DATA_BYTES, IDX_FILE);
  const start = inflatePrefix((n) => raw.subarray(0, n), raw.length, IMAGES_HEADER, path);
  const h = parseHeader(start, path, kind ?? kindOf(start));
  const total = totalSize(h);
  if (total > raw.length * DEFLATE_MAX_RATIO) {
    throw new DataError(
      `the header announces ${describe(h)} (${sizeText(total)}), more than a gzip file of ${sizeText(raw.length)} can hold`,
      { file: path },
      'the file is damaged or was not made from an IDX file',
    );
  }
  return inflateWhole(raw, total, h, path);
}

/** The kind an IDX file's magic number names (images when it names none; parseHeader then explains). */
function kindOf(bytes: Uint8Array): IdxKind {
  if (bytes.length < 4) return 'images';
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return magic === IDX_LABELS_MAGIC ? 'labels' : 'images';
}

/** Output space for a partial inflate: enough for any header, small enough to be harmless. */
const PREFIX_OUTPUT = 1 << 20;

/**
 * At least `need` bytes of the start of a gzip file (all of it when it is shorter), inflating as
 * little as possible: compressed prefixes of growing length, and a bisection back when a prefix
 * would inflate to more than PREFIX_OUTPUT bytes. `prefix(n)` gives the first n compressed bytes.
 */
function inflatePrefix(prefix: (n: number) => Uint8Array, size: number, need: number, file: string): Uint8Array {
  let lo = 0; // a prefix length known to give too little output
  let hi = Infinity; // a prefix length known to give too much
  let n = Math.min(size, 256);
  for (;;) {
    let out: Uint8Array | undefined;
    try {
      const b = zlib().gunzipSync(prefix(n), { finishFlush: zlib().constants.Z_SYNC_FLUSH, maxOutputLength: PREFIX_OUTPUT });
      out = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      if (!isTooLarge(e)) throw inflateError(e, file);
    }
    if (out && out.length >= need) return out;
    if (out && n >= size) {
      // The whole file holds less than a header: a stream that ends early (zlib says so when
      // asked for its end), or a complete one of a few bytes (parseHeader then says so).
      try {
        zlib().gunzipSync(prefix(n), { maxOutputLength: PREFIX_OUTPUT });
      } catch (e) {
        if (!isTooLarge(e)) throw inflateError(e, file);
      }
      return out;
    }
    if (out) lo = n;
    else hi = n;
    const next = hi === Infinity ? Math.min(size, n * 4) : Math.floor((lo + hi) / 2);
    if (next <= lo || next >= hi) throw new DataError('cannot read the header of the gzip file', { file }, 'the file is damaged');
    n = next;
  }
}

/** Inflates a whole gzip file that must hold exactly `total` bytes (the size its header `h` announces). */
function inflateWhole(raw: Uint8Array, total: number, h: IdxHeader, file: string): Uint8Array {
  // One output buffer for the whole file when the compression ratio is ordinary (one byte more, so
  // zlib never finds it full and joins no chunks); a buffer that grows, up to `total`, otherwise.
  const chunkSize = Math.max(zlib().constants.Z_MIN_CHUNK, Math.min(total + 1, raw.length * 16));
  let out: Buffer;
  try {
    out = zlib().gunzipSync(raw, { chunkSize, maxOutputLength: total });
  } catch (e) {
    if (isTooLarge(e)) {
      throw new DataError(`decompresses to more than the ${total} bytes its header announces (${describe(h)})`, { file });
    }
    throw inflateError(e, file);
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  checkLength(bytes.length, h, file);
  return bytes;
}

/** Whether zlib stopped because the output would pass maxOutputLength. */
function isTooLarge(e: unknown): boolean {
  return e instanceof RangeError && (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/** A zlib failure in words, with a hint only where the cause is known. */
function inflateError(e: unknown, file: string): DataError {
  const message = e instanceof Error ? e.message : String(e);
  if (/unexpected end of file/i.test(message)) {
    return new DataError(
      'cannot decompress the gzip file: it ends before the compressed data do',
      { file },
      'the file is truncated; copy or download it again',
    );
  }
  return new DataError(`cannot decompress the gzip file: ${message}`, { file }, 'the compressed data are damaged');
}

/** What a header announces, in words: `3 images of 2×3`, `2 labels`. */
function describe(h: IdxHeader): string {
  return h.kind === 'images' ? `${h.count} images of ${h.rows}×${h.cols}` : `${h.count} labels`;
}

/** Bytes of the data a header announces (one per pixel or label). */
function dataSize(h: IdxHeader): number {
  return h.kind === 'images' ? h.count * h.rows! * h.cols! : h.count;
}

/** Bytes of the whole file a header announces. */
function totalSize(h: IdxHeader): number {
  return headerSize(h.kind) + dataSize(h);
}

/**
 * The header at the start of `bytes`, checked: the magic number of `kind`, at least one item,
 * images of at least 1×1 and at most IDX_MAX_IMAGE_PIXELS, and data within IDX_MAX_DATA_BYTES.
 */
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
  const h: IdxHeader = kind === 'labels' ? { kind, count } : { kind, count, rows: view.getUint32(8, false), cols: view.getUint32(12, false) };
  checkHeader(h, file);
  return h;
}

/** The header's numbers are possible and within the caps (products are exact: they stay below 2^96). */
function checkHeader(h: IdxHeader, file: string): void {
  const bad = (message: string, hint?: string) => new DataError(message, { file }, hint);
  if (h.count === 0) throw bad(`the header announces 0 ${h.kind}`, 'an IDX file for dlf holds at least one item');
  if (h.kind === 'images') {
    const rows = h.rows!;
    const cols = h.cols!;
    if (rows === 0 || cols === 0) throw bad(`the header announces images of ${rows}×${cols} pixels`, 'images need at least one row and one column');
    if (rows * cols > IDX_MAX_IMAGE_PIXELS)
      throw bad(`the header announces images of ${rows}×${cols} pixels, more than the ${IDX_MAX_IMAGE_PIXELS} dlf reads per image`);
  }
  const data = dataSize(h);
  if (data > IDX_MAX_DATA_BYTES) {
    throw bad(`the header announces ${describe(h)} (${sizeText(data)}), more than the ${sizeText(IDX_MAX_DATA_BYTES)} dlf reads from an IDX file`);
  }
}

/** The file holds exactly what its header announces: `actual` bytes against the header's total. */
function checkLength(actual: number, h: IdxHeader, file: string): void {
  const header = headerSize(h.kind);
  const total = totalSize(h);
  if (actual !== total) {
    throw new DataError(
      `expected ${total} bytes (a ${header}-byte header and ${describe(h)}), found ${actual}`,
      { file },
      actual < total ? 'the file is shorter than its header says: it may be truncated' : 'the file has extra bytes after the data its header announces',
    );
  }
}
