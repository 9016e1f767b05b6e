import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { VALID, writeConfig } from './tmp.js';

/** The ConfigError loading `text` throws. */
function failure(text: string, set?: string[]): ConfigError {
  const file = writeConfig(text);
  try {
    loadConfig(file, { set });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** The one-line messages of a failure, without the temporary file name. */
const lines = (e: ConfigError) =>
  e
    .format()
    .split('\n')
    .map((l) => l.replace(/^.*config\.yaml:/, ''));

describe('loadConfig errors', () => {
  it('reports a missing file by name', () => {
    const file = writeConfig(VALID).replace('config.yaml', 'nope.yaml');
    expect(() => loadConfig(file)).toThrow(ConfigError);
    try {
      loadConfig(file);
    } catch (e) {
      expect((e as ConfigError).place.file).toBe(file);
      expect((e as ConfigError).message).toBe('config file not found');
      expect((e as ConfigError).code).toBe('CONFIG');
    }
  });

  it('reports every YAML syntax error with line:col', () => {
    const e = failure('name: x\ndata: [1, 2\nmodel: {a\n');
    expect(e.issues.length).toBe(2);
    expect(e.issues[0].place).toMatchObject({ line: 3, col: 1 });
    expect(e.issues[0].message).toMatch(/^invalid YAML: Flow sequence/);
    expect(e.issues[1].place).toMatchObject({ line: 4, col: 1 });
    expect(failure('a: 1\na: 2\n').issues[0]).toMatchObject({ place: { line: 2, col: 1 }, message: 'invalid YAML: Map keys must be unique' });
  });

  it('reports an empty file', () => {
    expect(failure('# nothing\n').message).toBe('the config file is empty');
  });

  it.each([
    ['wrong type', VALID.replace('units: 64', 'units: "64"'), "9:28: model.layers.0.units: expected one of classes, or a number, got string '64'"],
    ['not an integer', VALID.replace('epochs: 20', 'epochs: 2.5'), '12:11: train.epochs: expected an integer, got number 2.5'],
    ['a map where a number belongs', VALID.replace('seed: 1', 'seed: {a: 1}'), '2:7: seed: expected a number, got a map'],
    ['negative learning rate', VALID.replace('lr: 0.001', 'lr: -0.1'), '14:31: train.optimizer.lr: must be > 0'],
    [
      'invalid enum',
      VALID.replace('activation: relu', 'activation: rleu'),
      "9:44: model.layers.0.activation: expected one of relu, leaky_relu, sigmoid, tanh, gelu, softmax, linear, got string 'rleu' (did you mean 'relu'?)",
    ],
    [
      'invalid discriminator',
      VALID.replace('source: csv', 'source: cvs'),
      "4:11: data.source: expected one of csv, idx, linear, xor, moons, spirals, text, copy, reverse, sort, parity, addition, got string 'cvs' (did you mean 'csv'?)",
    ],
    ['unknown key', VALID.replace('seed: 1', 'sed: 1'), "2:1: sed: unknown key; did you mean 'seed'?"],
    ['nested unknown key', VALID.replace('epochs: 20', 'epoch: 20'), "12:3: train.epoch: unknown key; did you mean 'epochs'?"],
    [
      'unknown key of another variant',
      VALID.replace('source: csv', 'source: xor').replace('  label: digit\n', ''),
      "5:3: data.path: unknown key ('path' is only valid with source: csv, text)",
    ],
    ['missing key', VALID.replace('  label: digit\n', ''), '3:1: data.label: required key is missing'],
    [
      'missing discriminator',
      VALID.replace('{type: dense, units: 10}', '{units: 10}'),
      '10:7: model.layers.1.type: required key is missing; expected one of dense, activation, conv2d, maxpool2d, avgpool2d, global_avg_pool2d, flatten, dropout, batchnorm, layernorm, embedding, add, concat, reshape, rnn, lstm, gru, attention, positional_embedding, transformer_block, sequence_pool',
    ],
    [
      'refinement',
      VALID.replace('model:\n', 'model:\n  graph: {nodes: [{name: y, op: relu, inputs: [x]}], output: y}\n'),
      '7:1: model: give exactly one of model.layers or model.graph',
    ],
    ['regex', VALID.replace('name: digits-mlp', 'name: digits mlp'), '1:7: name: must start with a letter, digit or _, then letters, digits, ., _ or -'],
    [
      'no union option',
      VALID.replace('{type: dense, units: 10}', '{type: dense, units: 10, kernel_init: gauss}'),
      "10:45: model.layers.1.kernel_init: expected one of zeros, ones, glorot_uniform, glorot_normal, xavier_uniform, xavier_normal, he_uniform, he_normal, kaiming_uniform, kaiming_normal, or a map with type: constant | normal | uniform, got string 'gauss'",
    ],
    [
      'a union map without its tag',
      VALID.replace('{type: dense, units: 10}', '{type: dense, units: 10, bias_init: {std: 1}}'),
      '10:43: model.layers.1.bias_init: expected one of zeros, ones, glorot_uniform, glorot_normal, xavier_uniform, xavier_normal, he_uniform, he_normal, kaiming_uniform, kaiming_normal, or a map with type: constant | normal | uniform, got a map without type',
    ],
    [
      'inside the matching union option',
      VALID.replace('{type: dense, units: 10}', '{type: dense, units: 10, kernel_init: {type: normal, std: 0}}'),
      '10:65: model.layers.1.kernel_init.std: must be > 0',
    ],
  ])('%s', (_name, text, expected) => {
    expect(lines(failure(text))).toEqual([expected]);
  });

  it('reports a misspelt required key once, as unknown with a did-you-mean (not also as missing)', () => {
    expect(lines(failure(VALID.replace('label: digit', 'lable: digit')))).toEqual(["6:3: data.lable: unknown key; did you mean 'label'?"]);
    expect(lines(failure(VALID.replace('  layers:', '  layrs:')))).toEqual(["8:3: model.layrs: unknown key; did you mean 'layers'?"]);
    // A misspelt discriminator: the variant's "type is missing" goes too.
    expect(lines(failure(VALID.replace('{type: dense, units: 10}', '{tpye: dense, units: 10}')))).toEqual([
      "10:8: model.layers.1.tpye: unknown key; did you mean 'type'?",
    ]);
  });

  it('reports several errors at once, in file order', () => {
    const e = failure(`name: run
seed: -1
data:
  source: csv
  path: d.csv
  label: y
  lable: y
model:
  layers:
    - {type: dense, units: 0}
train:
  optimizer: {type: adam, lr: -0.1}
  epoch: 3
`);
    expect(e.issues.map((i) => `${i.place.line}:${i.place.col} ${i.place.path}`)).toEqual([
      '2:7 seed',
      '7:3 data.lable',
      '10:28 model.layers.0.units',
      '12:31 train.optimizer.lr',
      '13:3 train.epoch',
    ]);
    expect(e.issues[1].hint).toBe(
      'allowed keys: source, path, features, label, task, test, missing_values, missing, columns, split, standardize, standardize_target',
    ); // label is there
    expect(e.issues[4].message).toBe("unknown key; did you mean 'epochs'?");
    expect(e.message).toBe('must be >= 0');
  });
});
