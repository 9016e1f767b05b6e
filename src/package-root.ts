// Where the dlf package is installed: the nearest folder above this module that holds dlf's
// package.json. Modules find package.json and the native addon from here rather than by a fixed
// number of '..', so the same code runs from dist/ (one file per module) and from the CLI bundle
// (dist/bundle/, every module in a few files).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package's root folder (found once). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dlf') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`dlf's package.json is not in any folder above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** dlf's version, from its package.json. */
export function dlfVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
