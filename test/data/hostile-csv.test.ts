// The CSV reader on hostile files (and every data reader on files that are not regular files):
// every case is a DataError naming the file (and the line or
// row where there is one), quickly and without reading more than the caps allow.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { parseCsv, readCsvHeader, readCsvTable } from '../../src/data/csv.js';
import { fromCsv } from '../../src/data/dataset.js';
import { readIdxHeader, readIdxImages } from '../../src/data/idx.js';
import { dataError } from './helpers.js';
import { NO_DEV_ZERO, NO_FIFO, makeFifo, makeLink, scratch } from '../hostile/make.js';

const tmp = scratch('dlf-csv-hostile-');
afterAll(() => tmp.cleanup());

const classify = { label: 'y', task: 'classification' as const };
const regress = { label: 'y', task: 'regression' as const };

describe('data files that are not regular files', () => {
  const readers: [string, (p: string) => unknown][] = [
    ['readCsvTable', readCsvTable],
    ['readCsvHeader', readCsvHeader],
    ['readIdxImages', readIdxImages],
    ['readIdxHeader', (p) => readIdxHeader(p, 'images')],
  ];

  it.skipIf(NO_FIFO)('a named pipe is refused without waiting for a writer', () => {
    const fifo = makeFifo(tmp.path('pipe'));
    for (const [, read] of readers) {
      const e = dataError(() => read(fifo));
      expect(e.message).toMatch(/named pipe \(FIFO\), not a regular file/);
      expect(e.place.file).toBe(fifo);
    }
  });

  it.skipIf(NO_DEV_ZERO)('a symbolic link to /dev/zero is refused, not read forever', () => {
    const zero = makeLink(tmp.path('zero.csv'), '/dev/zero');
    for (const [, read] of readers) expect(dataError(() => read(zero)).message).toMatch(/character device, not a regular file/);
  });

  it('a directory is refused', () => {
    const dir = tmp.path('a-dir');
    mkdirSync(dir);
    for (const [, read] of readers) expect(dataError(() => read(dir)).message).toMatch(/is a directory/);
  });
});

describe('CSV caps', () => {
  const small = { recordChars: 100, columns: 5, cells: 20, records: 8 };

  it('refuses a record longer than the cap, before cutting it into fields', () => {
    const e = dataError(() => parseCsv('a,b\n' + 'x'.repeat(101) + ',1\n', 'f.csv', small));
    expect(e.message).toBe('longer than 100 characters');
    expect(e.place).toEqual({ file: 'f.csv', row: 2 });
  });

  it('refuses an unclosed quote that runs past the cap, and names a short one as unterminated', () => {
    expect(dataError(() => parseCsv('a,b\n"x' + ',1\n'.repeat(60), 'f.csv', small)).hint).toMatch(/closing quote missing/);
    expect(dataError(() => parseCsv('a,b\n"x,1\n', 'f.csv', small)).message).toBe('unterminated quoted field');
  });

  it('refuses too many columns, cells and rows', () => {
    expect(dataError(() => parseCsv('a,b,c,d,e,f\n', 'f.csv', small)).message).toBe('more than 5 fields in one row');
    const e = dataError(() => parseCsv('a,b,c,d\n' + '1,2,3,4\n'.repeat(30), 'f.csv', small));
    expect(e.message).toBe('more than 20 cells in the file');
    expect(e.place.row).toBe(6);
    const r = dataError(() => parseCsv('a\n' + '\n'.repeat(30), 'f.csv', small));
    expect(r.message).toBe('more than 8 rows in the file');
    expect(r.place.row).toBe(9);
  });

  it('a 20 MB line of fields is refused with the real caps, quickly', () => {
    const t = Date.now();
    const e = dataError(() => parseCsv('a,b\n' + '1,'.repeat(10_000_000) + '\n', 'f.csv'));
    expect(e.message).toMatch(/^(longer than|more than \d+ fields)/);
    expect(Date.now() - t).toBeLessThan(5000);
  });

  it('a header line longer than the cap is refused by the header reader', () => {
    const path = tmp.write('wide.csv', 'x'.repeat(40 * 1024 ** 2));
    expect(dataError(() => readCsvHeader(path)).message).toMatch(/^header line longer than/);
  });

  it('many doubled quotes in one field are read in one copy', () => {
    const quotes = '""'.repeat(100_000);
    const t = parseCsv(`a,b\n"${quotes}",1\n`, 'f.csv');
    expect(t.rows[0][0].length).toBe(100_000);
  });
});

describe('CSV contents', () => {
  it('invalid UTF-8 is an error at its line, not a new class', () => {
    const path = tmp.write('bad-utf8.csv', Buffer.concat([Buffer.from('x,y\n1,a\n2,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    const e = dataError(() => fromCsv(classify, path));
    expect(e.place).toEqual({ file: path, line: 3 });
    expect(e.message).toBe('not valid UTF-8 at byte 11');
    expect(e.format()).toMatch(/bad-utf8\.csv:3: not valid UTF-8/);
  });

  it('a header without data rows', () => {
    const path = tmp.write('header-only.csv', 'x,y\n');
    const e = dataError(() => fromCsv(classify, path));
    expect(e.message).toBe('the file has no data rows, only a header');
    expect(e.format()).toMatch(/header-only\.csv:1: /);
  });

  it.each([
    ['1e400', /^1e400 is beyond the float32 range/],
    ['-3.5e38', /^-3\.5e38 is beyond the float32 range/],
    ['inf', /^not a finite number: 'inf'/],
    ['-Infinity', /^not a finite number: '-Infinity'/],
    ['nan', /^not a finite number: 'nan'/],
    ['NaN', /^missing value 'NaN'/], // one of data.missing_values by default
    ['1e38', undefined],
    ['-3.4028234663852886e38', undefined],
    ['1e-400', undefined],
  ])('a feature %s', (cell, problem) => {
    const path = tmp.write(`f-${cell}.csv`, `x,y\n1,a\n${cell},b\n`);
    if (problem === undefined) {
      expect(Number.isFinite(fromCsv(classify, path).x[1])).toBe(true);
      return;
    }
    const e = dataError(() => fromCsv(classify, path));
    expect(e.message).toMatch(problem);
    expect(e.place).toEqual({ file: path, row: 3, column: 'x' });
  });

  it('a regression target beyond float32', () => {
    const path = tmp.write('target.csv', 'x,y\n1,2\n2,1e39\n');
    expect(dataError(() => fromCsv(regress, path)).place).toEqual({ file: path, row: 3, column: 'y' });
  });

  it('a column that is not there is placed at the header line', () => {
    const path = tmp.write('cols.csv', 'x,y\n1,2\n');
    const e = dataError(() => fromCsv({ ...classify, features: ['z'] }, path));
    expect(e.format()).toMatch(/cols\.csv:1: column 'z': feature column not found/);
  });

  it('a cell with a line break is echoed on one line', () => {
    const path = tmp.write('nl.csv', 'x,y\n1,a\n2,b\n"1\n2",a\n');
    const e = dataError(() => fromCsv(classify, path));
    expect(e.format()).not.toContain('\n');
    expect(e.format()).toContain("not a number: '1\\n2'");
  });
});
