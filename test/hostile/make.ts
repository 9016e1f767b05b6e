// Makers of hostile input files, all generated at test time (nothing large is kept in git): named
// pipes, links to endless devices, gzip bombs, IDX files with lying headers, CSV files with
// oversized lines or invalid bytes, YAML built to exhaust a parser. Used by the unit tests of the
// readers and by the CLI corpus in this folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A scratch folder; `path(name)` names a file in it, `write` creates one. */
export interface Scratch {
  dir: string;
  path(name: string): string;
  write(name: string, data: string | Uint8Array): string;
  cleanup(): void;
}

export function scratch(prefix = 'dlf-hostile-'): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, data) {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Why named pipes cannot be made here, or undefined when they can: they need a POSIX system with
 * the mkfifo command (Windows has neither).
 */
export const NO_FIFO: string | undefined = (() => {
  if (process.platform === 'win32') return 'named pipes (mkfifo) do not exist on Windows';
  const r = spawnSync('mkfifo', ['--version'], { encoding: 'utf8' });
  return r.error ? 'the mkfifo command is not available' : undefined;
})();

/** Makes a named pipe at `path` (nobody ever writes to it: a reader that opens it plainly hangs). */
export function makeFifo(path: string): string {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
  return path;
}

/** Why /dev/zero cannot be linked to here, or undefined when it can. */
export const NO_DEV_ZERO: string | undefined = existsSync('/dev/zero') ? undefined : 'there is no /dev/zero on this system';

/** Why /dev/urandom cannot be linked to here, or undefined when it can. */
export const NO_DEV_URANDOM: string | undefined = existsSync('/dev/urandom') ? undefined : 'there is no /dev/urandom on this system';

/** A symbolic link at `path` to `target` (e.g. /dev/zero, endless zero bytes). */
export function makeLink(path: string, target: string): string {
  symlinkSync(target, path);
  return path;
}

/** IDX images bytes with a header of any numbers (the data are zeros, `dataBytes` of them). */
export function idxImagesRaw(count: number, rows: number, cols: number, dataBytes: number, magic = 0x00000803): Buffer {
  const b = Buffer.alloc(16 + dataBytes);
  b.writeUInt32BE(magic >>> 0, 0);
  b.writeUInt32BE(count >>> 0, 4);
  b.writeUInt32BE(rows >>> 0, 8);
  b.writeUInt32BE(cols >>> 0, 12);
  return b;
}

/** IDX labels bytes: a header announcing `count`, then `labels`. */
export function idxLabelsRaw(count: number, labels: number[]): Buffer {
  const b = Buffer.alloc(8 + labels.length);
  b.writeUInt32BE(0x00000801, 0);
  b.writeUInt32BE(count >>> 0, 4);
  b.set(labels, 8);
  return b;
}

/**
 * A gzip bomb: a valid IDX images header announcing `count` images of 28×28, followed by
 * `inflated` zero bytes, gzip-compressed (about 1000:1). Inflating it all costs `inflated` bytes.
 */
export function gzipBomb(count: number, inflated: number): Buffer {
  const header = idxImagesRaw(count, 28, 28, 0);
  // One member of 16 MiB of zeros, repeated: making the bomb neither inflates nor allocates it all.
  const pieceSize = 16 * 1024 ** 2;
  const piece = gzipSync(Buffer.alloc(pieceSize), { level: 9 });
  const parts: Buffer[] = [gzipSync(header)];
  let left = inflated;
  for (; left >= pieceSize; left -= pieceSize) parts.push(piece);
  if (left > 0) parts.push(gzipSync(Buffer.alloc(left), { level: 9 }));
  return Buffer.concat(parts); // several gzip members in a row make one gzip file
}

/** `n` nested flow sequences: `[[[...]]]`. */
export const deepFlow = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** `n` nested block sequences on one line: `- - - ... x`. */
export const deepBlock = (n: number) => '- '.repeat(n) + 'x\n';

/** The billion laughs: `levels` anchors, each a list of `width` aliases of the one before. */
export function aliasBomb(levels = 9, width = 9): string {
  let s = 'a0: &a0 [lol]\n';
  for (let i = 1; i <= levels; i++) s += `a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]\n`;
  return s;
}
