// Running the real CLI (bin/dlf.js, the bundle `npm run build` makes) on a hostile input in a child
// process with a timeout, and the one assertion every hostile case makes: dlf refused it cleanly.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { idxImagesRaw, idxLabelsRaw, type Scratch } from './make.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const repo = (...p: string[]) => join(ROOT, ...p);

/** A command's outcome; `timedOut` when it had to be killed. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * The dlf under test: bin/dlf.js of this tree, or DLF_CORPUS_BIN (to run the corpus against
 * another build, e.g. an older one, and see which cases it fails).
 */
export const CORPUS_BIN = process.env.DLF_CORPUS_BIN;
const BIN = CORPUS_BIN || repo('bin', 'dlf.js');
export const TIMEOUT = Number(process.env.DLF_CORPUS_TIMEOUT) || 60_000;

/** Runs `dlf ...args` in `cwd` and kills it after `timeoutMs` (a hang is a failure, not a stuck suite). */
export function dlf(args: string[], cwd: string, timeoutMs = TIMEOUT): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    env: { ...process.env, FORCE_COLOR: '0', DLF_DEBUG: '', CI: '1' },
    maxBuffer: 16 * 1024 ** 2,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut };
}

/** What a refusal must say. */
export interface Expect {
  /** The file the message must name (its base name is looked for), or the --set argument. */
  file?: string;
  /** The line it must name, as `name:line`. */
  line?: number;
  /** More it must say. */
  says?: RegExp;
  /** Lines of stderr allowed (each `error: ...`); 1 by default. */
  maxLines?: number;
  /** For train: the run directory that must not exist afterwards. */
  noDir?: string;
}

/**
 * dlf refused the input cleanly: it finished in time with exit code 2, printed nothing on stdout,
 * and on stderr one line (or a few), each `error: ...`, with no stack trace, internal error,
 * warning or crash, naming the file (and line), and left no run directory behind.
 */
export function expectRefused(r: Run, want: Expect = {}): void {
  const context = `stderr: ${r.stderr.slice(0, 2000)}`;
  expect(r.timedOut, `timed out; ${context}`).toBe(false);
  expect(r.signal, context).toBeNull();
  expect(r.code, context).toBe(2);
  expect(r.stdout, context).toBe('');
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines.length, context).toBeGreaterThanOrEqual(1);
  expect(lines.length, context).toBeLessThanOrEqual(want.maxLines ?? 1);
  for (const l of lines) {
    expect(l, context).toMatch(/^error: \S/);
    expect(l, context).not.toMatch(/internal error|Warning:|^\s+at |std::bad_alloc|FATAL|Aborted|heap out of memory/);
  }
  if (want.file !== undefined) {
    const name = want.file.startsWith('--set ') ? want.file : basename(want.file);
    expect(r.stderr, context).toContain(want.line === undefined ? name : `${name}:${want.line}`);
  }
  if (want.says) expect(r.stderr, context).toMatch(want.says);
  if (want.noDir) expect(existsSync(want.noDir), `run directory ${want.noDir} was left behind`).toBe(false);
}

/** A config around a data block: a small dense model that fits any of the corpus's data sets. */
export function configText(data: string, opts: { units?: number; name?: string } = {}): string {
  return `name: ${opts.name ?? 'hostile'}\nseed: 1\n${data}model:\n  layers:\n    - {type: dense, units: 8, activation: relu}\n    - {type: dense, units: ${opts.units ?? 3}}\ntrain:\n  epochs: 1\n  batch_size: 16\n  optimizer: {type: adam, lr: 0.01}\n`;
}

/** A csv data block (the path is quoted so that any file name works). */
export const csvData = (path: string, label = 'species') => `data:\n  source: csv\n  path: ${JSON.stringify(path)}\n  label: ${label}\n`;

/** An idx data block: flattened images from `dir`, three classes. */
export const idxData = (dir: string, images = 'train-images-idx3-ubyte.gz', labels = 'train-labels-idx1-ubyte.gz') =>
  `data:\n  source: idx\n  dir: ${JSON.stringify(dir)}\n  train_images: ${JSON.stringify(images)}\n  train_labels: ${JSON.stringify(labels)}\n  flatten: true\n  classes: [a, b, c]\n`;

/** Valid inputs in `s`: iris.csv, an IDX folder of 30 images of 4×4 in three classes (gzip). */
export interface Fixtures {
  iris: string;
  idxDir: string;
  /** A fresh `--out` path for train (it must not exist afterwards). */
  out(): string;
}

export function fixtures(s: Scratch): Fixtures {
  const iris = join(s.dir, 'iris.csv');
  copyFileSync(repo('datasets', 'iris.csv'), iris);
  const idxDir = join(s.dir, 'idx');
  mkdirSync(idxDir);
  const images = idxImagesRaw(30, 4, 4, 30 * 16);
  for (let i = 0; i < 30 * 16; i++) images[16 + i] = (i * 37) % 256;
  s.write('idx/train-images-idx3-ubyte.gz', gzipSync(images));
  s.write(
    'idx/train-labels-idx1-ubyte.gz',
    gzipSync(
      idxLabelsRaw(
        30,
        Array.from({ length: 30 }, (_, i) => i % 3),
      ),
    ),
  );
  let runs = 0;
  return { iris, idxDir, out: () => join(s.dir, `run-${runs++}`) };
}
