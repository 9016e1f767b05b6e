// Upper bounds in the schema: integer keys that size buffers or loops, and strings that become
// names (of runs, directories, layers, graph nodes), are refused at their line before anything is
// compiled or allocated.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { VALID, writeConfig } from './tmp.js';

/** The one-line messages loading `text` gives, without the temporary file name. */
function problems(text: string): string[] {
  try {
    loadConfig(writeConfig(text));
  } catch (e) {
    if (e instanceof ConfigError)
      return e
        .format()
        .split('\n')
        .map((l) => l.replace(/^.*config\.yaml:/, ''));
    throw e;
  }
  return [];
}

const conv = (layer: string) =>
  VALID.replace('source: csv\n  path: ../datasets/digits.csv\n  label: digit', 'source: idx\n  dir: images').replace(
    '    - {type: dense, units: 64, activation: relu}\n',
    `    - ${layer}\n`,
  );

describe('schema bounds', () => {
  it.each([
    ['epochs: 1e12', VALID.replace('epochs: 20', 'epochs: 1000000000000'), '12:11: train.epochs: must be <= 1000000'],
    ['batch_size: 1e9', VALID.replace('batch_size: 32', 'batch_size: 1000000000'), '13:15: train.batch_size: must be <= 1000000'],
    ['units: 1e9', VALID.replace('units: 64', 'units: 1000000000'), '9:28: model.layers.0.units: must be <= 1000000'],
    ['100,000 conv filters', conv('{type: conv2d, filters: 100000, kernel_size: 3}'), '8:31: model.layers.0.filters: must be <= 65536'],
    ['a kernel of 5000', conv('{type: conv2d, filters: 8, kernel_size: 5000}'), '8:47: model.layers.0.kernel_size: must be <= 1024'],
    ['top_k', VALID.replace('epochs: 20', 'epochs: 20\n  top_k: 100000'), '13:10: train.top_k: must be <= 10000'],
    ['patience', VALID.replace('epochs: 20', 'epochs: 20\n  early_stopping: {patience: 10000000}'), '13:30: train.early_stopping.patience: must be <= 1000000'],
    [
      'generated samples',
      VALID.replace('source: csv\n  path: ../datasets/digits.csv\n  label: digit', 'source: xor\n  samples: 1000000000'),
      '5:12: data.samples: must be <= 10000000',
    ],
    [
      'a parameter axis',
      VALID.replace(
        'model:\n  layers:\n    - {type: dense, units: 64, activation: relu}\n    - {type: dense, units: 10}',
        'model:\n  graph:\n    params: {w: {shape: [64, 3000000000]}}\n    nodes: [{name: y, op: matmul, inputs: [x, w]}]\n    output: y',
      ),
      '9:30: model.graph.params.w.shape.1: must be <= 1000000000',
    ],
  ])('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it('refuses a long name with one short line', () => {
    const lines = problems(VALID.replace('name: digits-mlp', `name: ${'a'.repeat(200_000)}`));
    expect(lines).toEqual(['1:7: name: must have at most 100 characters']);
  });

  it('a 5 MB name is refused by the size cap of config files', () => {
    const lines = problems(VALID.replace('name: digits-mlp', `name: ${'a'.repeat(5_000_000)}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/config file is 4\.8 MiB, more than the 256\.0 KiB dlf reads/);
  });

  it.each([
    ['..', '..'],
    ['.', '.'],
    ['a hidden directory', '.x'],
    ['an option', '-rf'],
    ['a path', '"a/b"'],
    ['a NUL', '"a\\0b"'],
    ['a control character', '"a\\tb"'],
  ])('refuses a name that is not safe as a directory name: %s', (_what, name) => {
    expect(problems(VALID.replace('name: digits-mlp', `name: ${name}`))).toEqual([
      '1:7: name: must start with a letter, digit or _, then letters, digits, ., _ or -',
    ]);
  });

  it.each(['digits-mlp', 'run_1.v2', '_x', '7a'])('accepts the name %s', (name) => {
    expect(problems(VALID.replace('name: digits-mlp', `name: ${name}`))).toEqual([]);
  });

  it('bounds layer and node names', () => {
    const long = 'n'.repeat(101);
    expect(problems(VALID.replace('{type: dense, units: 10}', `{type: dense, units: 10, name: ${long}}`))).toEqual([
      '10:38: model.layers.1.name: must have at most 100 characters',
    ]);
  });

  it('keeps the bounds generous: the largest allowed values still load', () => {
    const text = VALID.replace('units: 64', 'units: 1000000').replace('epochs: 20', 'epochs: 1000000').replace('batch_size: 32', 'batch_size: 1000000');
    expect(problems(text)).toEqual([]);
  });
});
