import { dirname, isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { VALID, writeConfig } from './tmp.js';

describe('loadConfig on a valid file', () => {
  const file = writeConfig(VALID);
  const r = loadConfig(file);

  it('fills defaults', () => {
    expect(r.config.name).toBe('digits-mlp');
    expect(r.config.train).toEqual({
      epochs: 20,
      batch_size: 32,
      optimizer: { type: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      schedule: { type: 'constant', warmup_steps: 0 },
      regularization: { l1: 0, l2: 0, exclude: ['*/b', '*/beta', '*/gamma'] },
      clip: {},
      best: { metric: 'val.loss' },
      checkpoint: 'both',
      evaluate_test: false,
    });
    expect(r.config.train).not.toHaveProperty('early_stopping');
    expect(r.config.train).not.toHaveProperty('metrics');
    expect(r.config.model.layers?.[1]).toEqual({
      type: 'dense',
      units: 10,
      activation: 'linear',
      use_bias: true,
      bias_init: 'zeros',
    });
    expect(r.config.data).toMatchObject({ task: 'classification', standardize: true, split: { validation: 0.2, shuffle: true } });
  });

  it('resolves the file, its directory and data.path; raw keeps what the user wrote', () => {
    expect(isAbsolute(r.file)).toBe(true);
    expect(r.dir).toBe(dirname(r.file));
    expect(r.config.data.source === 'csv' && r.config.data.path).toBe(join(r.dir, '../datasets/digits.csv'));
    expect((r.raw as { data: { path: string } }).data.path).toBe('../datasets/digits.csv');
    expect(r.raw).not.toHaveProperty('train.checkpoint');
  });

  it('locates nested keys in the YAML', () => {
    expect(r.locate(['train', 'optimizer', 'lr'])).toEqual({ line: 14, col: 31 });
    expect(r.locate(['model', 'layers', 1])).toEqual({ line: 10, col: 7 });
    expect(r.locate(['data'])).toEqual({ line: 3, col: 1 });
    expect(r.locate(['data', 'label'])).toEqual({ line: 6, col: 10 });
    expect(r.locate(['train', 'checkpoint'])).toBeUndefined();
  });

  it('hashes the config stably, whatever the key order', () => {
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig(file).hash).toBe(r.hash);
    const reordered = writeConfig(VALID.replace('name: digits-mlp\nseed: 1\n', 'seed: 1\nname: digits-mlp\n'));
    const samePath = `data.path=${join(r.dir, '../datasets/digits.csv')}`;
    expect(loadConfig(reordered, { set: [samePath] }).hash).toBe(r.hash);
    expect(loadConfig(reordered, { set: [samePath, 'train.batch_size=16'] }).hash).not.toBe(r.hash);
  });

  it('leaves out of the hash only the keys a resumed run may change', () => {
    const hash = (...set: string[]) => loadConfig(file, { set }).hash;
    // train.epochs, train.checkpoint, train.checkpoint_interval and train.evaluate_test may change
    // on resume: same hash.
    expect(hash('train.epochs=21')).toBe(r.hash);
    expect(hash('train.checkpoint=last')).toBe(r.hash);
    expect(hash('train.checkpoint_interval=0')).toBe(r.hash);
    expect(hash('train.checkpoint_interval=300')).toBe(r.hash);
    expect(hash('train.evaluate_test=true')).toBe(r.hash);
    // Everything else decides what training computes.
    for (const set of ['seed=2', 'train.batch_size=16', 'train.optimizer.lr=0.01', 'train.top_k=3', 'model.layers.0.units=32']) {
      expect(hash(set), set).not.toBe(r.hash);
    }
    // Of early stopping only the patience may change.
    const stopping = hash('train.early_stopping={patience: 5}');
    expect(stopping).not.toBe(r.hash);
    expect(hash('train.early_stopping={patience: 9}')).toBe(stopping);
    expect(hash('train.early_stopping={patience: 5, min_delta: 0.01}')).not.toBe(stopping);
    expect(hash('train.early_stopping={patience: 5, metric: val.accuracy}')).not.toBe(stopping);
  });

  it('accepts a synthetic data source and the graph form', () => {
    const g = writeConfig(`name: g
data: {source: xor}
model:
  graph:
    params: {w: {shape: [2, 1], init: glorot_uniform}}
    nodes:
      - {name: y, op: matmul, inputs: [x, w]}
    output: y
`);
    const c = loadConfig(g).config;
    expect(c.data).toMatchObject({ source: 'xor', samples: 1000 });
    expect(c.model.graph?.nodes[0].attrs).toEqual({});
  });
});
