import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fromCsv, selectRows, sortClasses } from '../../src/data/dataset.js';
import { readCsvTable } from '../../src/data/csv.js';
import { DATASETS, dataError, removeTempDirs, tempCsv } from './helpers.js';

afterAll(removeTempDirs);

const iris = join(DATASETS, 'iris.csv');
const digits = join(DATASETS, 'digits.csv');

describe('fromCsv on the shipped data sets', () => {
  it('loads iris: 150 rows, 4 features, 3 classes', () => {
    const ds = fromCsv({ label: 'species', task: 'classification' }, iris);
    expect(ds.n).toBe(150);
    expect(ds.features).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(ds.x.length).toBe(600);
    expect(ds.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(ds.task).toBe('classification');
    expect(Array.from(ds.x.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(ds.y[0]).toBe(0);
    expect(ds.y[149]).toBe(2);
  });

  it('loads digits: 1797 × 64 with class k = digit k', () => {
    const ds = fromCsv({ label: 'digit', task: 'classification' }, digits);
    expect(ds.n).toBe(1797);
    expect(ds.features.length).toBe(64);
    expect(ds.features[0]).toBe('p0');
    expect(ds.x.length).toBe(1797 * 64);
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.y[0]).toBe(0); // the first digit in the file is a 0
    expect(ds.y[1]).toBe(1);
    const labels = readCsvTable(digits).rows.map((r) => Number(r[64]));
    expect(Array.from(ds.y)).toEqual(labels);
    expect(labels.filter((d) => d === 3).length).toBeGreaterThan(100);
  });

  it('selects and orders features by name', () => {
    const ds = fromCsv({ label: 'species', features: ['petal_width', 'sepal_length'], task: 'classification' }, iris);
    expect(ds.features).toEqual(['petal_width', 'sepal_length']);
    expect(Array.from(ds.x.subarray(0, 2))).toEqual([0.2, 5.1].map(Math.fround));
  });
});

describe('fromCsv labels', () => {
  it('sorts numeric labels by value', () => {
    const path = tempCsv('x,y\n1,10\n2,9\n3,2\n4,9\n');
    const ds = fromCsv({ label: 'y', task: 'classification' }, path);
    expect(ds.classes).toEqual(['2', '9', '10']);
    expect(Array.from(ds.y)).toEqual([2, 1, 0, 1]);
  });

  it('sorts text labels by code unit', () => {
    expect(sortClasses(['b', 'B', 'a'])).toEqual(['B', 'a', 'b']);
    expect(sortClasses(['1.5', '-1', '1'])).toEqual(['-1', '1', '1.5']);
  });

  it('uses given classes and rejects unknown labels', () => {
    const path = tempCsv('x,y\n1,b\n2,a\n3,c\n');
    const e = dataError(() => fromCsv({ label: 'y', task: 'classification' }, path, ['a', 'b']));
    expect(e.place).toEqual({ file: path, row: 4, column: 'y' });
    const ok = fromCsv({ label: 'y', task: 'classification' }, tempCsv('x,y\n1,b\n'), ['a', 'b']);
    expect(Array.from(ok.y)).toEqual([1]);
    expect(ok.classes).toEqual(['a', 'b']);
  });

  it('reads a numeric regression target', () => {
    const ds = fromCsv({ label: 't', task: 'regression' }, tempCsv('a,t\n1,0.5\n2,-3e2\n'));
    expect(Array.from(ds.y)).toEqual([0.5, -300]);
    expect(ds.classes).toBeUndefined();
    const e = dataError(() => fromCsv({ label: 't', task: 'regression' }, tempCsv('a,t\n1,0.5\n2,big\n')));
    expect(e.place).toMatchObject({ row: 3, column: 't' });
  });
});

describe('fromCsv errors', () => {
  it('names file, row and column of a non-numeric feature cell', () => {
    const path = tempCsv('a,b,label\n1,2,x\n3,oops,y\n');
    const e = dataError(() => fromCsv({ label: 'label', task: 'classification' }, path));
    expect(e.place).toEqual({ file: path, row: 3, column: 'b' });
    expect(e.message).toContain('oops');
    expect(e.format()).toContain(`${path}:3`);
    expect(e.format()).toContain("column 'b'");
  });

  it('calls an empty cell empty', () => {
    const e = dataError(() => fromCsv({ label: 'label', task: 'classification' }, tempCsv('a,label\n,x\n')));
    expect(e.message).toBe('empty cell');
    expect(e.hint).toMatch(/^choose what a missing cell becomes: data\.columns\.a\.missing/);
  });

  it('rejects hex, Infinity and other non-decimal numbers in a column of numbers', () => {
    for (const cell of ['0x10', 'Infinity', 'NaN', '1,5', '1e', '.']) {
      const path = tempCsv(`a,label\n1,x\n2,y\n"${cell}",x\n`);
      expect(dataError(() => fromCsv({ label: 'label', task: 'classification' }, path)).place.row).toBe(4);
    }
  });

  it('names a missing label column, with a did-you-mean hint', () => {
    const e = dataError(() => fromCsv({ label: 'specie', task: 'classification' }, iris));
    expect(e.message).toBe('label column not found');
    expect(e.format()).toContain("column 'specie'");
    expect(e.place).toEqual({ file: iris, line: 1, column: 'specie' });
    expect(e.format()).toContain('iris.csv:1: ');
    expect(e.hint).toContain("did you mean 'species'?");
  });

  it('names a missing feature column, with a did-you-mean hint', () => {
    const e = dataError(() => fromCsv({ label: 'species', features: ['sepal_length', 'Petal_Widht'], task: 'classification' }, iris));
    expect(e.place.column).toBe('Petal_Widht');
    expect(e.hint).toContain("did you mean 'petal_width'?");
  });

  it('lists the columns when nothing is close', () => {
    const e = dataError(() => fromCsv({ label: 'zzzzzzzz', task: 'classification' }, iris));
    expect(e.hint).not.toContain('did you mean');
    expect(e.hint).toContain("'species'");
  });

  it('rejects the label as a feature and a file with only the label', () => {
    expect(() => fromCsv({ label: 'species', features: ['species'], task: 'classification' }, iris)).toThrow(/also listed/);
    expect(() => fromCsv({ label: 'y', task: 'classification' }, tempCsv('y\na\n'))).toThrow(/no feature columns/);
  });

  it('reports a missing file', () => {
    const e = dataError(() => fromCsv({ label: 'y', task: 'classification' }, join(DATASETS, 'missing.csv')));
    expect(e.message).toBe('data file not found');
    expect(e.place.file).toBe(join(DATASETS, 'missing.csv'));
  });
});

describe('selectRows', () => {
  it('copies rows in the given order', () => {
    const ds = fromCsv({ label: 'y', task: 'classification' }, tempCsv('a,b,y\n1,2,p\n3,4,q\n5,6,p\n'));
    const s = selectRows(ds, [2, 0]);
    expect(Array.from(s.x)).toEqual([5, 6, 1, 2]);
    expect(Array.from(s.y)).toEqual([0, 0]);
    expect(s.classes).toEqual(['p', 'q']);
    expect(s.classes).not.toBe(ds.classes);
  });
});
