// Hostile corpus, data contents: CSV files with values that are not finite in float32, bytes that
// are not UTF-8, no data rows, missing columns and broken quoting; IDX files whose headers lie
// (0×0 images, no items, overflowing dimensions, more or less data than announced) and gzip
// streams that are cut or damaged. Through the real CLI: validate and train (and summary where the
// header alone is wrong).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { configText, csvData, fixtures, idxData } from './cli.js';
import { type Case, type Command, type Context, family, inTurn } from './corpus.js';
import { idxImagesRaw, idxLabelsRaw, scratch } from './make.js';

let ctx: Context;
beforeAll(() => {
  const s = scratch('dlf-corpus-data-');
  ctx = { s, fx: fixtures(s) };
});
afterAll(() => ctx.s.cleanup());

/**
 * Cases run through train, some through validate too (both read the data alike); `all` adds
 * summary where the header alone is wrong, since summary reads only headers, by other functions.
 */
const data = inTurn(['validate']);
const all = ['validate', 'train', 'summary'] as const;

const IRIS_HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species\n';
const row = (cells: string) => `${cells}\n`;
/** Forty ordinary iris-like rows, so that a bad row comes after good ones. */
const goodRows = Array.from({ length: 40 }, (_, i) => row(`5.${i % 10},3.${i % 7},1.4,0.2,${['setosa', 'versicolor', 'virginica'][i % 3]}`)).join('');

/** A CSV case: the file's bytes, refused at `line` of the CSV saying `says`. */
function csvCase(
  name: string,
  bytes: string | Buffer,
  line: number | undefined,
  says: RegExp,
  opts: { label?: string; commands?: readonly Command[]; task?: string } = {},
): Case {
  return {
    name,
    commands: [...(opts.commands ?? data())],
    make: (slug) => {
      const path = ctx.s.write(`${slug}.csv`, bytes);
      const block = csvData(path, opts.label ?? 'species') + (opts.task ? `  task: ${opts.task}\n` : '');
      const config = ctx.s.write(`${slug}.yaml`, configText(block, { units: opts.task === 'regression' ? 1 : 3 }));
      return { config, expect: { file: path, line, says } };
    },
  };
}

const at = (n: number) => 42 + n; // the line of a row appended after the header and goodRows
const BEYOND = /is beyond the float32 range/;
const NOT_FINITE = /not a finite number/;

family(
  'CSV values that are not finite in float32',
  [
    csvCase('a feature 1e400', IRIS_HEADER + goodRows + row('1e400,3,1,0.2,setosa'), at(0), BEYOND),
    csvCase('a feature -1e39', IRIS_HEADER + goodRows + row('5,-1e39,1,0.2,setosa'), at(0), BEYOND),
    csvCase('a feature 3.5e38 (past the largest float32)', IRIS_HEADER + goodRows + row('5,3,3.5e38,0.2,setosa'), at(0), BEYOND),
    csvCase('a feature inf', IRIS_HEADER + goodRows + row('5,3,1,inf,setosa'), at(0), NOT_FINITE),
    csvCase('a feature -inf', IRIS_HEADER + goodRows + row('-inf,3,1,0.2,setosa'), at(0), NOT_FINITE),
    csvCase('a feature Infinity', IRIS_HEADER + goodRows + row('Infinity,3,1,0.2,setosa'), at(0), NOT_FINITE),
    csvCase('a feature nan', IRIS_HEADER + goodRows + row('nan,3,1,0.2,setosa'), at(0), NOT_FINITE),
    // NaN is one of data.missing_values by default: a missing cell, which is an error without a rule.
    csvCase('a feature NaN', IRIS_HEADER + goodRows + row('NaN,3,1,0.2,setosa'), at(0), /missing value 'NaN' \(choose what a missing cell becomes/),
    csvCase('a feature 0x10 (hexadecimal)', IRIS_HEADER + goodRows + row('0x10,3,1,0.2,setosa'), at(0), /not a number: '0x10'/),
    csvCase('a regression target 1e309', 'x,y\n1,2\n2,3\n3,1e309\n', 4, BEYOND, { label: 'y', task: 'regression' }),
  ],
  () => ctx,
);

const NOT_UTF8 = /not valid UTF-8 at byte \d+/;
family(
  'CSV text that is not UTF-8',
  [
    csvCase(
      'a label with a stray byte 0xff',
      Buffer.concat([Buffer.from(IRIS_HEADER + goodRows + '5,3,1,0.2,set'), Buffer.from([0xff]), Buffer.from('osa\n')]),
      at(0),
      NOT_UTF8,
    ),
    csvCase('a header in Latin-1', Buffer.from('sepal_l\u00e9ngth,sepal_width,petal_length,petal_width,species\n' + goodRows, 'latin1'), 1, NOT_UTF8, {
      commands: all,
    }),
    csvCase('UTF-16 with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(IRIS_HEADER + goodRows, 'utf16le')]), 1, NOT_UTF8, {
      commands: all,
    }),
    csvCase(
      'an encoded surrogate in a cell',
      Buffer.concat([Buffer.from(IRIS_HEADER + goodRows + '5,3,1,0.2,'), Buffer.from([0xed, 0xb0, 0x80]), Buffer.from('\n')]),
      at(0),
      NOT_UTF8,
    ),
  ],
  () => ctx,
);

family(
  'CSV structure',
  [
    csvCase('a header without data rows', IRIS_HEADER, 1, /the file has no data rows, only a header/),
    csvCase('a header and blank lines only', IRIS_HEADER + '\n\n\n', 1, /no data rows/),
    csvCase('an empty file', '', undefined, /empty/, { commands: all }),
    csvCase('a label column that is not there', IRIS_HEADER + goodRows, 1, /column 'specie': label column not found \(did you mean 'species'\?/, {
      label: 'specie',
      commands: all,
    }),
    csvCase('a row with a field too many', IRIS_HEADER + goodRows + row('5,3,1,0.2,setosa,extra'), at(0), /expected 5 fields/),
    csvCase('an unterminated quote', IRIS_HEADER + goodRows + row('"5,3,1,0.2,setosa'), at(0), /unterminated quoted field/),
    csvCase('a duplicate column name', 'a,a,species\n1,2,x\n', 1, /duplicate column name/, { commands: all }),
    csvCase(
      'a cell with a line break and an escape sequence',
      IRIS_HEADER + goodRows + row('"5\n\u001b[2J",3,1,0.2,setosa'),
      at(0),
      /not a number: '5\\n\\x1b\[2J'/,
    ),
  ],
  () => ctx,
);

/** An IDX case: the images file (gzip unless `raw`) and labels of the fixtures' kind, refused naming `which`. */
function idxCase(
  name: string,
  images: Buffer,
  says: RegExp,
  opts: { labels?: Buffer; raw?: boolean; which?: 'images' | 'labels'; commands?: readonly Command[] } = {},
): Case {
  return {
    name,
    commands: [...(opts.commands ?? data())],
    make: (slug) => {
      const dir = ctx.s.path(`${slug}-idx`);
      mkdirSync(dir);
      const imagesPath = join(dir, 'train-images-idx3-ubyte.gz');
      const labelsPath = join(dir, 'train-labels-idx1-ubyte.gz');
      writeFileSync(imagesPath, opts.raw ? images : gzipSync(images));
      writeFileSync(
        labelsPath,
        gzipSync(
          opts.labels ??
            idxLabelsRaw(
              30,
              Array.from({ length: 30 }, (_, i) => i % 3),
            ),
        ),
      );
      const config = ctx.s.write(`${slug}.yaml`, configText(idxData(dir)));
      return { config, expect: { file: opts.which === 'labels' ? labelsPath : imagesPath, says } };
    },
  };
}

const good = () => idxImagesRaw(30, 4, 4, 480);
/** Like good(), with pixels that do not compress away, so that a cut can fall inside the data. */
function noisy(): Buffer {
  const b = good();
  for (let i = 16, x = 7; i < b.length; i++) b[i] = x = (x * 1103515245 + 12345) & 0xff;
  return b;
}
const cut = (b: Buffer, n: number) => b.subarray(0, b.length - n);
family(
  'IDX headers that lie',
  [
    idxCase('images of 0×0 pixels', idxImagesRaw(30, 0, 0, 0), /announces images of 0×0 pixels/, { commands: all }),
    idxCase('images of 4×0 pixels', idxImagesRaw(30, 4, 0, 0), /announces images of 4×0 pixels/, { commands: all }),
    idxCase('no images', idxImagesRaw(0, 4, 4, 0), /announces 0 images/, { commands: all }),
    idxCase('dimensions whose product overflows 32 bits', idxImagesRaw(30, 0x10000, 0x10001, 0), /more than the 16777216 dlf reads per image/, {
      commands: all,
    }),
    idxCase('dimensions whose product overflows 64 bits', idxImagesRaw(0xffffffff, 0xffffffff, 0xffffffff, 0), /more than the 16777216 dlf reads per image/, {
      commands: all,
    }),
    idxCase('more data than the header announces', idxImagesRaw(30, 4, 4, 481), /decompresses to more than the 496 bytes/),
    idxCase('less data than the header announces', idxImagesRaw(30, 4, 4, 479), /expected 496 bytes .*, found 495/),
    idxCase('more data than announced, raw', idxImagesRaw(30, 4, 4, 500), /expected 496 bytes .*, found 516 \(the file has extra bytes/, { raw: true }),
    idxCase('less data than announced, raw', idxImagesRaw(30, 4, 4, 400), /found 416 \(the file is shorter than its header says/, { raw: true }),
    idxCase('a header cut short', idxImagesRaw(30, 4, 4, 0).subarray(0, 10), /too short for an IDX images header/, { commands: all }),
    idxCase('a labels file given as images', idxLabelsRaw(30, Array(30).fill(0)), /this is an IDX labels file/, { commands: all }),
    idxCase('a file that is not IDX', Buffer.from('<html>not an IDX file</html>'), /not in the IDX format/, { commands: all, raw: true }),
    idxCase('labels counting more items than the images', good(), /images has 30 items but labels has 31/, {
      labels: idxLabelsRaw(31, Array(31).fill(0)),
      which: 'labels',
    }),
    idxCase('a label beyond the classes', good(), /label 7 of item 1 is not one of the 3 classes/, {
      labels: idxLabelsRaw(30, [7, ...Array(29).fill(0)]),
      which: 'labels',
    }),
  ],
  () => ctx,
);

/** A gzip file of `bytes` damaged by `damage`. */
const gz = (bytes: Buffer, damage: (g: Buffer) => Buffer) => damage(gzipSync(bytes));
family(
  'IDX gzip streams that are cut or damaged',
  [
    idxCase(
      'a gzip stream cut in the middle of the data',
      gz(noisy(), (g) => g.subarray(0, g.length >> 1)),
      /ends before the compressed data do \(the file is truncated/,
      { raw: true },
    ),
    idxCase(
      'a gzip stream cut before the IDX header',
      gz(good(), (g) => g.subarray(0, 12)),
      /ends before the compressed data do/,
      { raw: true, commands: all },
    ),
    idxCase(
      'a gzip stream without its trailer',
      gz(good(), (g) => cut(g, 8)),
      /cannot decompress the gzip file/,
      { raw: true },
    ),
    idxCase(
      'a flipped bit in the compressed data',
      gz(good(), (g) => ((g[14] ^= 0x40), g)),
      /cannot decompress the gzip file/,
      { raw: true },
    ),
    idxCase(
      'a wrong checksum',
      gz(good(), (g) => ((g[g.length - 6] ^= 0xff), g)),
      /cannot decompress the gzip file: incorrect data check/,
      { raw: true },
    ),
    idxCase('only the gzip magic bytes', Buffer.from([0x1f, 0x8b]), /cannot|too short/, { raw: true, commands: all }),
  ],
  () => ctx,
);
