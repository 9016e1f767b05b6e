// dlf sweep end to end on the bundled iris data: a grid in parallel, trials.jsonl and the ranked
// table, reruns that rerun no finished trial (after deletion and after Ctrl-C), emitted commands
// that run as written, and located one-line errors for bad sweep files.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDlf, waitFor } from '../cli/child.js';
import { dlf, repo, tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const sweepFile = (name: string, body: string) => tmp.write(name, `config: ${repo('configs', 'iris.yaml')}\n${body}`);

const grid = sweepFile(
  'grid.yaml',
  `search: grid
parameters:
  train.optimizer.lr: [0.001, 0.03]
  model.layers.0.units: [4, 16]
  train.epochs: [3]
metric: val.accuracy
mode: max
`,
);

const lines = (f: string) =>
  readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const mtime = (f: string) => statSync(f).mtimeMs;

describe('dlf sweep', () => {
  const out = join(tmp.dir, 'grid');

  it('runs a grid of 4 trials 2 at a time, writes trials.jsonl and prints them ranked', async () => {
    const r = await dlf('sweep', grid, '--out', out, '--jobs', '2');
    expect(r.code).toBe(0);
    const records = lines(join(out, 'trials.jsonl'));
    expect(records.map((x) => x.trial)).toEqual([1, 2, 3, 4]);
    expect(records[2]).toMatchObject({
      status: 'ok',
      dir: 'trial-003',
      set: { 'train.optimizer.lr': 0.03, 'model.layers.0.units': 4, 'train.epochs': 3 },
      epochs: 3,
    });
    expect(typeof records[0].seconds).toBe('number');
    expect(typeof records[0].metrics.val.accuracy).toBe('number');
    const rows = r.stdout.trim().split('\n').slice(2);
    expect(rows).toHaveLength(4);
    const accs = rows.map((row) => Number(row.split(/\s+/)[2]));
    expect(accs).toEqual([...accs].sort((a, b) => b - a));
    for (let t = 1; t <= 4; t++) expect(existsSync(join(out, `trial-00${t}`, 'checkpoints', 'last.json'))).toBe(true);
    const json = await dlf('sweep', grid, '--out', out, '--json', '--quiet');
    expect(JSON.parse(json.stdout)).toMatchObject({ metric: 'val.accuracy', mode: 'max', trials: expect.any(Array) });
  });

  it('a rerun reruns no finished trial and redoes a deleted one', async () => {
    const before = [1, 2, 4].map((t) => mtime(join(out, `trial-00${t}`, 'metrics.json')));
    rmSync(join(out, 'trial-003'), { recursive: true });
    writeFileSync(
      join(out, 'trials.jsonl'),
      readFileSync(join(out, 'trials.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('{"trial":3,'))
        .join('\n'),
    );
    const r = await dlf('sweep', grid, '--out', out, '--jobs', '2');
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^trial-003 .*\(trained/)]);
    expect([1, 2, 4].map((t) => mtime(join(out, `trial-00${t}`, 'metrics.json')))).toEqual(before);
    expect(lines(join(out, 'trials.jsonl')).map((x) => x.trial)).toEqual([1, 2, 3, 4]);
  });

  it('refuses another sweep in the same directory', async () => {
    const other = sweepFile('other.yaml', 'parameters:\n  train.epochs: [1, 2]\nmetric: val.loss\n');
    const r = await dlf('sweep', other, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds another sweep/);
  });

  it('stops on Ctrl-C with exit code 130, and a rerun finishes it', async () => {
    // One epoch of 400,000 batches of one (about 3 s here): the signal is sent once both trials
    // have started (their config.json is written before training), and neither can have finished
    // by then, even on a loaded machine. (An iris trial of 24,000 steps took 0.2 s and could.)
    const slow = tmp.write(
      'slow.yaml',
      'name: slow\ndata: {source: moons, samples: 500000}\nmodel: {layers: [{type: dense, units: 16, activation: relu}, {type: dense, units: 2}]}\ntrain: {epochs: 1, batch_size: 1, optimizer: {type: adam, lr: 0.01}}\n',
    );
    const long = tmp.write('long.yaml', `config: ${slow}\nparameters:\n  train.optimizer.lr: [0.01, 0.02]\nmetric: val.loss\n`);
    const dir = join(tmp.dir, 'long');
    const run = spawnDlf(['sweep', long, '--out', dir, '--jobs', '2']);
    await waitFor(() => existsSync(join(dir, 'trial-001', 'config.json')) && existsSync(join(dir, 'trial-002', 'config.json')), 30_000, 'the trials to start');
    run.child.kill('SIGINT');
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(/continue with: dlf sweep/);
    expect(existsSync(join(dir, 'trials.jsonl'))).toBe(false);
    const r = await dlf('sweep', long, '--out', dir, '--jobs', '2');
    expect(r.code).toBe(0);
    expect(lines(join(dir, 'trials.jsonl')).map((x) => x.status)).toEqual(['ok', 'ok']);
  });

  it('--emit-jobs writes commands that run as written, and the sweep collects their runs', async () => {
    const dir = join(tmp.dir, 'emitted');
    const jobs = join(tmp.dir, 'jobs.txt');
    const r = await dlf('sweep', grid, '--out', dir, '--emit-jobs', jobs);
    expect(r.code).toBe(0);
    const commands = readFileSync(jobs, 'utf8').trim().split('\n');
    expect(commands).toHaveLength(4);
    expect(commands[0]).toContain(' train ');
    execSync(commands[0], { shell: '/bin/sh', stdio: 'ignore', env: { ...process.env, CI: '1' } });
    expect(existsSync(join(dir, 'trial-001', 'metrics.json'))).toBe(true);
    const collect = await dlf('sweep', grid, '--out', dir, '--jobs', '2');
    expect(collect.code).toBe(0);
    expect(collect.stderr).toMatch(/^trial-001 .*\(collected/m);
    expect(lines(join(dir, 'trials.jsonl'))).toHaveLength(4);
  });

  it('records a failed trial with its exit code and error, goes on and exits non-zero', async () => {
    const nan = sweepFile('nan.yaml', 'parameters:\n  train.optimizer.lr: [0.01, 1.0e+30]\n  train.epochs: [2]\nmetric: val.loss\n');
    const dir = join(tmp.dir, 'nan');
    const r = await dlf('sweep', nan, '--out', dir, '--jobs', '1');
    expect(r.code).toBe(1);
    const records = lines(join(dir, 'trials.jsonl'));
    expect(records[0].status).toBe('ok');
    expect(records[1]).toMatchObject({ status: 'failed', exit_code: 1, error: expect.stringMatching(/loss became|non-finite/) });
    expect(r.stderr).toMatch(/1 of 2 trials failed/);
  });

  it.each([
    ['unknown key', 'parameters:\n  train.epochs: [1]\nmetric: val.loss\nmod: min\n', /^error: .*bad-1\.yaml:5:1: mod: unknown key; did you mean 'mode'\?$/],
    [
      'range in a grid',
      'parameters:\n  train.optimizer.lr: {min: 0.001, max: 0.1, log: true}\nmetric: val.loss\n',
      /^error: .*bad-2\.yaml:3:23: parameters\.train\.optimizer\.lr: a grid takes a list/,
    ],
    [
      'bad value',
      'parameters:\n  model.layers.0.units: [4, 0]\nmetric: val.loss\n',
      /^error: .*bad-3\.yaml:3:25: parameters\.model\.layers\.0\.units: trial 2 \(model\.layers\.0\.units=0\): model\.layers\.0\.units: must be > 0$/,
    ],
    [
      'random without trials',
      'search: random\nparameters:\n  train.epochs: [1]\nmetric: val.loss\n',
      /^error: .*bad-4\.yaml:2:9: search: a random search needs trials: N$/,
    ],
  ])('a bad sweep file (%s) is one located line and exit code 2', async (_what, body, message) => {
    const n = ['unknown key', 'range in a grid', 'bad value', 'random without trials'].indexOf(_what) + 1;
    const f = sweepFile(`bad-${n}.yaml`, body);
    const r = await dlf('sweep', f, '--out', join(tmp.dir, `bad-${n}`));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(existsSync(join(tmp.dir, `bad-${n}`))).toBe(false);
  });
});
