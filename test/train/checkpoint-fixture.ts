// A small valid checkpoint with every kind of content (parameters, a state tensor, Adam's two
// slots, RNG states, monitors, table preprocessing, metrics), and helpers that write it, edit its
// JSON and load the result, for the checkpoint tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sha256Hex } from '../../src/config/hash.js';
import { CheckpointError } from '../../src/errors.js';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { encodeF32 } from '../../src/train/encode.js';

const f32 = (...v: number[]) => new Float32Array(v);

/** A fresh copy of the sample checkpoint (the optimizer's slots as given, Adam's by default). */
export function sampleCheckpoint(): Checkpoint {
  const w = f32(0.5, -1.25, 3e-8, 1e30, -0, 7);
  const b = f32(0.1, 0.2);
  return {
    configHash: sha256Hex('sample config'),
    epoch: 3,
    step: 30,
    params: new Map([
      ['layer0/dense/w', { shape: [3, 2], data: w }],
      ['layer0/dense/b', { shape: [2], data: b }],
    ]),
    state: new Map([['layer1/batchnorm/mean', { shape: [2], data: f32(0.25, -0.75) }]]),
    optimizer: {
      type: 'adam',
      state: {
        step: 30,
        slots: {
          m: { 'layer0/dense/w': w.map((x) => x / 10), 'layer0/dense/b': f32(0.01, 0.02) },
          v: { 'layer0/dense/w': w.map((x) => Math.min(x * x, 1e30)), 'layer0/dense/b': f32(1e-4, 4e-4) },
        },
      },
    },
    rng: { shuffle: [1, 2, 3, 0xffffffff], dropout: [5, 6, 7, 8] },
    progress: {
      best: { best: 0.25, bestEpoch: 2, wait: 1 },
      early: { best: null, bestEpoch: 0, wait: 0 },
      plateau: { factor: 1, best: null, wait: 0 },
    },
    preprocessing: { kind: 'table', features: ['a', 'b', 'ç'], mean: [0, 1.5, -2], std: [1, 0.5, 2], classes: ['x', 'y'], task: 'classification' },
    metrics: { train: { loss: 0.5, accuracy: 0.75 }, val: { loss: 0.625, accuracy: 0.5 } },
  };
}

/** Writes `c` with saveCheckpoint into `dir` and returns the path. */
export function saved(dir: string, c: Checkpoint = sampleCheckpoint(), name = 'ckpt.json'): string {
  const path = join(dir, name);
  saveCheckpoint(path, c);
  return path;
}

/** Writes `text` as a checkpoint file into `dir` and returns the path. */
export function written(dir: string, text: string | Uint8Array, name = 'edited.json'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The CheckpointError loading `path` throws (the test fails on success or on any other error). */
export function loadError(path: string): CheckpointError {
  let caught: unknown;
  try {
    loadCheckpoint(path);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'loading should fail').toBeInstanceOf(CheckpointError);
  return caught as CheckpointError;
}

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

/** `a` and `b` hold the same values, tensors and slots compared bit for bit. */
export function expectSame(a: Checkpoint, b: Checkpoint): void {
  const tensors = (t: Checkpoint['params']) => [...t].map(([n, { shape, data }]) => [n, shape, bits(data)]);
  const slots = (c: Checkpoint) => Object.entries(c.optimizer.state.slots).map(([s, byName]) => [s, Object.entries(byName).map(([n, d]) => [n, bits(d)])]);
  expect(tensors(a.params)).toEqual(tensors(b.params));
  expect(tensors(a.state)).toEqual(tensors(b.state));
  expect(slots(a)).toEqual(slots(b));
  const rest = (c: Checkpoint) => ({ ...c, params: null, state: null, optimizer: { type: c.optimizer.type, step: c.optimizer.state.step } });
  expect(JSON.parse(JSON.stringify(rest(a)))).toEqual(JSON.parse(JSON.stringify(rest(b))));
}

export { encodeF32, f32 };
