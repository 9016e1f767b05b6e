// Hostile corpus, files: inputs that are not regular files (named pipes, endless devices and links
// to them, directories) and inputs beyond the caps (huge configs, lines, headers, sparse files
// of gigabytes, gzip bombs, IDX headers announcing more than can be). Through the real CLI.
import { chmodSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { configText, csvData, fixtures, idxData } from './cli.js';
import { type Case, type Context, family } from './corpus.js';
import { gzipSync } from 'node:zlib';
import { NO_DEV_URANDOM, NO_DEV_ZERO, NO_FIFO, gzipBomb, idxImagesRaw, idxLabelsRaw, makeFifo, makeLink, scratch } from './make.js';

let ctx: Context;
beforeAll(() => {
  const s = scratch('dlf-corpus-files-');
  ctx = { s, fx: fixtures(s) };
});
afterAll(() => ctx.s.cleanup());

const all = ['validate', 'train', 'summary'] as const;
const data = ['validate', 'train'] as const;

/** Writes a config whose data block is `block`, named after the case. */
const config = (slug: string, block: string) => ctx.s.write(`${slug}.yaml`, configText(block));
/** An IDX folder like the fixtures' with `images` (and optionally `labels`) replaced by what `make` puts there. */
function idxDirWith(slug: string, make: (path: string) => void, which: 'images' | 'labels' = 'images'): string {
  const dir = ctx.s.path(`${slug}-idx`);
  mkdirSync(dir);
  const names = { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' };
  for (const kind of ['images', 'labels'] as const) {
    const path = join(dir, names[kind]);
    if (kind === which) make(path);
    else writeFileSync(path, gzipSync(kind === 'images' ? idxImagesRaw(30, 4, 4, 480) : idxLabelsRaw(30, Array(30).fill(1))));
  }
  return join(dir, names[which]);
}

/** A config file that is not a regular file, made by `make` at the path given. */
const configIs = (name: string, skip: string | undefined, make: (path: string) => string, says: RegExp): Case => ({
  name: `the config is ${name}`,
  skip,
  // All commands read the config with one function: train (no run directory) and one more.
  commands: name.includes('pipe') ? [...all] : ['train', 'validate'],
  make: (slug) => {
    const path = make(ctx.s.path(`${slug}.yaml`));
    return { config: path, expect: { file: path, says } };
  },
});

/** A data.path that is not a regular file. */
const csvIs = (name: string, skip: string | undefined, make: (path: string) => string, says: RegExp): Case => ({
  name: `data.path is ${name}`,
  skip,
  commands: [...all],
  make: (slug) => {
    const path = make(ctx.s.path(`${slug}.csv`));
    return { config: config(slug, csvData(path)), expect: { file: path, says } };
  },
});

/** An IDX images (or labels) file that is not a regular file. */
const idxIs = (name: string, skip: string | undefined, which: 'images' | 'labels', make: (path: string) => void, says: RegExp): Case => ({
  name: `the IDX ${which} file is ${name}`,
  skip,
  commands: which === 'images' ? [...all] : [...data],
  make: (slug) => {
    const path = idxDirWith(slug, make, which);
    return { config: config(slug, idxData(join(path, '..'))), expect: { file: path, says } };
  },
});

const fifo = (p: string) => makeFifo(p);
const zero = (p: string) => makeLink(p, '/dev/zero');
const urandom = (p: string) => makeLink(p, '/dev/urandom');
const dir = (p: string) => (mkdirSync(p), p);
const PIPE = /named pipe \(FIFO\), not a regular file/;
const DEVICE = /character device, not a regular file/;

family(
  'not regular files',
  [
    configIs('a named pipe', NO_FIFO, fifo, PIPE),
    configIs('a link to /dev/zero', NO_DEV_ZERO, zero, DEVICE),
    configIs('a link to /dev/urandom', NO_DEV_URANDOM, urandom, DEVICE),
    configIs('a directory', undefined, dir, /is a directory/),
    {
      name: 'the config is /dev/zero itself',
      skip: NO_DEV_ZERO,
      commands: ['validate'],
      make: () => ({ config: '/dev/zero', expect: { file: '/dev/zero', says: DEVICE } }),
    },
    csvIs('a named pipe', NO_FIFO, fifo, PIPE),
    csvIs('a link to /dev/zero', NO_DEV_ZERO, zero, DEVICE),
    csvIs('a link to /dev/urandom', NO_DEV_URANDOM, urandom, DEVICE),
    csvIs('a directory', undefined, dir, /is a directory/),
    idxIs('a named pipe', NO_FIFO, 'images', fifo, PIPE),
    idxIs('a link to /dev/zero', NO_DEV_ZERO, 'images', zero, DEVICE),
    idxIs('a named pipe', NO_FIFO, 'labels', fifo, PIPE),
    idxIs('a link to /dev/urandom', NO_DEV_URANDOM, 'labels', urandom, DEVICE),
  ],
  () => ctx,
);

family(
  'inputs beyond the caps',
  [
    {
      name: 'a config file of 300 KiB',
      commands: [...all],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.yaml`, configText(csvData(ctx.fx.iris)) + `# ${'x'.repeat(300 * 1024)}\n`);
        return { config: path, expect: { file: path, says: /more than the 256\.0 KiB dlf reads/ } };
      },
    },
    {
      name: 'a sparse config file of 4 GiB',
      commands: ['validate'],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.yaml`, '');
        truncateSync(path, 4 * 1024 ** 3);
        return { config: path, expect: { file: path, says: /is 4\.00 GiB, more than/ } };
      },
    },
    {
      name: 'a CSV line of 20 MB',
      commands: [...data],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.csv`, 'a,species\n' + '1,'.repeat(10_000_000) + 'x\n');
        return { config: config(slug, csvData(path)), expect: { file: path, line: 2, says: /more than 262144 fields|longer than/ } };
      },
    },
    {
      name: 'a CSV field of 20 MB without a closing quote',
      commands: [...data],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.csv`, 'a,species\n"' + 'x'.repeat(20_000_000) + '\n');
        return { config: config(slug, csvData(path)), expect: { file: path, line: 2, says: /longer than 8388608 characters/ } };
      },
    },
    {
      name: 'a CSV header of 40 MB',
      commands: [...all],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.csv`, 'x'.repeat(40 * 1024 ** 2) + ',species\n1,a\n');
        return { config: config(slug, csvData(path)), expect: { file: path, line: 1, says: /longer than/ } };
      },
    },
    {
      name: 'a CSV header of 300,000 columns',
      commands: [...all],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.csv`, Array.from({ length: 300_000 }, (_, i) => `c${i}`).join(',') + ',species\n');
        return { config: config(slug, csvData(path)), expect: { file: path, line: 1, says: /more than 262144 fields/ } };
      },
    },
    {
      name: 'a sparse CSV file of 3 GiB',
      commands: [...data],
      make: (slug) => {
        const path = ctx.s.write(`${slug}.csv`, 'a,species\n');
        truncateSync(path, 3 * 1024 ** 3);
        return { config: config(slug, csvData(path)), expect: { file: path, says: /is 3\.00 GiB, more than the 256\.0 MiB/ } };
      },
    },
    {
      name: 'an IDX gzip bomb (30 images announced, 256 MiB inflated)',
      commands: [...data],
      make: (slug) => {
        const path = idxDirWith(slug, (p) => writeFileSync(p, gzipBomb(30, 256 * 1024 ** 2)));
        return {
          config: config(slug, idxData(join(path, '..'))),
          expect: { file: path, says: /decompresses to more than the 23536 bytes its header announces/ },
        };
      },
    },
    {
      name: 'an IDX header announcing 4 billion images',
      commands: [...all],
      make: (slug) => {
        const path = idxDirWith(slug, (p) => writeFileSync(p, gzipSync(idxImagesRaw(0xffffffff, 28, 28, 100))));
        return { config: config(slug, idxData(join(path, '..'))), expect: { file: path, says: /more than the 2\.00 GiB dlf reads/ } };
      },
    },
    {
      name: 'a sparse raw IDX file of 3 GiB',
      commands: [...data],
      make: (slug) => {
        const path = idxDirWith(slug, (p) => {
          writeFileSync(p, idxImagesRaw(30, 4, 4, 0));
          truncateSync(p, 3 * 1024 ** 3);
        });
        return { config: config(slug, idxData(join(path, '..'))), expect: { file: path, says: /expected 496 bytes .* found 3221225472/ } };
      },
    },
  ],
  () => ctx,
);

/** A case whose data.path is `path(slug)` (a string that names no readable file). */
const csvPath = (name: string, skip: string | undefined, path: (slug: string) => string, says: RegExp): Case => ({
  name: `data.path is ${name}`,
  skip,
  commands: ['train', 'validate'],
  make: (slug) => {
    const p = path(slug);
    return { config: config(slug, csvData(p)), expect: { says } };
  },
});

const ROOT = process.getuid?.() === 0 ? 'running as root, which may read any file' : undefined;
family(
  'paths that name no readable file',
  [
    csvPath('a path with a NUL byte', undefined, (slug) => ctx.s.path(`${slug}\0.csv`), /data file path contains a NUL byte/),
    csvPath('a path of 4,000 characters', undefined, (slug) => ctx.s.path(`${slug}-${'x'.repeat(4000)}.csv`), /file name too long/),
    csvPath('a path through a file', undefined, () => join(ctx.fx.iris, 'data.csv'), /a component of the path is not a directory/),
    csvPath(
      'a symbolic link to itself',
      undefined,
      (slug) => makeLink(ctx.s.path(`${slug}.csv`), ctx.s.path(`${slug}.csv`)),
      /too many levels of symbolic links/,
    ),
    csvPath(
      'a file without read permission',
      ROOT,
      (slug) => {
        const p = ctx.s.write(`${slug}.csv`, 'a,species\n1,x\n');
        chmodSync(p, 0o000);
        return p;
      },
      /permission denied/,
    ),
    {
      name: 'data.dir with a NUL byte',
      commands: ['train', 'summary'],
      make: (slug) => ({ config: config(slug, idxData(ctx.s.path(`${slug}\0`))), expect: { says: /IDX file path contains a NUL byte/ } }),
    },
  ],
  () => ctx,
);
