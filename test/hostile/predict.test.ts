// Hostile corpus, predict: --input files that are not regular files or hold hostile data, and
// --output paths that would destroy something (a directory, the input, the run's own files, a
// device). Through the real CLI, on runs trained here for a table and for images.
import { readFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configText, csvData, dlf, fixtures, idxData } from './cli.js';
import { type Case, type Context, family } from './corpus.js';
import { NO_DEV_URANDOM, NO_DEV_ZERO, NO_FIFO, gzipBomb, idxImagesRaw, makeFifo, makeLink, scratch } from './make.js';

let ctx: Context;
let tableRun: string;
let imageRun: string;
beforeAll(() => {
  const s = scratch('dlf-corpus-predict-');
  ctx = { s, fx: fixtures(s) };
  tableRun = s.path('table-run');
  imageRun = s.path('image-run');
  for (const [run, block] of [
    [tableRun, csvData(ctx.fx.iris)],
    [imageRun, idxData(ctx.fx.idxDir)],
  ]) {
    const r = dlf(['train', s.write(`${run.split('/').pop()}.yaml`, configText(block)), '--out', run, '--quiet'], s.dir);
    if (r.code !== 0) throw new Error(`training the ${run} fixture failed: ${r.stderr}`);
  }
});
afterAll(() => ctx.s.cleanup());

const IRIS_FEATURES = 'sepal_length,sepal_width,petal_length,petal_width\n';
const fine = () => ctx.s.write(`fine-${Math.random().toString(36).slice(2)}.csv`, IRIS_FEATURES + '5.1,3.5,1.4,0.2\n');

/** A case giving predict `--input` made by `make` (on the table run unless `images`). */
function inputCase(name: string, skip: string | undefined, make: (path: string) => string, says: RegExp, opts: { images?: boolean; line?: number } = {}): Case {
  return {
    name,
    skip,
    commands: ['predict'],
    make: (slug) => {
      const input = make(ctx.s.path(slug + (opts.images ? '.gz' : '.csv')));
      return { run: opts.images ? imageRun : tableRun, input, expect: { file: input, line: opts.line, says } };
    },
  };
}

/** A case giving predict a fine input and `--output` made by `make` (given the input's path). */
function outputCase(name: string, skip: string | undefined, make: (slug: string, input: string) => string, says: RegExp): Case {
  return {
    name,
    skip,
    commands: ['predict'],
    make: (slug) => {
      const input = fine();
      const output = make(slug, input);
      return { run: tableRun, input, extra: ['--output', output], expect: { says } };
    },
  };
}

family(
  'predict --input that is not a regular file',
  [
    inputCase('a named pipe', NO_FIFO, makeFifo, /--input .* is a named pipe \(FIFO\), not a regular file/),
    inputCase('a link to /dev/zero', NO_DEV_ZERO, (p) => makeLink(p, '/dev/zero'), /is a character device, not a regular file/),
    inputCase('a link to /dev/urandom, for the image run', NO_DEV_URANDOM, (p) => makeLink(p, '/dev/urandom'), /character device/, { images: true }),
    inputCase('a directory', undefined, (p) => (mkdirSync(p), p), /is a directory, not a regular file/),
    inputCase('a file that does not exist', undefined, (p) => p, /--input .*: no such file/),
    inputCase('a dangling link', undefined, (p) => makeLink(p, join(p, '..', 'nowhere')), /no such file/),
  ],
  () => ctx,
);

family(
  'predict --checkpoint that is not a regular file',
  [
    {
      name: 'a named pipe',
      skip: NO_FIFO,
      commands: ['predict'],
      make: (slug) => ({
        run: tableRun,
        input: fine(),
        extra: ['--checkpoint', makeFifo(ctx.s.path(slug))],
        expect: { says: /--checkpoint .* is a named pipe \(FIFO\)/ },
      }),
    },
    {
      name: 'a link to /dev/zero',
      skip: NO_DEV_ZERO,
      commands: ['predict'],
      make: (slug) => ({
        run: tableRun,
        input: fine(),
        extra: ['--checkpoint', makeLink(ctx.s.path(slug), '/dev/zero')],
        expect: { says: /is a character device/ },
      }),
    },
  ],
  () => ctx,
);

family(
  'predict --output that would destroy something',
  [
    outputCase('a directory', undefined, (slug) => (mkdirSync(ctx.s.path(slug)), ctx.s.path(slug)), /--output .* is a directory/),
    outputCase('the input file', undefined, (_slug, input) => input, /--output .* is the input file/),
    outputCase('a link to the input file', undefined, (slug, input) => makeLink(ctx.s.path(slug), input), /is the input file/),
    outputCase('the input under another spelling', undefined, (_slug, input) => join(input, '..', '.', input.split('/').pop()!), /is the input file/),
    outputCase("the run's best checkpoint", undefined, () => join(tableRun, 'checkpoints', 'best.json'), /is a file of the run directory/),
    outputCase("the run's config.json", undefined, () => join(tableRun, 'config.json'), /is a file of the run directory/),
    outputCase(
      'a named pipe',
      NO_FIFO,
      (slug) => makeFifo(ctx.s.path(slug)),
      /is a named pipe \(FIFO\), not a regular file \(leave out the option to write to stdout\)/,
    ),
    outputCase('/dev/null', NO_DEV_ZERO, () => '/dev/null', /is a character device/),
    outputCase('a path through a file', undefined, (_slug, input) => join(input, 'out.csv'), /a component of the path is not a directory/),
  ],
  () => ctx,
);

const HEADER_ROWS = IRIS_FEATURES + '5.1,3.5,1.4,0.2\n4.9,3.0,1.4,0.2\n';
family(
  'predict --input with hostile contents',
  [
    inputCase('a value 1e400', undefined, (p) => (writeFileSync(p, HEADER_ROWS + '1e400,3,1,0.2\n'), p), /1e400/, { line: 4 }),
    inputCase('a value -inf', undefined, (p) => (writeFileSync(p, HEADER_ROWS + '-inf,3,1,0.2\n'), p), /'-inf'/, { line: 4 }),
    inputCase(
      'invalid UTF-8',
      undefined,
      (p) => (writeFileSync(p, Buffer.concat([Buffer.from(HEADER_ROWS + '5,3,1,'), Buffer.from([0xff]), Buffer.from('\n')])), p),
      /not valid UTF-8/,
      { line: 4 },
    ),
    inputCase('a header only', undefined, (p) => (writeFileSync(p, IRIS_FEATURES), p), /no data rows/, { line: 1 }),
    inputCase(
      'a line of 20 MB',
      undefined,
      (p) => (writeFileSync(p, IRIS_FEATURES + '1,'.repeat(10_000_000) + '\n'), p),
      /more than 262144 fields|longer than/,
      { line: 2 },
    ),
    inputCase('a gzip bomb for the image run', undefined, (p) => (writeFileSync(p, gzipBomb(3, 256 * 1024 ** 2)), p), /decompresses to more than/, {
      images: true,
    }),
    inputCase('IDX images of 0×0 for the image run', undefined, (p) => (writeFileSync(p, gzipSync(idxImagesRaw(3, 0, 0, 0))), p), /0×0 pixels/, {
      images: true,
    }),
    inputCase(
      'IDX dimensions that overflow, for the image run',
      undefined,
      (p) => (writeFileSync(p, idxImagesRaw(0xffffffff, 0xffffffff, 0xffffffff, 0)), p),
      /more than the 16777216 dlf reads per image/,
      { images: true },
    ),
  ],
  () => ctx,
);

describe('predict leaves its files as they were', () => {
  it('the input is unchanged and no output appears when --output is refused', () => {
    const input = fine();
    const before = readFileSync(input);
    const r = dlf(['predict', tableRun, '--input', input, '--output', input], ctx.s.dir);
    expect(r.code).toBe(2);
    expect(readFileSync(input)).toEqual(before);
    const dir = ctx.s.path('out-dir');
    mkdirSync(dir);
    symlinkSync(input, join(dir, 'link.csv'));
    expect(dlf(['predict', tableRun, '--input', input, '--output', join(dir, 'link.csv')], ctx.s.dir).code).toBe(2);
    expect(readFileSync(input)).toEqual(before);
  });
});
