import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/errors.js';

export const DATASETS = resolve(fileURLToPath(import.meta.url), '../../../datasets');

const dirs: string[] = [];

/** Removes the directories tempCsv made (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `text` to a new temporary directory and returns the file's path. */
export function tempCsv(text: string, name = 'data.csv'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlf-data-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The DataError thrown by `fn` (fails the test when it throws nothing or something else). */
export function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

/** A new temporary directory, removed by removeTempDirs. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlf-data-'));
  dirs.push(dir);
  return dir;
}

export const FASHION_SMALL = join(DATASETS, 'fashion-mnist-small');
/** The full Fashion-MNIST of the shared data folder (absent outside the team's workplace). */
export const FASHION_FULL = resolve(DATASETS, '../../shared/datasets/fashion-mnist');

/** The bytes of an IDX images file: `images` is count × rows × cols values 0..255. */
export function idxImages(rows: number, cols: number, images: number[][]): Buffer {
  const b = Buffer.alloc(16 + images.length * rows * cols);
  b.writeUInt32BE(0x00000803, 0);
  b.writeUInt32BE(images.length, 4);
  b.writeUInt32BE(rows, 8);
  b.writeUInt32BE(cols, 12);
  images.forEach((img, i) => {
    if (img.length !== rows * cols) throw new Error('idxImages: wrong image size');
    b.set(img, 16 + i * rows * cols);
  });
  return b;
}

/** The bytes of an IDX labels file. */
export function idxLabels(labels: number[]): Buffer {
  const b = Buffer.alloc(8 + labels.length);
  b.writeUInt32BE(0x00000801, 0);
  b.writeUInt32BE(labels.length, 4);
  b.set(labels, 8);
  return b;
}

/** Writes `files` (name → bytes, gzipped when `gzip`) into a new temporary directory; returns it. */
export function tempIdx(files: Record<string, Buffer>, gzip = false): string {
  const dir = tempDir();
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), gzip ? gzipSync(bytes) : bytes);
  return dir;
}
