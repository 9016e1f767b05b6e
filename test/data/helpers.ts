import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
