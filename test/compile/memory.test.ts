// The memory check of compiling: before any buffer, table or parameter is allocated, the bytes a
// training step needs (parameters, optimizer slots, the plan's arena and persistent buffers, the
// plan-time tables) are added up and compared with a bound, and every single buffer with what one
// typed array can hold. A refusal is a ConfigError at the config key responsible. Nothing here
// allocates more than a few megabytes: every large case is refused before allocating.
import { describe, expect, it } from 'vitest';
import { compileModel, layoutProgram } from '../../src/compile/compile.js';
import { formatBytes, parseByteSize } from '../../src/compile/bytes.js';
import { constants } from 'node:buffer';
import { MAX_BUFFER_ELEMENTS, memoryBoundFor, memoryNeed, optimizerSlots } from '../../src/compile/memory.js';
import { loadConfig } from '../../src/config/load.js';
import { OptimizerSchema } from '../../src/config/schema.js';
import { dataDims } from '../../src/data/dims.js';
import { ConfigError } from '../../src/errors.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { locatorOf } from '../../src/train/session.js';
import { writeConfig } from '../config/tmp.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** An MLP on generated XOR data; hidden layer i is on line 6 + i, train.batch_size on line 9 + hidden count. */
const mlp = (units: number[], batch = 16, optimizer = 'adam') => `name: big
seed: 1
data: {source: xor, samples: 64}
model:
  layers:
${units.map((u) => `    - {type: dense, units: ${u}}`).join('\n')}
    - {type: dense, units: 2}
train:
  epochs: 1
  batch_size: ${batch}
  optimizer: {type: ${optimizer}}
`;

function compileText(text: string, maxMemory?: number) {
  const rc = loadConfig(writeConfig(text));
  return compileModel(rc.config, dataDims(rc.config.data), locatorOf(rc), { optimize: true, ...(maxMemory !== undefined ? { maxMemory } : {}) });
}

/** What the training program of `text` needs at `batch`, from its layout. */
function needAt(text: string, batch: number) {
  const rc = loadConfig(writeConfig(text));
  const p = layoutProgram(rc.config, dataDims(rc.config.data), batch, locatorOf(rc), 'train', { optimize: true });
  return memoryNeed(p, rc.config.train.optimizer);
}

function refusal(text: string, maxMemory?: number): ConfigError {
  try {
    compileText(text, maxMemory);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('one buffer larger than a typed array can hold', () => {
  it("two dense layers of 100,000 units: the second layer's units, at its line", () => {
    const e = refusal(mlp([100_000, 100_000]), 1e15);
    expect(e.issues.length).toBe(1);
    expect(e.place).toMatchObject({ line: 7, path: 'model.layers.1.units' });
    expect(e.message).toBe(
      "the parameter 'layer1/dense/w' needs 10,000,000,000 elements (37.3 GiB) in one buffer, but dlf allows at most " +
        `${MAX_BUFFER_ELEMENTS.toLocaleString('en-US')} elements per buffer`,
    );
  });

  it('a 1,000,000 × 1,000,000 dense layer is refused the same way, whatever the bound', () => {
    const e = refusal(mlp([1_000_000, 1_000_000]));
    expect(e.place).toMatchObject({ line: 7, path: 'model.layers.1.units' });
    expect(e.message).toMatch(/^the parameter 'layer1\/dense\/w' needs 1,000,000,000,000 elements \(3\.64 TiB\) in one buffer/);
  });

  it('keeps below what a typed array can hold and what an Int32Array offset can index', () => {
    expect(MAX_BUFFER_ELEMENTS).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(() => new Uint8Array(constants.MAX_LENGTH + 1)).toThrow(RangeError);
    expect(MAX_BUFFER_ELEMENTS).toBeLessThanOrEqual(constants.MAX_LENGTH);
  });
});

describe('the memory bound', () => {
  it('blames the widest layer when even one sample does not fit', () => {
    // layer 1: 4,000 × 4,000 weights, with adam 4 copies (w, gradient, m, v) of 61 MiB.
    const e = refusal(mlp([4_000, 4_000]), 64 * MiB);
    expect(e.place).toMatchObject({ line: 7, path: 'model.layers.1.units' });
    expect(e.message).toMatch(
      /^the model needs [\d.]+ MiB \(parameters [\d.]+ MiB, optimizer state [\d.]+ MiB \(adam: 2 slots\), activations [\d.]+ [KM]iB, inputs, outputs and gradients [\d.]+ MiB, plan tables [\d.]+ (B|KiB)\) but the memory bound is 64\.0 MiB$/,
    );
    expect(e.hint).toBe('use --max-memory to change it');
  });

  it('counts the optimizer slots of the configured optimizer', () => {
    const sgd = refusal(mlp([4_000, 4_000], 16, 'sgd, lr: 0.1'), 64 * MiB);
    expect(sgd.message).toMatch(/optimizer state 0 B \(sgd: 0 slots\)/);
    const params = 2 * 4000 + 4000 + 4000 * 4000 + 4000 + 4000 * 2 + 2;
    const adam = needAt(mlp([4_000, 4_000], 16, 'adam'), 16);
    expect(adam.parameters).toBe(4 * params);
    expect(adam.optimizer).toBe(2 * 4 * params);
    expect(needAt(mlp([4_000, 4_000], 16, 'sgd, lr: 0.1, momentum: 0.9'), 16).optimizer).toBe(4 * params);
    expect(adam.total).toBe(adam.parameters + adam.optimizer + adam.arena + adam.persistent + adam.tables);
  });

  it('blames train.batch_size when one sample fits, and says which batch does', () => {
    const text = mlp([64], 100_000);
    const e = refusal(text, 16 * MiB);
    expect(e.place).toMatchObject({ line: 10, path: 'train.batch_size' });
    expect(e.message).toMatch(/^the model needs [\d.]+ MiB at batch 100000 \(.*\) but the memory bound is 16\.0 MiB$/);
    const fits = Number(/train\.batch_size of at most (\d+) fits/.exec(e.hint ?? '')![1]);
    expect(e.hint).toMatch(/; or use --max-memory to change the bound$/);
    expect(fits).toBeGreaterThan(1000);
    expect(() => compileText(mlp([64], fits), 16 * MiB)).not.toThrow();
    expect(() => compileText(mlp([64], fits + 1), 16 * MiB)).toThrow(ConfigError);
  });

  it('names conv2d filters when a convolution is what does not fit', () => {
    const text = `name: conv
seed: 1
data: {source: csv, path: ${JSON.stringify(new URL('../../datasets/digits.csv', import.meta.url).pathname)}, label: digit}
model:
  layers:
    - {type: reshape, shape: [1, 8, 8]}
    - {type: conv2d, filters: 60000, kernel_size: 1}
    - {type: global_avg_pool2d}
    - {type: dense, units: 10}
train: {epochs: 1, batch_size: 32}
`;
    const e = refusal(text, 16 * MiB);
    expect(e.place).toMatchObject({ line: 7, path: 'model.layers.1.filters' });
  });

  it('points at the nearest written key when the responsible one has its default', () => {
    const text = mlp([64]).replace('  batch_size: 16\n', '');
    const e = refusal(text, (needAt(text, 1).total + needAt(text, 32).total) / 2);
    // batch_size defaults to 32: the place is the train section, the key is still train.batch_size.
    expect(e.place).toMatchObject({ line: 8, path: 'train.batch_size' });
  });

  it('lets a model within the bound compile', () => {
    expect(() => compileText(mlp([64, 64]), 64 * MiB)).not.toThrow();
    expect(() => compileText(mlp([64, 64]))).not.toThrow();
  });
});

describe('the default bound', () => {
  it('is half the memory of the machine, or of its cgroup when that is smaller', () => {
    expect(memoryBoundFor(16 * GiB, undefined)).toBe(8 * GiB);
    expect(memoryBoundFor(16 * GiB, 0)).toBe(8 * GiB);
    expect(memoryBoundFor(16 * GiB, 2 ** 64)).toBe(8 * GiB);
    expect(memoryBoundFor(16 * GiB, 4 * GiB)).toBe(2 * GiB);
  });
});

describe('optimizer slots', () => {
  it.each([
    [{ type: 'sgd', lr: 0.1 }, 0],
    [{ type: 'sgd', lr: 0.1, momentum: 0.9 }, 1],
    [{ type: 'adagrad' }, 1],
    [{ type: 'rmsprop' }, 1],
    [{ type: 'rmsprop', momentum: 0.9 }, 2],
    [{ type: 'adam' }, 2],
    [{ type: 'adamw' }, 2],
  ])('%j keeps %i buffers per parameter, as createOptimizer makes them', (raw, slots) => {
    const config = OptimizerSchema.parse(raw);
    expect(optimizerSlots(config)).toBe(slots);
    expect(Object.keys(createOptimizer(config, new Map([['w', 3]])).state.slots).length).toBe(slots);
  });
});

describe('byte sizes', () => {
  it.each([
    ['1048576', 2 ** 20],
    ['512M', 512 * MiB],
    ['512m', 512 * MiB],
    ['4G', 4 * GiB],
    ['2GiB', 2 * GiB],
    ['1.5G', 1.5 * GiB],
    ['64KiB', 64 * 1024],
    ['4GB', 4e9],
    ['1T', 2 ** 40],
    ['100B', 100],
  ])('%s is %i bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'G', 'abc', '-1', '0', '0.1', '4X', '1e9', '4 G', 'Infinity', '99999999999999999999T'])('%j is not a size', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });

  it.each([
    [0, '0 B'],
    [1000, '1000 B'],
    [1536, '1.50 KiB'],
    [64 * MiB, '64.0 MiB'],
    [7.45 * GiB, '7.45 GiB'],
    [4e12, '3.64 TiB'],
    [1e30, '8.67e+11 EiB'],
  ])('%d bytes print as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
