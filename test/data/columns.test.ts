// Categorical columns and missing cells of CSV tables: how columns are read, what is fitted on the
// training split only, how rows are encoded, and what a saved run does with rows it has not seen.
import { afterAll, describe, expect, it } from 'vitest';
import { DataSchema } from '../../src/config/schema.js';
import { columnPrepProblem, defaultEmbeddingDim, inputLayout, unseenNote } from '../../src/data/columns.js';
import { fromTable, selectRows } from '../../src/data/dataset.js';
import { parseCsv } from '../../src/data/csv.js';
import { loadData, loadTestSet } from '../../src/data/load.js';
import { applyPreprocessing, isPreprocessing, type TablePreprocessing } from '../../src/data/standardize.js';
import { ConfigError, DataError } from '../../src/errors.js';
import { tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const table = (text: string) => parseCsv(text, 'in.csv');
const csvConfig = (path: string, extra: Record<string, unknown> = {}) =>
  DataSchema.parse({ source: 'csv', path, label: 'y', split: { validation: 0, shuffle: false }, ...extra }) as Extract<
    ReturnType<typeof DataSchema.parse>,
    { source: 'csv' }
  >;

function thrown<T extends Error>(fn: () => unknown, type: new (...a: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error('expected an error');
}

describe('reading columns', () => {
  it('a column of words is categorical: codes in order of appearance, its names kept', () => {
    const ds = fromTable(table('c,n,y\nred,1,a\nblue,2,b\nred,3,a\n'), { label: 'y', task: 'classification' }, 'in.csv');
    expect(ds.categories).toEqual([['red', 'blue'], null]);
    expect(Array.from(ds.x)).toEqual([0, 1, 1, 2, 0, 3]);
    expect(Array.from(ds.origin!.rows)).toEqual([2, 3, 4]);
  });

  it('a column of numbers stays numeric, and a stray word in it is an error at its cell naming both ways out', () => {
    const e = thrown(() => fromTable(table('n,y\n1,a\n2,b\noops,a\n'), { label: 'y', task: 'classification' }, 'in.csv'), DataError);
    expect(e.place).toEqual({ file: 'in.csv', row: 4, column: 'n' });
    expect(e.message).toBe("not a number: 'oops'");
    expect(e.hint).toMatch(/list it in data\.missing_values; .* set data\.columns\.n\.type: categorical/);
  });

  it('type: categorical makes codes written as numbers categories; type: numeric refuses words', () => {
    const spec = { label: 'y', task: 'classification' as const, columns: { zip: { type: 'categorical' as const } } };
    const ds = fromTable(table('zip,y\n10,a\n9,b\n10,a\n'), spec, 'in.csv');
    expect(ds.categories).toEqual([['10', '9']]);
    const e = thrown(() => fromTable(table('w,y\nx,a\n'), { ...spec, columns: { w: { type: 'numeric' as const } } }, 'in.csv'), DataError);
    expect(e.place.row).toBe(2);
  });

  it.each(['', 'NA', 'NaN', '?', ' NA '])('a missing cell %j is an error at file, row and column by default', (cell) => {
    const e = thrown(() => fromTable(table(`n,y\n1,a\n"${cell}",b\n`), { label: 'y', task: 'classification' }, 'in.csv'), DataError);
    expect(e.place).toEqual({ file: 'in.csv', row: 3, column: 'n' });
    expect(e.hint).toMatch(/^choose what a missing cell becomes: data\.columns\.n\.missing \(or data\.missing for every column\)/);
  });

  it('data.missing_values replaces the default list', () => {
    const spec = { label: 'y', task: 'classification' as const, missing_values: ['-'], missing: 'mean' as const };
    const ds = fromTable(table('n,y\n1,a\n-,b\n'), spec, 'in.csv');
    expect(Number.isNaN(ds.x[1])).toBe(true);
    expect(() => fromTable(table('n,y\n1,a\nNA,b\n'), spec, 'in.csv')).toThrow("not a number: 'NA'");
  });

  it('drop leaves out a row missing that cell; a missing label is an error unless the label column says drop', () => {
    const drop = fromTable(
      table('n,m,y\n1,5,a\nNA,6,b\n3,?,a\n'),
      { label: 'y', task: 'classification', columns: { n: { missing: 'drop' } }, missing: 'mean' },
      'in.csv',
    );
    expect(drop.n).toBe(2);
    expect(Array.from(drop.origin!.rows)).toEqual([2, 4]);
    const e = thrown(() => fromTable(table('n,y\n1,a\n2,NA\n'), { label: 'y', task: 'classification' }, 'in.csv'), DataError);
    expect(e.message).toBe("missing label 'NA'");
    expect(e.place).toEqual({ file: 'in.csv', row: 3, column: 'y' });
    const kept = fromTable(table('n,y\n1,a\n2,NA\n3,b\n'), { label: 'y', task: 'classification', columns: { y: { missing: 'drop' } } }, 'in.csv');
    expect(kept.n).toBe(2);
    expect(kept.classes).toEqual(['a', 'b']);
  });
});

describe('fitting on the training split only', () => {
  // Unshuffled and unstratified, the validation rows are the last of the file.
  const csv = 'c,n,y\nred,1,a\nred,NA,a\nblue,3,b\ngreen,100,b\nNA,200,a\ngreen,NA,b\n';

  function fitted(extra: Record<string, unknown>) {
    const path = tmp.write(`fit-${Math.random().toString(36).slice(2)}.csv`, csv);
    const cfg = csvConfig(path, { split: { validation: 0.5, shuffle: false, stratify: false }, ...extra });
    return loadData(cfg, 1);
  }

  it('vocabulary and fill values come from the training rows', () => {
    expect(() => fitted({ missing: 'mean', columns: { c: { unknown: 'error' } } })).toThrow("unknown category 'green'");
    const d = fitted({ missing: 'mean' });
    const prep = d.preprocessing as TablePreprocessing;
    expect(prep.columns).toBeDefined();
    const [c, n] = prep.columns!;
    expect(c.kind).toBe('categorical');
    expect(n.kind).toBe('numeric');
    expect(prep.missingValues).toEqual(['', 'NA', 'NaN', '?']);
    // The training rows are red, red, blue: green (validation only) is not a category, and
    // data.missing: mean is the most frequent category (red) for a categorical column.
    expect(c).toEqual({ kind: 'categorical', values: ['blue', 'red'], encoding: 'one_hot', unknown: 'bucket', missing: { fill: 'red' } });
    expect(n).toEqual({ kind: 'numeric', missing: { fill: 2 } });
    expect(d.train.features).toEqual(['c=blue', 'c=red', 'c=__unknown__', 'n']);
  });

  it('the numeric fill is the mean, median or most frequent value of the training split, not of the file', () => {
    // Training rows are the first three of the file (unshuffled split, validation last).
    const path = tmp.write('fill.csv', 'n,y\n1,a\n1,a\n4,b\nNA,b\n1000,a\n1000,b\n');
    for (const [rule, fill] of [
      ['mean', 2],
      ['median', 1],
      ['most_frequent', 1],
      [{ constant: -7 }, -7],
    ] as const) {
      const cfg = csvConfig(path, { split: { validation: 0.5, shuffle: false, stratify: false }, missing: rule, standardize: false });
      const d = loadData(cfg, 1);
      const prep = d.preprocessing as TablePreprocessing;
      expect(prep.columns![0]).toEqual({ kind: 'numeric', missing: { fill } });
      // The validation row with NA is filled with the training split's value.
      expect(Array.from(d.val.x)).toContain(fill);
    }
  });

  it('a category seen only in validation rows goes to the bucket (counted), or with unknown: error is an error at its file row', () => {
    const path = tmp.write('unseen.csv', 'c,y\na,x\na,y\nb,x\nb,y\nz,x\n');
    const cfg = csvConfig(path, { split: { validation: 0.2, shuffle: false, stratify: false }, columns: { c: { unknown: 'error' } } });
    const e = thrown(() => loadData(cfg, 1), DataError);
    expect(e.message).toBe("unknown category 'z': the training split did not have it");
    expect(e.place).toEqual({ file: path, row: 6, column: 'c' });
    expect(e.hint).toMatch(/data\.columns\.c\.unknown: bucket/);
    const d = loadData(csvConfig(path, { split: { validation: 0.2, shuffle: false, stratify: false } }), 1);
    expect(d.train.features).toEqual(['c=a', 'c=b', 'c=__unknown__']);
    expect(Array.from(d.val.x)).toEqual([0, 0, 1]);
    expect(d.val.unseen).toEqual([{ column: 'c', rows: 1, first: { category: 'z', file: path, row: 6 } }]);
    expect(d.train.unseen).toBeUndefined();
    expect(unseenNote(d.val.unseen)).toBe(
      "1 value of categories the training split did not have went to __unknown__ (c: 1 row, first 'z' at row 6); data.columns.<name>.unknown: error makes them errors",
    );
  });

  it('a constant fill of a categorical column becomes a category of its own', () => {
    const path = tmp.write('const.csv', 'c,y\na,x\n?,y\nb,x\n');
    const d = loadData(csvConfig(path, { columns: { c: { missing: { constant: 'none' } } } }), 1);
    expect(d.train.features).toEqual(['c=a', 'c=b', 'c=none', 'c=__unknown__']);
    expect(Array.from(d.train.x)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
  });

  it('mean or median written for a categorical column is a config error at its key', () => {
    const path = tmp.write('catmean.csv', 'c,y\na,x\n?,y\n');
    const e = thrown(() => loadData(csvConfig(path, { columns: { c: { missing: 'median' } } }), 1), ConfigError);
    expect(e.issues[0].place.path).toBe('data.columns.c.missing');
    expect(e.issues[0].message).toBe("is median, but column 'c' is categorical");
  });

  it('data.columns must name a feature column; the label takes only missing: error or drop', () => {
    const path = tmp.write('keys.csv', 'colour,n,y\na,1,x\n');
    const e = thrown(
      () => loadData(csvConfig(path, { columns: { color: { encoding: 'embedding' }, y: { type: 'categorical' }, n: { dim: 3 } } }), 1),
      ConfigError,
    );
    expect(e.issues.map((i) => [i.place.path, i.message, i.hint])).toEqual([
      ['data.columns.color', "the data file has no column 'color'", "did you mean 'colour'?"],
      ['data.columns.y.type', "'y' is the label column: it takes only missing (error or drop)", undefined],
      ['data.columns.n.dim', 'dim is the size of an embedding', 'add encoding: embedding, or remove dim'],
    ]);
  });

  it('an all-numeric table without rules saves what it saved before these rules existed', () => {
    const path = tmp.write('plain.csv', 'a,b,y\n1,2,x\n3,4,y\n');
    const prep = loadData(csvConfig(path), 1).preprocessing;
    expect(Object.keys(prep).sort()).toEqual(['classes', 'features', 'kind', 'mean', 'std', 'task']);
  });

  it('too many categories for one-hot inputs is an error that names the way out', () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `id${i},${i % 2}`).join('\n');
    const path = tmp.write('ids.csv', `name,y\n${rows}\n`);
    const e = thrown(() => loadData(csvConfig(path), 1), DataError);
    expect(e.message).toMatch(/^categorical column with 1200 categories in the training split: too many for one-hot inputs/);
    expect(e.hint).toMatch(/encoding: embedding/);
    const d = loadData(csvConfig(path, { columns: { name: { encoding: 'embedding' } } }), 1);
    expect(d.train.features).toEqual(['name#index']);
  });
});

describe('encoding', () => {
  const prep: TablePreprocessing = {
    kind: 'table',
    features: ['n', 'c', 'e'],
    mean: [2, 0, 0],
    std: [4, 1, 1],
    task: 'classification',
    classes: ['x', 'y'],
    columns: [
      { kind: 'numeric', missing: { fill: 10 } },
      { kind: 'categorical', values: ['a', 'b'], encoding: 'one_hot', unknown: 'bucket' },
      { kind: 'categorical', values: ['p', 'q', 'r'], encoding: 'embedding', dim: 2, unknown: 'error', missing: { fill: 'q' } },
    ],
    missingValues: ['NA'],
  };

  it('numeric and one-hot inputs in feature order, then one index per embedded column', () => {
    expect(inputLayout(prep.features, prep.columns)).toEqual({
      dense: 4,
      embedded: [{ column: 'e', vocab: 3, dim: 2 }],
      names: ['n', 'c=a', 'c=b', 'c=__unknown__', 'e#index'],
    });
    const read = fromTable(
      table('n,c,e,y\n6,b,r,x\nNA,zz,NA,y\n'),
      { label: 'y', task: 'classification' },
      'new.csv',
      prep.classes,
      // As a saved run reads: its kinds and rules.
      {
        missingValues: new Set(['NA']),
        rule: (c) =>
          c === 'n' ? { type: 'numeric', missing: 'keep' } : c === 'c' ? { type: 'categorical', missing: 'error' } : { type: 'categorical', missing: 'keep' },
        label: 'error',
        fromConfig: false,
      },
    );
    const out = applyPreprocessing(read, prep);
    expect(out.features).toEqual(['n', 'c=a', 'c=b', 'c=__unknown__', 'e#index']);
    expect(Array.from(out.x)).toEqual([1, 0, 1, 0, 2, 2, 0, 0, 1, 1]);
  });

  it('an unknown category of a column without a bucket is an error at its file row', () => {
    const read = fromTable(table('n,c,e,y\n1,a,s,x\n'), { label: 'y', task: 'classification' }, 'new.csv', prep.classes, {
      missingValues: new Set(['NA']),
      rule: (c) => ({ type: c === 'n' ? 'numeric' : 'categorical', missing: 'keep' }),
      label: 'error',
      fromConfig: false,
    });
    const e = thrown(() => applyPreprocessing(selectRows(read, [0]), prep), DataError);
    expect(e.place).toEqual({ file: 'new.csv', row: 2, column: 'e' });
    expect(e.message).toBe("unknown category 's': the training split did not have it");
  });

  it('the default embedding width grows slowly with the categories', () => {
    expect([2, 3, 10, 100, 1000, 100000].map(defaultEmbeddingDim)).toEqual([2, 3, 6, 21, 50, 50]);
  });
});

describe('saved column rules', () => {
  const base = { kind: 'table', features: ['c'], mean: [0], std: [1], task: 'classification', missingValues: ['NA'] };
  it.each([
    [{ kind: 'categorical', values: ['a'], encoding: 'one_hot', unknown: 'error' }, true],
    [{ kind: 'categorical', values: ['a'], encoding: 'embedding', dim: 4, unknown: 'bucket', missing: { fill: 'a' } }, true],
    [{ kind: 'numeric', missing: { fill: 1.5 } }, true],
    [{ kind: 'numeric', missing: 'drop' }, true],
    [{ kind: 'categorical', values: ['a', 'a'], encoding: 'one_hot', unknown: 'error' }, false],
    [{ kind: 'categorical', values: ['a'], encoding: 'embedding', unknown: 'error' }, false],
    [{ kind: 'categorical', values: ['a'], encoding: 'one_hot', unknown: 'error', dim: 2 }, false],
    [{ kind: 'categorical', values: ['a'], encoding: 'one_hot', unknown: 'error', missing: { fill: 'b' } }, false],
    [{ kind: 'categorical', values: [], encoding: 'one_hot', unknown: 'error' }, false],
    [{ kind: 'numeric', missing: { fill: 'x' } }, false],
    [{ kind: 'numeric', missing: { fill: Infinity } }, false],
    [{ kind: 'numeric', extra: 1 }, false],
    [{ kind: 'text' }, false],
  ])('%j is %s', (col, ok) => {
    expect(columnPrepProblem(col) === undefined).toBe(ok);
    expect(isPreprocessing({ ...base, columns: [col] })).toBe(ok);
  });

  it('columns and missingValues come together, one column per feature', () => {
    const col = { kind: 'numeric' };
    expect(isPreprocessing({ ...base, columns: [col, col] })).toBe(false);
    const { missingValues: _m, ...without } = base;
    expect(isPreprocessing({ ...without, columns: [col] })).toBe(false);
  });
});

describe('a test file is read with the kinds the run was trained with', () => {
  it('a categorical column whose test cells all look like numbers stays categorical', () => {
    const train = tmp.write('kinds-train.csv', 'c,y\nx,a\n7,b\nx,a\nw,b\n');
    const test = tmp.write('kinds-test.csv', 'c,y\n7,a\n7,b\n');
    const cfg = csvConfig(train, { test });
    const d = loadData(cfg, 1);
    const t = loadTestSet(cfg, d.preprocessing)!;
    expect(t.features).toEqual(['c=7', 'c=w', 'c=x', 'c=__unknown__']);
    expect(Array.from(t.x)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });
});
