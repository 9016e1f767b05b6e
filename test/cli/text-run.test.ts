// A run on text end to end with layers that exist without the recurrent ones (embedding, flatten,
// dense): dlf train on the shipped names, dlf eval on its validation and test splits (the test
// file read with the run's vocabulary), dlf predict on a CSV of new names, and the refusals of
// predict for inputs it cannot read; bucketed training resumed bit for bit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const names = readFileSync(repo('datasets/names.csv'), 'utf8').trim().split('\n');
let run: string;
let config: string;

beforeAll(async () => {
  // A test file of every 50th name, with an extra column; the run trains on all of them.
  const test = tmp.write(
    'test.csv',
    `id,text,label\n${names
      .filter((_, i) => i > 0 && i % 50 === 0)
      .map((l, i) => `${i},${l}`)
      .join('\n')}\n`,
  );
  config = tmp.write(
    'names-flat.yaml',
    [
      'name: names-flat',
      'seed: 2',
      'data:',
      '  source: text',
      `  path: ${repo('datasets/names.csv')}`,
      `  test: ${test}`,
      '  lowercase: true',
      '  length: 15',
      '  split: {validation: 0.2}',
      'model:',
      '  layers:',
      '    - {type: embedding, dim: 8}',
      '    - {type: flatten}',
      '    - {type: dense, units: 32, activation: relu}',
      '    - {type: dense, units: classes}',
      'train:',
      '  epochs: 4',
      '  batch_size: 64',
      '  optimizer: {type: adam, lr: 0.01}',
      '',
    ].join('\n'),
  );
  run = join(tmp.dir, 'run');
  const r = await dlf('train', config, '--out', run, '--quiet');
  expect(r.code, r.stderr).toBe(0);
});

describe('a text classification run', () => {
  it('saves the vocabulary and tokeniser settings with the run', () => {
    const prep = JSON.parse(readFileSync(join(run, 'preprocessing.json'), 'utf8'));
    expect(prep).toMatchObject({ kind: 'tokens', tokenizer: 'char', lowercase: true, length: 15, labels: 'class', classes: ['female', 'male'] });
    expect(prep.vocab.slice(0, 4)).toEqual(['<pad>', '<unk>', '<s>', '</s>']);
    expect(prep.vocab).toContain('a');
    expect(prep.vocab).not.toContain('A');
  });

  it('evaluates the validation split as training did, and the test file', async () => {
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    const val = await dlf('eval', run, '--json');
    expect(val.code, val.stderr).toBe(0);
    const v = JSON.parse(val.stdout);
    // The best checkpoint's validation loss, as training measured it: the same split, the same ids.
    expect(metrics.best.metric).toBe('val.loss');
    expect(v.metrics.loss).toBe(metrics.best.value);
    expect(v.metrics.accuracy).toBeGreaterThan(0.7);
    const test = await dlf('eval', run, '--split', 'test', '--json');
    expect(test.code, test.stderr).toBe(0);
    expect(JSON.parse(test.stdout).samples).toBe(Math.floor((names.length - 1) / 50));
  });

  it('predicts the class of new names from the text column, with probabilities', async () => {
    const input = tmp.write('new.csv', 'text,who\nMaria,a\nJOHN,b\nZzyzx,c\n');
    const r = await dlf('predict', run, '--input', input, '--keep', 'who');
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toBe('who,prediction,p_female,p_male');
    expect(rows).toHaveLength(3);
    const [maria, john] = rows.map((l) => l.split(','));
    expect(maria.slice(0, 2)).toEqual(['a', 'female']);
    expect(john.slice(0, 2)).toEqual(['b', 'male']);
    for (const row of rows.map((l) => l.split(','))) expect(Number(row[2]) + Number(row[3])).toBeCloseTo(1, 5);
  });

  it('names the missing text column and an empty text cell', async () => {
    const noText = await dlf('predict', run, '--input', tmp.write('bad.csv', 'name\nMaria\n'));
    expect(noText.code).toBe(2);
    expect(noText.stderr).toMatch(/text column not found/);
    expect(noText.stderr).toMatch(/did you mean|the columns are 'name'/);
    const empty = await dlf('predict', run, '--input', tmp.write('empty.csv', 'text\nMaria\n""\n'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty\.csv.*row 3.*empty text|empty text.*row 3/s);
  });
});

describe('bucketed training (data.bucket)', () => {
  it('trains, and 3 epochs equal 1 epoch, a stop and 2 more resumed, bit for bit', async () => {
    const whole = join(tmp.dir, 'bucket-whole');
    const split = join(tmp.dir, 'bucket-split');
    const flags = ['--set', 'data.bucket=true', '--epochs', '3', '--quiet'];
    expect((await dlf('train', config, '--out', whole, ...flags)).code).toBe(0);
    expect((await dlf('train', config, '--out', split, ...flags, '--stop-after', '1')).code).toBe(0);
    const r = await dlf('train', '--resume', split, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const a = readFileSync(join(whole, 'checkpoints', 'last.json'));
    expect(a.equals(readFileSync(join(split, 'checkpoints', 'last.json')))).toBe(true);
    // Not the unbucketed run: the batches differ.
    const plain = join(tmp.dir, 'bucket-plain');
    expect((await dlf('train', config, '--out', plain, '--epochs', '3', '--quiet')).code).toBe(0);
    expect(a.equals(readFileSync(join(plain, 'checkpoints', 'last.json')))).toBe(false);
    const metrics = JSON.parse(readFileSync(join(whole, 'metrics.json'), 'utf8'));
    expect(metrics.final.val.accuracy).toBeGreaterThan(0.7);
  });
});
