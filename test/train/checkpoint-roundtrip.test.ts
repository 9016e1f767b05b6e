// Save then load gives the checkpoint back bit for bit; saving the same checkpoint twice, or
// saving what was loaded, gives the same bytes; the digest in the file is the one the documented
// canonical form gives (recomputed here by a second implementation, and by the Python snippet of
// docs/checkpoint.md when python3 is installed); every optimizer's slots round-trip.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OptimizerSchema } from '../../src/config/schema.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { slotNamesOf, slotSetsOf } from '../../src/train/checkpoint-optimizer.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { repo, tempDir } from '../cli/helpers.js';
import { referenceDigest } from './checkpoint-digest-ref.js';
import { expectSame, sampleCheckpoint, saved, written } from './checkpoint-fixture.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('round trip', () => {
  it('save then load is bit-exact for parameters, state and slots (-0, denormals, 1e30 included)', () => {
    const c = sampleCheckpoint();
    const w = c.params.get('layer0/dense/w')!.data;
    w[2] = 1e-45; // the smallest denormal
    expectSame(loadCheckpoint(saved(tmp.dir, c)), c);
    expect(Object.is(loadCheckpoint(saved(tmp.dir, c)).params.get('layer0/dense/w')!.data[4], -0)).toBe(true);
  });

  it('the same checkpoint saved twice, or saved after loading, gives the same bytes', () => {
    const a = readFileSync(saved(tmp.dir, sampleCheckpoint(), 'a.json'));
    const b = readFileSync(saved(tmp.dir, sampleCheckpoint(), 'b.json'));
    expect(a.equals(b)).toBe(true);
    const again = readFileSync(saved(tmp.dir, loadCheckpoint(`${tmp.dir}/a.json`), 'c.json'));
    expect(again.equals(a)).toBe(true);
  });

  it('tensors too long to become strings round-trip (the byte-slice path)', () => {
    const c = sampleCheckpoint();
    const big = new Float32Array(100_003).map((_, i) => Math.fround(Math.sin(i) * 1e3));
    c.state.set('big', { shape: [100_003], data: big });
    expectSame(loadCheckpoint(saved(tmp.dir, c)), c);
  });

  it('the digest is the one the documented canonical form gives', () => {
    const text = readFileSync(saved(tmp.dir), 'utf8');
    const doc = JSON.parse(text);
    expect(doc.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(referenceDigest(doc)).toBe(doc.digest);
    // The digest covers values, not layout: the document with other spacing and member order loads.
    const respelt = written(tmp.dir, JSON.stringify(Object.fromEntries(Object.entries(doc).reverse())));
    expectSame(loadCheckpoint(respelt), sampleCheckpoint());
  });

  it('python3 running the snippet in docs/checkpoint.md computes the same digest', () => {
    const probe = spawnSync('python3', ['--version']);
    if (probe.status !== 0) return; // python3 is not installed here
    const docs = readFileSync(repo('docs', 'checkpoint.md'), 'utf8');
    const code = /```python\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(code, 'docs/checkpoint.md has a python block').toBeDefined();
    const path = saved(tmp.dir);
    const r = spawnSync('python3', ['-c', code!, path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`${path}: digest ok`);
  });
});

describe('every optimizer', () => {
  const configs = [
    { type: 'sgd', lr: 0.1 },
    { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
    { type: 'adagrad' },
    { type: 'rmsprop' },
    { type: 'rmsprop', momentum: 0.5 },
    { type: 'adam' },
    { type: 'adamw' },
  ];

  it('keeps slots the loader knows for its type, and its checkpoint round-trips', () => {
    for (const raw of configs) {
      const config = OptimizerSchema.parse(raw);
      expect(slotSetsOf(config.type)).toContainEqual(slotNamesOf(config));
      const c = sampleCheckpoint();
      const sizes = new Map([...c.params].map(([n, t]) => [n, t.data.length]));
      const opt = createOptimizer(config, sizes);
      for (const byName of Object.values(opt.state.slots)) for (const buf of Object.values(byName)) buf.fill(0.125);
      opt.state.step = c.step;
      c.optimizer = { type: config.type, state: opt.state };
      expectSame(loadCheckpoint(saved(tmp.dir, c)), c);
    }
  });
});
