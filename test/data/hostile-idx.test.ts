// The IDX reader on hostile files: lying headers, gzip bombs, truncated and damaged gzip streams.
// Every case is a DataError naming the file, quickly and without inflating more than the header
// announces.
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { readIdxBytes, readIdxHeader, readIdxImages, readIdxLabels } from '../../src/data/idx.js';
import { DataError } from '../../src/errors.js';
import { dataError } from './helpers.js';
import { gzipBomb, idxImagesRaw, idxLabelsRaw, scratch } from '../hostile/make.js';

const tmp = scratch('dlf-idx-hostile-');
afterAll(() => tmp.cleanup());

describe('IDX headers', () => {
  const images = (name: string, bytes: Buffer, gzip = false) => tmp.write(name, gzip ? gzipSync(bytes) : bytes);

  it.each([
    ['0×0 images', idxImagesRaw(3, 0, 0, 0), /announces images of 0×0 pixels/],
    ['0 items', idxImagesRaw(0, 28, 28, 0), /announces 0 images/],
    ['dimensions whose product overflows 32 bits', idxImagesRaw(0xffffffff, 0xffffffff, 0xffffffff, 0), /more than the 16777216 dlf reads per image/],
    ['more data than the caps', idxImagesRaw(0xffffffff, 28, 28, 0), /more than the 2\.00 GiB dlf reads/],
  ])('%s', (name, bytes, problem) => {
    for (const gzip of [false, true]) {
      const path = images(`${name}-${gzip}`, bytes, gzip);
      for (const read of [() => readIdxImages(path), () => readIdxHeader(path, 'images')]) {
        const e = dataError(read);
        expect(e.message).toMatch(problem);
        expect(e.place.file).toBe(path);
      }
    }
  });

  it.each([false, true])('a header claiming more or less data than the file has (gzip %s)', (gzip) => {
    const short = images(`short-${gzip}`, idxImagesRaw(10, 28, 28, 784 * 9), gzip);
    expect(dataError(() => readIdxImages(short)).message).toBe(`expected 7856 bytes (a 16-byte header and 10 images of 28×28), found ${16 + 784 * 9}`);
    const long = images(`long-${gzip}`, idxImagesRaw(10, 28, 28, 784 * 11), gzip);
    expect(dataError(() => readIdxImages(long)).message).toMatch(gzip ? /^decompresses to more than the 7856 bytes/ : /^expected 7856 bytes .*, found 8640$/);
    const labels = tmp.write(`labels-${gzip}`, idxLabelsRaw(5, [1, 2]));
    expect(dataError(() => readIdxLabels(labels)).message).toMatch(/expected 13 bytes/);
  });
});

describe('gzip bombs', () => {
  it('inflates no more than the header announces, and gives no download hint', () => {
    const path = tmp.write('bomb.gz', gzipBomb(10, 256 * 1024 ** 2));
    const t = Date.now();
    const e = dataError(() => readIdxImages(path));
    expect(Date.now() - t).toBeLessThan(3000);
    expect(e.message).toBe('decompresses to more than the 7856 bytes its header announces (10 images of 28×28)');
    expect(e.hint ?? '').not.toMatch(/download/);
  });

  it('refuses a header that announces more than the gzip file could hold, before inflating', () => {
    const path = tmp.write('liar.gz', gzipSync(idxImagesRaw(1_000_000, 28, 28, 0)));
    const e = dataError(() => readIdxImages(path));
    expect(e.message).toMatch(/^the header announces 1000000 images of 28×28 \(747\.7 MiB\), more than a gzip file of \d+ B can hold$/);
  });

  it('reads only a bounded prefix when the bomb comes before the header', () => {
    const path = tmp.write('prefix-bomb.gz', gzipSync(Buffer.alloc(64 * 1024 ** 2)));
    const t = Date.now();
    expect(dataError(() => readIdxHeader(path, 'images')).message).toBe('expected IDX magic 0x00000803 (images), found 0x00000000');
    expect(dataError(() => readIdxBytes(path)).message).toMatch(/magic/);
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('a truncated gzip file is called truncated', () => {
    const gz = gzipSync(idxImagesRaw(10, 28, 28, 7840));
    const path = tmp.write('cut.gz', gz.subarray(0, gz.length - 12));
    const e = dataError(() => readIdxImages(path));
    expect(e.message).toMatch(/ends before the compressed data do/);
    expect(e.hint).toMatch(/truncated/);
  });

  it('every failure is a DataError', () => {
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(100, 0xab)]);
    const path = tmp.write('garbage.gz', garbage);
    expect(() => readIdxImages(path)).toThrow(DataError);
    expect(() => readIdxHeader(path, 'images')).toThrow(DataError);
  });
});
