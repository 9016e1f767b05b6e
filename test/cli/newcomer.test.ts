// What a newcomer met on a first try with tabular data: the console line shows every metric the
// config asks for; --json adds NDJSON without hiding the progress lines; validate --json reports a
// failure as JSON; a resume with fewer epochs than trained is refused; dlf graph without a config
// is a usage error; early stopping says which metric stopped it, when, and its best value.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const iris = repo('configs', 'iris.yaml');

describe('a newcomer', () => {
  it('sees every configured metric on the epoch line, and no trailing or doubled blanks', async () => {
    const r = await dlf('train', iris, '--out', join(tmp.dir, 'm'), '--epochs', '2', '--set', 'train.metrics=[accuracy, f1, precision]');
    expect(r.code).toBe(0);
    const epoch = r.stderr.split('\n').find((l) => l.startsWith('epoch 1/2'))!;
    expect(epoch).toMatch(
      /^epoch 1\/2 {2}loss \S+ {2}acc \S+ {2}f1 \S+ {2}precision \S+ {2}val_loss \S+ {2}val_acc \S+ {2}val_f1 \S+ {2}val_precision \S+ {2}\d+\.\d\ds$/,
    );
    for (const l of r.stderr.split('\n')) expect(l).not.toMatch(/ $/);
    const reg = await dlf('train', repo('configs', 'linear.yaml'), '--out', join(tmp.dir, 'r'), '--epochs', '1', '--set', 'train.metrics=[r2, rmse]');
    expect(reg.stderr).toMatch(/^epoch 1\/1 {2}loss \S+ {2}r2 \S+ {2}rmse \S+ {2}val_loss \S+ {2}val_r2 \S+ {2}val_rmse \S+/m);
  });

  it('--json writes NDJSON to stdout and keeps the progress lines on stderr', async () => {
    const r = await dlf('train', iris, '--out', join(tmp.dir, 'j'), '--epochs', '2', '--json');
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['start', 'epoch', 'epoch', 'checkpoint', 'checkpoint', 'end']);
    expect(r.stderr).toMatch(/^epoch 2\/2 /m);
    const q = await dlf('train', iris, '--out', join(tmp.dir, 'jq'), '--epochs', '1', '--json', '--quiet');
    expect(q.stderr).toBe('');
    expect(q.stdout).toContain('"type":"end"');
  });

  it('validate --json prints the failure as JSON, with the exit code', async () => {
    const bad = tmp.write('bad.yaml', 'name: x\nseed: one\n');
    const r = await dlf('validate', bad, '--json');
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(false);
    expect(j.exitCode).toBe(2);
    expect(j.errors.find((e: { path?: string }) => e.path === 'seed')).toMatchObject({ code: 'CONFIG', file: bad, line: 2, col: 7, path: 'seed' });
    expect(r.stderr).toMatch(/^error: .*bad\.yaml:2:7: seed: /m);
  });

  it('--resume with fewer epochs than already trained is refused, and the saved config is kept', async () => {
    const out = join(tmp.dir, 'fewer');
    expect((await dlf('train', iris, '--out', out, '--epochs', '4', '--quiet')).code).toBe(0);
    const r = await dlf('train', '--resume', out, '--epochs', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/train\.epochs: is 2, but the run has already trained 4 epochs \(give --epochs 4 or more/);
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).train.epochs).toBe(4);
  });

  it('dlf graph without a config is a usage error; --ops lists the ops', async () => {
    const r = await dlf('graph');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing the config file/);
    const ops = await dlf('graph', '--ops');
    expect(ops.code).toBe(0);
    expect(ops.stdout).toMatch(/^matmul /m);
  });

  it('early stopping names the metric, the epoch and the best value', async () => {
    const r = await dlf(
      'train',
      iris,
      '--out',
      join(tmp.dir, 'es'),
      '--epochs',
      '200',
      '--set',
      'train.early_stopping={metric: val.loss, patience: 2, min_delta: 0.5}',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^stopped early after epoch \d+: val\.loss has not improved for 2 epochs \(best \S+ at epoch \d+\)$/m);
  });
});

describe('a missing test file', () => {
  it('is reported as itself, with data.test to check', async () => {
    const cfg = tmp.write(
      't.yaml',
      `name: t\nseed: 1\ndata: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species, test: ${join(tmp.dir, 'nope.csv')}}\nmodel: {layers: [{type: dense, units: 3}]}\n`,
    );
    const r = await dlf('validate', cfg);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `error: ${join(tmp.dir, 'nope.csv')}: data file not found (check data.test; a relative path is resolved against the folder of the config file)`,
    );
  });
});
