// Exact resume and warm starts: 4 epochs in one go equal 2 epochs, a stop, and 2 more resumed,
// bit for bit; only the resumable keys may change on resume; --init matches parameters by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeF32 } from '../../src/train/encode.js';
import { dlf, epochLines, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// Dropout, batchnorm, momentum, a schedule, early stopping and clipping: all the state a resume must restore.
const config = `name: resume
seed: 5
data: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species}
model:
  layers:
    - {type: dense, units: 16, activation: relu}
    - {type: batchnorm}
    - {type: dropout, rate: 0.2}
    - {type: dense, units: 3}
train:
  epochs: 4
  batch_size: 16
  optimizer: {type: sgd, lr: 0.05, momentum: 0.9, nesterov: true}
  schedule: {type: cosine, warmup_steps: 5}
  clip: {norm: 5}
  early_stopping: {metric: val.loss, patience: 10}
`;

describe('resume', () => {
  const cfg = tmp.write('resume.yaml', config);

  it('4 epochs equal 2 epochs plus 2 resumed, bit for bit', async () => {
    const whole = join(tmp.dir, 'whole');
    const split = join(tmp.dir, 'split');
    expect((await dlf('train', cfg, '--out', whole, '--quiet')).code).toBe(0);
    expect((await dlf('train', cfg, '--out', split, '--quiet', '--stop-after', '2')).code).toBe(0);
    const r = await dlf('train', '--resume', split, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['last.json', 'best.json']) {
      const a = readFileSync(join(whole, 'checkpoints', f));
      const b = readFileSync(join(split, 'checkpoints', f));
      expect(a.equals(b)).toBe(true);
    }
    expect(epochLines(join(split, 'metrics.jsonl'))).toEqual(epochLines(join(whole, 'metrics.jsonl')));
  });

  it('a run on a sequence task with a label per token resumes bit for bit', async () => {
    // Token ids, labels [batch, L] with padding, the masked per-token loss and token metrics.
    const seq = tmp.write(
      'seq.yaml',
      `name: seq
seed: 3
data: {source: reverse, samples: 300, length: 6}
model:
  layers:
    - {type: embedding, dim: 8}
    - {type: dropout, rate: 0.1}
    - {type: dense, units: classes}
train:
  epochs: 4
  batch_size: 32
  optimizer: {type: adam, lr: 0.02}
`,
    );
    const whole = join(tmp.dir, 'seq-whole');
    const split = join(tmp.dir, 'seq-split');
    expect((await dlf('train', seq, '--out', whole, '--quiet')).code).toBe(0);
    expect((await dlf('train', seq, '--out', split, '--quiet', '--stop-after', '2')).code).toBe(0);
    const r = await dlf('train', '--resume', split, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['last.json', 'best.json'])
      expect(readFileSync(join(whole, 'checkpoints', f)).equals(readFileSync(join(split, 'checkpoints', f)))).toBe(true);
    const lines = epochLines(join(split, 'metrics.jsonl'));
    expect(lines).toEqual(epochLines(join(whole, 'metrics.jsonl')));
    expect(JSON.stringify(lines[3])).toMatch(/"perplexity"/);
  });

  it('a run with recurrent layers (stacked bidirectional LSTM with dropout between layers, GRU) resumes bit for bit', async () => {
    const rec = tmp.write(
      'rec.yaml',
      `name: rec
seed: 4
data: {source: reverse, samples: 200, length: 6}
model:
  layers:
    - {type: embedding, dim: 8}
    - {type: lstm, units: 8, num_layers: 2, bidirectional: true, dropout: 0.2}
    - {type: gru, units: 8}
    - {type: dense, units: classes}
train:
  epochs: 4
  batch_size: 32
  optimizer: {type: adam, lr: 0.02}
`,
    );
    const whole = join(tmp.dir, 'rec-whole');
    const split = join(tmp.dir, 'rec-split');
    expect((await dlf('train', rec, '--out', whole, '--quiet')).code).toBe(0);
    expect((await dlf('train', rec, '--out', split, '--quiet', '--stop-after', '2')).code).toBe(0);
    const r = await dlf('train', '--resume', split, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['last.json', 'best.json'])
      expect(readFileSync(join(whole, 'checkpoints', f)).equals(readFileSync(join(split, 'checkpoints', f)))).toBe(true);
    expect(epochLines(join(split, 'metrics.jsonl'))).toEqual(epochLines(join(whole, 'metrics.jsonl')));
  });

  it('a run trained for fewer epochs can be extended with --epochs (a schedule that does not depend on the run length)', async () => {
    const flat = tmp.write('flat.yaml', config.replace('{type: cosine, warmup_steps: 5}', '{type: step, step_epochs: 1, gamma: 0.5}'));
    const whole = join(tmp.dir, 'flat-whole');
    const short = join(tmp.dir, 'flat-short');
    expect((await dlf('train', flat, '--out', whole, '--quiet')).code).toBe(0);
    expect((await dlf('train', flat, '--out', short, '--quiet', '--epochs', '2')).code).toBe(0);
    expect((await dlf('train', '--resume', short, '--epochs', '4', '--quiet')).code).toBe(0);
    const a = readFileSync(join(whole, 'checkpoints', 'last.json'));
    expect(a.equals(readFileSync(join(short, 'checkpoints', 'last.json')))).toBe(true);
  });

  it('refuses to change any other key, naming it', async () => {
    const split = join(tmp.dir, 'split');
    const r = await dlf('train', '--resume', split, '--set', 'train.optimizer.lr=0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/train\.optimizer\.lr: differs from the run being resumed/);
  });

  it('names the line of each changed key in the config file, the --set that changed one, and both values', async () => {
    const split = join(tmp.dir, 'split');
    // Line 6 of the file changes the first layer's width, line 13 the learning rate, and line 15 (clip) is gone.
    const edited = tmp.write('edited.yaml', config.replace('units: 16', 'units: 12').replace('lr: 0.05', 'lr: 0.07').replace('  clip: {norm: 5}\n', ''));
    const r = await dlf('train', '--resume', split, edited, '--set', 'train.schedule={type: constant}', '--set', 'seed=6');
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^error: --set seed=6: seed: differs from the run being resumed: 6 here, 5 in the run \(a resumed run may change only train\.epochs, /,
      ),
      expect.stringMatching(/^error: .*edited\.yaml:6:28: model\.layers\.0\.units: differs from the run being resumed: 12 here, 16 in the run /),
      expect.stringMatching(/^error: .*edited\.yaml:13:30: train\.optimizer\.lr: differs from the run being resumed: 0\.07 here, 0\.05 in the run /),
      // Maps of another type differ at their type only, not at every key they do not share.
      expect.stringMatching(
        /^error: --set train\.schedule=\{type: constant\}: train\.schedule\.type: differs from the run being resumed: "constant" here, "cosine" in the run /,
      ),
      // A key the file no longer writes is placed at the map above it.
      expect.stringMatching(/^error: .*edited\.yaml:10:1: train\.clip\.norm: differs from the run being resumed: not set here, 5 in the run /),
    ]);
  });

  it('a run without a checkpoint to resume from is an error', async () => {
    const r = await dlf('train', '--resume', join(tmp.dir, 'nowhere'));
    expect(r.code).toBe(2);
  });
});

describe('--init', () => {
  it('starts from the weights of a checkpoint with matching names and shapes', async () => {
    const src = join(tmp.dir, 'whole', 'checkpoints', 'last.json');
    const out = join(tmp.dir, 'warm');
    const cfg = tmp.write('warm.yaml', config.replace('epochs: 4', 'epochs: 1'));
    // A vanishing learning rate: after one epoch the weights are still the loaded ones.
    const r = await dlf('train', cfg, '--out', out, '--quiet', '--init', src, '--set', 'train.optimizer.lr=1e-12');
    expect(r.code).toBe(0);
    const before = JSON.parse(readFileSync(src, 'utf8'));
    const after = JSON.parse(readFileSync(join(out, 'checkpoints', 'last.json'), 'utf8'));
    expect(Object.keys(after.params).sort()).toEqual(Object.keys(before.params).sort());
    const w = (c: any) => decodeF32(c.params['layer0/dense/w'].data)!;
    const [a, b] = [w(before), w(after)];
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    expect(diff).toBeLessThan(1e-6);
    expect(after.state['layer1/batchnorm/running_mean']).toBeDefined();
  });

  it('lists the parameters that do not match', async () => {
    const src = join(tmp.dir, 'whole', 'checkpoints', 'last.json');
    const cfg = tmp.write('other.yaml', config.replace('units: 16', 'units: 12'));
    const r = await dlf('train', cfg, '--out', join(tmp.dir, 'bad-init'), '--init', src);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/layer0\/dense\/w is \[4, 16\] in the checkpoint but \[4, 12\] in the model/);
  });
});
