import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkIdxPair, isGzip, parseIdxImages, readIdxBytes, readIdxHeader, readIdxImages, readIdxLabels } from '../../src/data/idx.js';
import { FASHION_FULL, FASHION_SMALL, dataError, idxImages, idxLabels, removeTempDirs, tempIdx } from './helpers.js';

afterAll(removeTempDirs);

const pics = [
  [0, 1, 2, 3, 4, 5],
  [255, 254, 253, 128, 64, 0],
  [9, 9, 9, 9, 9, 9],
];
const files = { 'img.idx': idxImages(2, 3, pics), 'lab.idx': idxLabels([7, 0, 3]) };

describe('IDX round trip', () => {
  it.each([
    ['raw', false],
    ['gzip', true],
  ])('reads back what was written (%s)', (_, gzip) => {
    const dir = tempIdx(files, gzip);
    expect(isGzip(readFileSync(join(dir, 'img.idx')))).toBe(gzip);
    const im = readIdxImages(join(dir, 'img.idx'));
    expect([im.count, im.rows, im.cols]).toEqual([3, 2, 3]);
    expect(Array.from(im.pixels)).toEqual(pics.flat());
    const lb = readIdxLabels(join(dir, 'lab.idx'));
    expect(lb.count).toBe(3);
    expect(Array.from(lb.labels)).toEqual([7, 0, 3]);
    expect(readIdxHeader(join(dir, 'img.idx'), 'images')).toEqual({ kind: 'images', count: 3, rows: 2, cols: 3 });
    expect(readIdxHeader(join(dir, 'lab.idx'), 'labels')).toEqual({ kind: 'labels', count: 3 });
  });

  it('reads a gzip file of several members, whose trailer announces only the last one', () => {
    const dir = tempIdx({});
    const path = join(dir, 'two.idx.gz');
    const whole = idxImages(2, 3, pics);
    writeFileSync(path, Buffer.concat([gzipSync(whole.subarray(0, 10)), gzipSync(whole.subarray(10))]));
    expect(Buffer.from(readIdxBytes(path))).toEqual(whole);
    expect(readIdxImages(path).pixels).toEqual(new Uint8Array(pics.flat()));
  });

  it.each([
    ['too small', 1],
    ['too large', 1000],
    ['beyond any deflate ratio', 0xffffffff],
  ])('refuses a gzip file whose trailer announces the wrong size (%s)', (_, size) => {
    const dir = tempIdx({});
    const path = join(dir, 'bad.idx.gz');
    const gz = gzipSync(idxImages(2, 3, pics));
    gz.writeUInt32LE(size, gz.length - 4);
    writeFileSync(path, gz);
    expect(dataError(() => readIdxBytes(path)).message).toMatch(/cannot decompress the gzip file/);
  });

  it('refuses an empty file set (count 0)', () => {
    expect(dataError(() => parseIdxImages(idxImages(28, 28, []), 'x')).message).toBe('the header announces 0 images');
  });

  it('reads only the header of a large gzip file', () => {
    expect(readIdxHeader(join(FASHION_SMALL, 'train-images-idx3-ubyte.gz'), 'images')).toEqual({
      kind: 'images',
      count: 2000,
      rows: 28,
      cols: 28,
    });
  });

  it('reads the header of a file whose data are missing (it does not look at them)', () => {
    const header = idxImages(28, 28, []);
    header.writeUInt32BE(60000, 4);
    const dir = tempIdx({ 'h.idx': header });
    expect(readIdxHeader(join(dir, 'h.idx'), 'images').count).toBe(60000);
    expect(() => readIdxImages(join(dir, 'h.idx'))).toThrow(/expected 47040016 bytes/);
  });
});

describe('IDX errors name the file', () => {
  const one = (gzip: boolean, name: string, bytes: Buffer) => join(tempIdx({ [name]: bytes }, gzip), name);

  it.each([false, true])('a labels file given as images, and the reverse (gzip %s)', (gzip) => {
    const lab = one(gzip, 'l', idxLabels([1, 2]));
    const e = dataError(() => readIdxImages(lab));
    expect(e.message).toBe('expected IDX magic 0x00000803 (images), found 0x00000801');
    expect(e.place).toEqual({ file: lab });
    expect(e.hint).toMatch(/labels file/);
    expect(dataError(() => readIdxHeader(lab, 'images')).message).toBe(e.message);
    const img = one(gzip, 'i', idxImages(1, 1, [[5]]));
    expect(dataError(() => readIdxLabels(img)).message).toBe('expected IDX magic 0x00000801 (labels), found 0x00000803');
  });

  it('a file that is not IDX at all', () => {
    const path = one(false, 'x.csv', Buffer.from('a,b,c\n1,2,3\n'));
    const e = dataError(() => readIdxImages(path));
    expect(e.message).toBe('expected IDX magic 0x00000803 (images), found 0x612c622c');
    expect(e.hint).toMatch(/not in the IDX format/);
  });

  it('a file too short for its header', () => {
    const path = one(false, 'short', idxImages(2, 2, []).subarray(0, 10));
    expect(dataError(() => readIdxImages(path)).message).toMatch(/too short for an IDX images header: 10 bytes/);
    expect(dataError(() => readIdxHeader(path, 'images')).place.file).toBe(path);
    expect(dataError(() => readIdxLabels(one(false, 'tiny', Buffer.from([0, 0])))).message).toMatch(/too short/);
  });

  it.each([false, true])('a length that does not match the header (gzip %s)', (gzip) => {
    const full = idxImages(2, 3, pics);
    const cut = one(gzip, 'cut', full.subarray(0, full.length - 1));
    const e = dataError(() => readIdxImages(cut));
    expect(e.message).toBe('expected 34 bytes (a 16-byte header and 3 images of 2×3), found 33');
    expect(e.place).toEqual({ file: cut });
    expect(e.hint).toMatch(/truncated/);
    const long = one(gzip, 'long', Buffer.concat([idxLabels([1, 2]), Buffer.from([0])]));
    const e2 = dataError(() => readIdxLabels(long));
    // A gzip file is inflated only up to the size its header announces.
    expect(e2.message).toBe(
      gzip ? 'decompresses to more than the 10 bytes its header announces (2 labels)' : 'expected 10 bytes (a 8-byte header and 2 labels), found 11',
    );
    if (!gzip) expect(e2.hint).toMatch(/extra bytes/);
  });

  it('image and label counts that disagree', () => {
    const e = dataError(() => checkIdxPair({ count: 60000 }, { count: 59999 }, '/d/train-images', '/d/train-labels'));
    expect(e.message).toBe('images has 60000 items but labels has 59999 (train-images)');
    expect(e.place).toEqual({ file: '/d/train-labels' });
    expect(() => checkIdxPair({ count: 3 }, { count: 3 }, 'a', 'b')).not.toThrow();
  });

  it('a missing file, from a full read and from a header read', () => {
    const path = join(tempIdx({}), 'nope.gz');
    for (const e of [dataError(() => readIdxImages(path)), dataError(() => readIdxHeader(path, 'images'))]) {
      expect(e.message).toBe('IDX file not found');
      expect(e.place).toEqual({ file: path });
      expect(e.hint).toMatch(/data\.dir/);
    }
    expect(dataError(() => readIdxLabels(tempIdx({}))).message).toMatch(/directory/);
  });

  it('a corrupt gzip file', () => {
    const dir = tempIdx(files, true);
    const path = join(dir, 'img.idx');
    const bytes = readFileSync(path);
    bytes[bytes.length - 6] ^= 0xff; // the CRC no longer matches
    writeFileSync(path, bytes);
    const e = dataError(() => readIdxBytes(path));
    expect(e.message).toMatch(/cannot decompress the gzip file/);
    expect(e.place).toEqual({ file: path });
  });
});

describe('the shipped Fashion-MNIST subset', () => {
  it.each([
    ['train', 2000],
    ['t10k', 500],
  ])('%s: %i images of 28×28 with labels 0..9', (part, n) => {
    const im = readIdxImages(join(FASHION_SMALL, `${part}-images-idx3-ubyte.gz`));
    const lb = readIdxLabels(join(FASHION_SMALL, `${part}-labels-idx1-ubyte.gz`));
    expect([im.count, im.rows, im.cols, im.pixels.length]).toEqual([n, 28, 28, n * 784]);
    expect(lb.count).toBe(n);
    expect(new Set(lb.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(im.pixels.reduce((a, b) => Math.max(a, b), 0)).toBe(255);
    expect(im.pixels.reduce((a, b) => Math.min(a, b), 255)).toBe(0);
  });

  it('has the well-known first labels (ankle boot, T-shirt/top, T-shirt/top, dress)', () => {
    expect(Array.from(readIdxLabels(join(FASHION_SMALL, 'train-labels-idx1-ubyte.gz')).labels.subarray(0, 4))).toEqual([9, 0, 0, 3]);
    expect(Array.from(readIdxLabels(join(FASHION_SMALL, 't10k-labels-idx1-ubyte.gz')).labels.subarray(0, 4))).toEqual([9, 2, 1, 1]);
  });

  it.skipIf(!existsSync(join(FASHION_FULL, 'train-images-idx3-ubyte.gz')))('is the first items of the full set', () => {
    for (const [part, n] of [
      ['train', 2000],
      ['t10k', 500],
    ] as const) {
      const full = readIdxImages(join(FASHION_FULL, `${part}-images-idx3-ubyte.gz`));
      const small = readIdxImages(join(FASHION_SMALL, `${part}-images-idx3-ubyte.gz`));
      expect(Buffer.from(small.pixels).equals(Buffer.from(full.pixels.subarray(0, n * 784)))).toBe(true);
      const fullL = readIdxLabels(join(FASHION_FULL, `${part}-labels-idx1-ubyte.gz`));
      const smallL = readIdxLabels(join(FASHION_SMALL, `${part}-labels-idx1-ubyte.gz`));
      expect(Buffer.from(smallL.labels).equals(Buffer.from(fullL.labels.subarray(0, n)))).toBe(true);
    }
    // The files are plain gzip streams any tool can read.
    expect(gunzipSync(readFileSync(join(FASHION_SMALL, 't10k-labels-idx1-ubyte.gz'))).length).toBe(508);
  });
});
