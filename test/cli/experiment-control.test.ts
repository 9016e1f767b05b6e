// Control for experiments: --epochs 0 writes the initialised model as checkpoints/last.json, from
// which a resume trains to the same bytes as a run that never stopped; train.shuffle: false keeps
// the training split's order (the shuffle stream is never drawn from); --step-events adds a step event every n
// optimizer steps to --json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, streamSeed } from '../../src/tensor/rng.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const iris = repo('configs', 'iris.yaml');
const ckpt = (dir: string, f = 'last.json') => JSON.parse(readFileSync(join(dir, 'checkpoints', f), 'utf8'));

describe('experiment control', () => {
  it('--epochs 0 writes the initial weights; resuming from them equals training from scratch', async () => {
    const zero = join(tmp.dir, 'zero');
    const r = await dlf('train', iris, '--out', zero, '--epochs', '0');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/nothing trained \(0 epochs\): the initialised model is checkpoints\/last\.json \(epoch 0\)/);
    expect(ckpt(zero).epoch).toBe(0);
    // --init from it starts from exactly those weights: a warm start of 3 epochs trains to the same parameters.
    const warm = join(tmp.dir, 'warm');
    expect((await dlf('train', iris, '--out', warm, '--epochs', '3', '--quiet', '--init', join(zero, 'checkpoints', 'last.json'))).code).toBe(0);
    const warmParams = ckpt(warm).params;
    expect((await dlf('train', '--resume', zero, '--epochs', '3', '--quiet')).code).toBe(0);
    const whole = join(tmp.dir, 'whole');
    expect((await dlf('train', iris, '--out', whole, '--epochs', '3', '--quiet')).code).toBe(0);
    for (const f of ['last.json', 'best.json'])
      expect(readFileSync(join(zero, 'checkpoints', f)).equals(readFileSync(join(whole, 'checkpoints', f)))).toBe(true);
    expect(warmParams).toEqual(ckpt(whole).params);
  });

  it('train.shuffle: false never draws from the shuffle stream and changes the result', async () => {
    const fixed = join(tmp.dir, 'fixed');
    expect((await dlf('train', iris, '--out', fixed, '--epochs', '2', '--quiet', '--set', 'train.shuffle=false')).code).toBe(0);
    const seed = JSON.parse(readFileSync(join(fixed, 'config.json'), 'utf8')).seed;
    expect(ckpt(fixed).rng.shuffle).toEqual(Array.from(new Rng(streamSeed(seed, 'shuffle')).state()));
    const shuffled = join(tmp.dir, 'shuffled');
    expect((await dlf('train', iris, '--out', shuffled, '--epochs', '2', '--quiet')).code).toBe(0);
    expect(ckpt(shuffled).rng.shuffle).not.toEqual(ckpt(fixed).rng.shuffle);
    expect(ckpt(shuffled).params).not.toEqual(ckpt(fixed).params);
  });

  it('--step-events n adds a step event every n steps to --json', async () => {
    const r = await dlf('train', iris, '--out', join(tmp.dir, 'steps'), '--epochs', '2', '--json', '--quiet', '--step-events', '3');
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual([3, 6, 9, 12, 15]);
    for (const e of steps) {
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(e.lr).toBe(0.01);
    }
    expect((await dlf('train', iris, '--step-events', '0')).code).toBe(2);
    const noJson = await dlf('train', iris, '--step-events', '3', '--out', join(tmp.dir, 'no-json'));
    expect(noJson.code).toBe(2);
    expect(noJson.stderr).toMatch(/^error: --step-events adds events to the --json output; add --json/);
  });
});
