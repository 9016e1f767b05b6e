import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { valueAt } from '../../src/config/paths.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { VALID, writeConfig } from './tmp.js';

const file = writeConfig(VALID);
const load = (...set: string[]) => loadConfig(file, { set });

function failure(...set: string[]): ConfigError {
  try {
    load(...set);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('--set overrides', () => {
  it.each([
    ['a number', 'train.epochs=5', ['train', 'epochs'], 5],
    ['a boolean', 'data.standardize=false', ['data', 'standardize'], false],
    ['a list item by index', 'model.layers.0.units=32', ['model', 'layers', 0, 'units'], 32],
    ['a map', 'train.optimizer={type: sgd, lr: 0.1}', ['train', 'optimizer'], { type: 'sgd', lr: 0.1, momentum: 0, nesterov: false }],
    ['a new nested key', 'data.split.validation=0.5', ['data', 'split'], { validation: 0.5, shuffle: true }],
    ['a list', 'data.features=[a, b]', ['data', 'features'], ['a', 'b']],
    ['a string', 'name=other', ['name'], 'other'],
    ['an exponent number', 'train.optimizer.lr=1e-4', ['train', 'optimizer', 'lr'], 1e-4],
  ])('sets %s', (_name, arg, path, expected) => {
    expect(valueAt(load(arg).config, path).value).toEqual(expected);
  });

  it('applies overrides in order and shows them in raw', () => {
    const r = load('train.epochs=5', 'train.epochs=7');
    expect(r.config.train.epochs).toBe(7);
    expect(r.raw).toMatchObject({ train: { epochs: 7 } });
  });

  it('creates missing maps', () => {
    const noTrain = writeConfig(VALID.replace(/train:[\s\S]*$/, ''));
    const r = loadConfig(noTrain, { set: ['train.epochs=3'] });
    expect(r.config.train).toMatchObject({ epochs: 3, batch_size: 32 });
    expect(r.locate(['train', 'epochs'])).toBeUndefined();
    expect(loadConfigFailure(VALID.replace(/train:[\s\S]*$/, ''), ['train.optimizer.lr=0.01']).format()).toBe(
      '--set train.optimizer.lr=0.01: train.optimizer.type: required key is missing; expected one of sgd, adagrad, rmsprop, adam, adamw',
    );
  });

  it('reports an invalid value with the --set argument as its place', () => {
    const e = failure('train.epochs=-1');
    expect(e.format()).toBe('--set train.epochs=-1: train.epochs: must be >= 0');
    expect(e.issues[0].place).toEqual({ file: '--set train.epochs=-1', path: 'train.epochs' });
  });

  it('places problems inside a map given by --set at that --set', () => {
    const e = failure('train.epochs=2', 'train.optimizer={type: sgd, lr: 0.1, decay: 0.9}');
    expect(e.format()).toBe(
      '--set train.optimizer={type: sgd, lr: 0.1, decay: 0.9}: train.optimizer.decay: unknown key (allowed keys: type, lr, momentum, nesterov)',
    );
    expect(failure('train.optimizer={type: sgd, lr: 0.1, momentum: 1}').format()).toBe(
      '--set train.optimizer={type: sgd, lr: 0.1, momentum: 1}: train.optimizer.momentum: must be < 1',
    );
    expect(failure('train.optimizer={type: sgd}').format()).toBe('--set train.optimizer={type: sgd}: train.optimizer.lr: required key is missing');
  });

  it('reports file and --set problems together', () => {
    const e = loadConfigFailure(VALID.replace('seed: 1', 'seed: -1'), ['model.layers.1.units=x']);
    expect(
      e
        .format()
        .split('\n')
        .map((l) => l.replace(/^.*config\.yaml/, 'config.yaml')),
    ).toEqual([
      'config.yaml:2:7: seed: must be >= 0',
      "--set model.layers.1.units=x: model.layers.1.units: expected one of classes, or a number, got string 'x'",
    ]);
  });

  it.each([
    ['model.layers.5.units=1', '--set model.layers.5.units=1: model.layers: has 2 items; index 5 is out of range'],
    ['model.layers.first.units=1', "--set model.layers.first.units=1: model.layers: is a list; 'first' is not an index"],
    ['name.first=1', "--set name.first=1: name: is the string 'digits-mlp', not a map or a list; cannot set 'first' in it"],
    ['seed={a', '--set seed={a: invalid value: Flow map must end with a }'],
  ])('reports an impossible override: %s', (arg, expected) => {
    expect(failure(arg).format()).toBe(expected);
  });

  it.each(['train.epochs', '=5', 'train..epochs=5'])('rejects the malformed argument %s as usage', (arg) => {
    expect(() => load(arg)).toThrow(UsageError);
  });
});

function loadConfigFailure(text: string, set: string[]): ConfigError {
  try {
    loadConfig(writeConfig(text), { set });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
