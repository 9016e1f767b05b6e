import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvTable } from '../../src/data/csv.js';
import { join } from 'node:path';
import { dataError, removeTempDirs, tempCsv } from './helpers.js';

afterAll(removeTempDirs);

describe('parseCsv', () => {
  const table: [string, string, string[], string[][]][] = [
    [
      'simple LF',
      'a,b\n1,2\n3,4\n',
      ['a', 'b'],
      [
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    [
      'CRLF',
      'a,b\r\n1,2\r\n3,4\r\n',
      ['a', 'b'],
      [
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    ['no trailing newline', 'a,b\n1,2', ['a', 'b'], [['1', '2']]],
    ['blank trailing lines', 'a,b\n1,2\n\n\r\n  \n', ['a', 'b'], [['1', '2']]],
    ['byte-order mark', '\ufeffa,b\n1,2\n', ['a', 'b'], [['1', '2']]],
    ['quoted comma', 'a,b\n"x,y",2\n', ['a', 'b'], [['x,y', '2']]],
    ['doubled quote', 'a,b\n"say ""hi""",2\n', ['a', 'b'], [['say "hi"', '2']]],
    ['quoted newline', 'a,b\n"line1\r\nline2",2\n', ['a', 'b'], [['line1\r\nline2', '2']]],
    ['empty quoted and unquoted fields', 'a,b,c\n"",,3\n', ['a', 'b', 'c'], [['', '', '3']]],
    ['trailing empty field', 'a,b\n1,\n', ['a', 'b'], [['1', '']]],
    ['quoted header', '"a b","c"\n1,2\n', ['a b', 'c'], [['1', '2']]],
    ['header only', 'a,b\n', ['a', 'b'], []],
  ];
  it.each(table)('%s', (_name, text, header, rows) => {
    expect(parseCsv(text, 'f.csv')).toEqual({ header, rows });
  });

  it('rejects a row with the wrong number of fields, naming file and row', () => {
    const e = dataError(() => parseCsv('a,b\n1,2\n1,2,3\n', 'f.csv'));
    expect(e.place).toEqual({ file: 'f.csv', row: 3 });
    expect(e.message).toMatch(/expected 2 fields.*found 3/);
    expect(e.format()).toContain('f.csv:3');
  });

  it('counts rows by record when a quoted field spans lines', () => {
    const e = dataError(() => parseCsv('a,b\n"x\ny",2\n1\n', 'f.csv'));
    expect(e.place.row).toBe(3);
  });

  it('rejects a blank line in the middle', () => {
    expect(dataError(() => parseCsv('a,b\n1,2\n\n3,4\n', 'f.csv')).place.row).toBe(3);
  });

  it('rejects an unterminated quote and text after a closing quote', () => {
    expect(dataError(() => parseCsv('a,b\n"x,2\n', 'f.csv')).message).toMatch(/unterminated/);
    expect(dataError(() => parseCsv('a,b\n"x"y,2\n', 'f.csv')).place).toEqual({ file: 'f.csv', row: 2 });
  });

  it('rejects an empty file and duplicate column names', () => {
    expect(dataError(() => parseCsv('', 'f.csv')).message).toMatch(/empty/);
    expect(dataError(() => parseCsv('\n\n', 'f.csv')).message).toMatch(/empty/);
    expect(dataError(() => parseCsv('a,a\n1,2\n', 'f.csv')).place.column).toBe('a');
  });
});

describe('readCsvTable', () => {
  it('reads a file', () => {
    const path = tempCsv('x,label\n1,a\n');
    expect(readCsvTable(path)).toEqual({ header: ['x', 'label'], rows: [['1', 'a']] });
  });

  it('reports a missing file by name', () => {
    const path = join(tempCsv('x\n'), '..', 'nope.csv');
    const e = dataError(() => readCsvTable(path));
    expect(e.message).toBe('data file not found');
    expect(e.place.file).toBe(path);
    expect(e.code).toBe('DATA');
  });
});
