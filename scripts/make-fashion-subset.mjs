#!/usr/bin/env node
// Writes datasets/fashion-mnist-small/: the first 2000 training and the first 500 test images
// (and their labels) of Fashion-MNIST, in the IDX format, gzipped under the standard file names.
//
//   node scripts/make-fashion-subset.mjs [source-dir] [output-dir]
//
// The source defaults to ../shared/datasets/fashion-mnist/ relative to the project root (Debian's
// `dataset-fashion-mnist` package installs the same files under /usr/share/datasets/fashion-mnist/).
// The output is deterministic: the gzip header carries no time stamp, no file name and a fixed OS
// byte, and the compression level is fixed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(process.argv[2] ?? join(root, '../shared/datasets/fashion-mnist'));
const out = resolve(process.argv[3] ?? join(root, 'datasets/fashion-mnist-small'));

const IMAGES = 0x00000803;
const LABELS = 0x00000801;

const parts = [
  { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz', count: 2000 },
  { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz', count: 500 },
];

/** The decompressed bytes of an IDX file (raw or gzip). */
function read(name) {
  const raw = readFileSync(join(src, name));
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** The first `count` items of an IDX file, with the count in its header changed to match. */
function head(bytes, magic, count, name) {
  const found = bytes.readUInt32BE(0);
  if (found !== magic) throw new Error(`${name}: expected IDX magic 0x${magic.toString(16).padStart(8, '0')}, found 0x${found.toString(16).padStart(8, '0')}`);
  const headerSize = magic === IMAGES ? 16 : 8;
  const total = bytes.readUInt32BE(4);
  const itemSize = magic === IMAGES ? bytes.readUInt32BE(8) * bytes.readUInt32BE(12) : 1;
  if (bytes.length !== headerSize + total * itemSize) throw new Error(`${name}: file length does not match its header`);
  if (total < count) throw new Error(`${name}: has ${total} items, fewer than ${count}`);
  const sub = Buffer.from(bytes.subarray(0, headerSize + count * itemSize));
  sub.writeUInt32BE(count, 4);
  return sub;
}

/** gzip with a fixed level and a header without time stamp or name; the OS byte set to 255 (unknown). */
function gzip(bytes) {
  const z = gzipSync(bytes, { level: 9, strategy: constants.Z_DEFAULT_STRATEGY });
  z.writeUInt32LE(0, 4); // MTIME (zlib already writes 0; kept explicit)
  z[9] = 255; // OS: unknown, so the bytes do not depend on the platform
  return z;
}

mkdirSync(out, { recursive: true });
for (const p of parts) {
  const images = head(read(p.images), IMAGES, p.count, p.images);
  const labels = head(read(p.labels), LABELS, p.count, p.labels);
  writeFileSync(join(out, p.images), gzip(images));
  writeFileSync(join(out, p.labels), gzip(labels));
  process.stderr.write(`${p.images}, ${p.labels}: ${p.count} items\n`);
}
process.stderr.write(`wrote ${out}\n`);
