// Loading checkpoints that are cut short, damaged or edited: every such file is a one-line
// CheckpointError naming the file (with line:column for JSON syntax errors), never NaN weights,
// wrong shapes, another optimizer's state or a stack trace. Edits are tested both re-signed (a
// version-2 file whose digest was recomputed, so the checks behind the digest are reached) and as
// version-1 files, which have no digest and get every other check.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { tempDir } from '../cli/helpers.js';
import { resigned } from './checkpoint-digest-ref.js';
import { encodeF32, f32, loadError, sampleCheckpoint, saved, written } from './checkpoint-fixture.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const W = 'layer0/dense/w';
type Doc = Record<string, any>;

/** The sample checkpoint's document as plain JSON. */
function sampleDoc(): Doc {
  return JSON.parse(readFileSync(saved(tmp.dir), 'utf8'));
}

/** The document edited by `edit`, written re-signed (version 2) and as version 1; both paths. */
function editedFiles(edit: (d: Doc) => void): { v2: string; v1: string } {
  const d = sampleDoc();
  edit(d);
  const v1: Doc = { ...d, version: 1 };
  delete v1.digest;
  return { v2: written(tmp.dir, resigned(d), 'v2.json'), v1: written(tmp.dir, JSON.stringify(v1), 'v1.json') };
}

/** Both edited files fail to load with a message matching `pattern`. */
function refused(edit: (d: Doc) => void, pattern: RegExp): void {
  const { v2, v1 } = editedFiles(edit);
  for (const path of [v2, v1]) {
    const e = loadError(path);
    expect(e.message).toMatch(pattern);
    expect(e.format()).toContain(path);
    expect(e.format()).not.toContain('\n');
  }
}

describe('a file cut short or damaged', () => {
  it('a checkpoint cut at 57,344 bytes (a full disk) is an error at the line and column where it ends', () => {
    const c = sampleCheckpoint();
    const big = new Float32Array(30_000).map((_, i) => Math.sin(i));
    c.params.set('layer2/dense/w', { shape: [300, 100], data: big });
    for (const slot of ['m', 'v']) c.optimizer.state.slots[slot]['layer2/dense/w'] = big.map(Math.abs);
    const full = readFileSync(saved(tmp.dir, c));
    expect(full.length).toBeGreaterThan(57_344);
    const path = written(tmp.dir, full.subarray(0, 57_344));
    const e = loadError(path);
    expect(e.message).toMatch(/cut short/);
    expect(e.place.line).toBeGreaterThan(1);
    expect(e.format()).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: checkpoint is cut short`));
  });

  it('every shorter prefix of a checkpoint is an error', () => {
    const full = readFileSync(saved(tmp.dir));
    for (let n = 0; n < full.length; n += 7) loadError(written(tmp.dir, full.subarray(0, n)));
  });

  it('an edited value in the base64 data is found by the digest', () => {
    const d = sampleDoc();
    const s: string = d.params[W].data;
    d.params[W].data = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(loadError(written(tmp.dir, JSON.stringify(d))).message).toMatch(/does not match its digest/);
  });

  it('an edited number is found by the digest', () => {
    const d = sampleDoc();
    d.progress.best.wait = 0;
    expect(loadError(written(tmp.dir, JSON.stringify(d))).message).toMatch(/does not match its digest/);
  });

  it('a JSON syntax error gives the line and column, not a byte position', () => {
    const lines = readFileSync(saved(tmp.dir), 'utf8').split('\n');
    lines[4] = lines[4].replace(':', ': ,');
    const e = loadError(written(tmp.dir, lines.join('\n')));
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.message).not.toMatch(/position/);
    expect(e.place.line).toBe(5);
    expect(e.place.col).toBe(lines[4].indexOf(',') + 1);
  });
});

describe('what a checkpoint holds is checked', () => {
  it('NaN or infinite values in parameters, state tensors or optimizer slots', () => {
    refused((d) => (d.params[W].data = encodeF32(f32(0.5, NaN, 0, 0, 0, 0))), /parameter 'layer0\/dense\/w' holds NaN at index 1/);
    refused((d) => (d.state['layer1/batchnorm/mean'].data = encodeF32(f32(0, -Infinity))), /state tensor .* holds -Infinity/);
    refused((d) => (d.optimizer.slots.v['layer0/dense/b'] = encodeF32(f32(Infinity, 0))), /optimizer slot 'v' of 'layer0\/dense\/b' holds Infinity/);
  });

  it('shapes: negative, fractional or huge dimensions, or a product other than the data length', () => {
    refused((d) => (d.params[W].shape = [-3, -2]), /dimension -3/);
    refused((d) => (d.params[W].shape = [1.5, 4]), /dimension 1.5/);
    refused((d) => (d.params[W].shape = [2 ** 40, 2 ** 40, 0]), /more than 4294967296 elements/);
    refused((d) => (d.params[W].shape = [2, 2]), /has 4 elements but the data 6/);
    refused((d) => (d.params[W].shape = '3,2'), /shape is not an array of numbers/);
  });

  it('parameter names: empty, reserved, or both a parameter and a state tensor', () => {
    refused((d) => (d.params[''] = d.params[W]), /is empty/);
    refused((d) => (d.params.constructor = d.params[W]), /'constructor' is not allowed/);
    refused((d) => (d.state[W] = d.params[W]), /is both a parameter and a state tensor/);
  });

  it('unknown members anywhere', () => {
    refused((d) => (d.params[W].stride = [2, 1]), /unknown member 'stride'/);
    refused((d) => (d.extra = 1), /unknown member 'extra'/);
    refused((d) => (d.progress.plateau.cooldown = 0), /unknown member 'cooldown'/);
    refused((d) => (d.preprocessing.scale = 'unit'), /preprocessing has the unknown member 'scale'/);
    refused((d) => delete d.preprocessing.std, /preprocessing.std is missing/);
  });

  it('a preprocessing field the format does not know is refused when writing, not only when reading', () => {
    const c = sampleCheckpoint();
    Object.assign(c.preprocessing, { clip: [0, 1] });
    expect(() => saveCheckpoint(`${tmp.dir}/prep.json`, c)).toThrow(/preprocessing has the unknown member 'clip'/);
  });

  it('epoch and step: integers ≥ 0', () => {
    refused((d) => (d.epoch = -1), /epoch -1 is not an integer/);
    refused((d) => (d.step = d.optimizer.step = 1.5), /step 1.5 is not an integer/);
    refused((d) => (d.epoch = '3'), /epoch is not a number/);
  });

  it("another optimizer's state, or slots that do not match the parameters", () => {
    refused((d) => (d.optimizer.type = 'adamax'), /unknown optimizer type 'adamax'/);
    refused((d) => (d.optimizer.slots = { momentum: d.optimizer.slots.m }), /adam keeps the slots m, v, but the checkpoint has 'momentum'/);
    refused((d) => (d.optimizer.type = 'sgd'), /sgd keeps the slots none or momentum/);
    refused((d) => delete d.optimizer.slots.m[W], /slot 'm' has no buffer for 'layer0\/dense\/w'/);
    refused((d) => (d.optimizer.slots.v.other = d.optimizer.slots.v[W]), /a buffer for 'other', which is no parameter/);
    refused((d) => (d.optimizer.slots.m[W] = encodeF32(f32(1, 2))), /has 2 values, the parameter 6/);
    refused((d) => (d.optimizer.step = 29), /optimizer step 29 differs from the checkpoint's step 30/);
  });

  it('RNG states: four uint32 words, not all zero', () => {
    refused((d) => (d.rng.shuffle = [1, 2, 3, 2 ** 32]), /shuffle RNG state is not four integers/);
    refused((d) => (d.rng.dropout = [1, 2, 3]), /dropout RNG state is not four integers/);
    refused((d) => (d.rng.dropout = [0, 0, 0, 0]), /all zero/);
  });

  it('monitors and metrics', () => {
    refused((d) => (d.progress.best.bestEpoch = 4), /progress.best/);
    refused((d) => (d.progress.plateau.factor = -0.5), /progress.plateau/);
    refused((d) => (d.metrics.val.accuracy = 'high'), /metrics.val.accuracy is not a number/);
    refused((d) => (d.metrics.val.auc = 0.5), /unknown metric 'auc'/);
  });

  it('base64 must be canonical standard base64 of float32 data', () => {
    const data = encodeF32(f32(1.4999994, 2, 3, 4, 5, 6)); // starts with "+/+/": both alphabets differ
    expect(data.startsWith('+/+/')).toBe(true);
    const bad = [
      data.slice(0, 8) + ' ' + data.slice(8), // whitespace
      data.slice(0, 8) + '\n' + data.slice(8),
      data.replace(/\+/g, '-').replace(/\//g, '_'), // URL-safe alphabet
      encodeF32(f32(1, 2, 3, 4, 5)).replace(/=+$/, ''), // padding left out
      encodeF32(f32(1, 2, 3, 4, 5)).slice(0, -4) + 'AAB=', // bits after the last byte
      encodeF32(f32(1, 2, 3, 4, 5)) + 'AAA=', // padding in the middle
      'AAAAAAAA', // six bytes: not whole float32 values
    ];
    for (const text of bad) refused((d) => (d.params[W].data = text), /not canonical standard base64 of float32 values/);
  });

  it('__proto__ keys anywhere are refused, not turned into prototypes or dropped', () => {
    const text = readFileSync(saved(tmp.dir), 'utf8');
    const cases = [
      text.replace('"params": {', '"params": {\n    "__proto__": {"shape": [1], "data": "AAAAAA=="},'),
      text.replace('"format"', '"__proto__": {"polluted": true},\n  "format"'),
      text.replace('"task"', '"__proto__": {"kind": "image"},\n    "task"'),
      text.replace('"slots": {', '"slots": {\n      "prototype": {},'),
    ];
    for (const t of cases) expect(loadError(written(tmp.dir, t)).message).toMatch(/the key '(__proto__|prototype)' is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a parameter named __proto__ or constructor is refused when saving instead of silently dropped', () => {
    for (const name of ['__proto__', 'constructor']) {
      const c = sampleCheckpoint();
      c.params.set(name, { shape: [1], data: f32(1) });
      for (const slot of ['m', 'v']) Object.defineProperty(c.optimizer.state.slots[slot], name, { value: f32(0), enumerable: true });
      expect(() => saveCheckpoint(`${tmp.dir}/proto.json`, c)).toThrow(CheckpointError);
    }
  });

  it('a checkpoint without the digest is version 1 only; versions other than 1 and 2 are refused', () => {
    const d = sampleDoc();
    delete d.digest;
    expect(loadError(written(tmp.dir, JSON.stringify(d))).message).toMatch(/digest is missing/);
    expect(loadError(written(tmp.dir, JSON.stringify({ ...d, version: 3 }))).message).toMatch(/version 3 is not supported/);
    const v1 = written(tmp.dir, JSON.stringify({ ...d, version: 1, digest: undefined }));
    expect(loadCheckpoint(v1).params.get(W)!.data).toEqual(sampleCheckpoint().params.get(W)!.data);
    expect(loadError(written(tmp.dir, JSON.stringify({ ...sampleDoc(), version: 1 }))).message).toMatch(/unknown member 'digest'/);
  });

  it('a version-1 table preprocessing without kind (runs before image support) still loads', () => {
    const d = sampleDoc();
    delete d.digest;
    delete d.preprocessing.kind;
    const c = loadCheckpoint(written(tmp.dir, JSON.stringify({ ...d, version: 1 })));
    expect(c.preprocessing.kind).toBe('table');
  });
});
