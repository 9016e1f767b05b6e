// Models on token sequences through ONNX: text classifiers (a GRU; an RNN under a stacked
// bidirectional GRU), character language models (a 2-layer LSTM; a bidirectional LSTM) and a
// 2-layer bidirectional LSTM on the built-in reverse task, each
// trained a little, exported with the CLI and run in ONNX Runtime on ids with every kind of
// padding (none, at the end, a whole row, a 0 inside a sequence), against dlf's evaluation
// program on the same ids: every row, and every position of a language model, within float32 noise;
// a classifier also agrees with dlf predict on text encoded as docs/export.md says. Recurrent
// layers over a table's columns (no token input: every step real) agree with dlf predict too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { encode } from '../../src/data/tokens.js';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { loadRun } from '../../src/train/evaluate.js';
import { ModelRuntime } from '../../src/train/runtime.js';
import { K } from '../backend.js';
import { tempDir } from '../cli/helpers.js';
import { repo } from '../cli/helpers.js';
import { checkWithOnnx, expectAgreement, exportRun, onnxCheckerMissing, predict, readCsv, runOnnx, tableFeeds, train, writeCsv } from './onnx-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const L = 10;
/** Float32 noise between dlf's kernels and ONNX Runtime's (the largest difference measured is 3.6e-7). */
const TOL = 2e-5;
const WORDS = ['tide', 'anchor', 'harpoon', 'whale', 'sea', 'mast', 'sail', 'deck', 'oar', 'gale', 'cask', 'rope'];

/** A CSV of short phrases and a class named by its first word's first letter (a-h, i-p, q-z). */
function phrases(): string {
  const rows = ['text,label'];
  for (let i = 0; i < 60; i++) {
    const n = 1 + (i % 3);
    const words = Array.from({ length: n }, (_, k) => WORDS[(i * 7 + k * 5) % WORDS.length]);
    const first = words[0][0];
    rows.push(`${words.join(' ')},${first < 'i' ? 'early' : first < 'q' ? 'middle' : 'late'}`);
  }
  return tmp.write('phrases.csv', rows.join('\n') + '\n');
}

function prose(): string {
  const text = Array.from({ length: 40 }, (_, i) => `the ${WORDS[i % WORDS.length]} and the ${WORDS[(i * 5) % WORDS.length]}.`).join(' ');
  return tmp.write('prose.txt', text + '\n');
}

const CLASSIFIERS: Record<string, string> = {
  gru: '    - {type: gru, units: 6, return_sequences: false}',
  'rnn-bigru2': '    - {type: rnn, units: 5}\n    - {type: gru, units: 4, num_layers: 2, bidirectional: true, return_sequences: false}',
  'attn-mean':
    '    - {type: positional_embedding, encoding: learned}\n    - {type: transformer_block, heads: 2, ff_units: 12}\n    - {type: sequence_pool, mode: mean}',
  'gru-attn-last': '    - {type: gru, units: 6}\n    - {type: attention, heads: 2}\n    - {type: sequence_pool, mode: last}',
  'attn-max': '    - {type: attention, heads: 3}\n    - {type: sequence_pool, mode: max}',
};
/** Models with a label per token: character language models, and a stacked bidirectional LSTM on the built-in reverse task. */
const PER_TOKEN: Record<string, { data?: string; layers: string }> = {
  lstm2: { layers: '    - {type: lstm, units: 6, num_layers: 2}' },
  bilstm: { layers: '    - {type: lstm, units: 5, bidirectional: true}' },
  'reverse-bilstm2': { data: `{source: reverse, samples: 200, length: ${L}}`, layers: '    - {type: lstm, units: 5, num_layers: 2, bidirectional: true}' },
  causal: {
    layers: '    - {type: positional_embedding, encoding: sinusoidal}\n    - {type: transformer_block, heads: 2, causal: true}\n    - {type: lstm, units: 6}',
  },
};

function config(name: string, data: string, layers: string): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}
seed: 3
data: ${data}
model:
  layers:
    - {type: embedding, dim: 6}
${layers}
    - {type: dense, units: classes}
train: {epochs: 1, batch_size: 16, optimizer: {type: adam, lr: 0.02}}
`,
  );
}

/**
 * Ids [n, L] with every kind of padding: a full row, rows padded at the end, a row of padding
 * only, one token, and rows with a 0 inside (which dlf's layers skip).
 */
function idRows(vocab: number): { ids: BigInt64Array; n: number } {
  const lengths = [L, L - 3, 0, 1, 6, L, 4, 2];
  const n = lengths.length + 2;
  const ids = new BigInt64Array(n * L);
  let s = 17;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 4 + (s % (vocab - 4));
  };
  lengths.forEach((len, r) => {
    for (let t = 0; t < len; t++) ids[r * L + t] = BigInt(next());
  });
  for (const r of [lengths.length, lengths.length + 1]) for (let t = 0; t < L; t++) ids[r * L + t] = BigInt(next());
  ids[lengths.length * L + 3] = 0n; // inside a sequence
  ids[(lengths.length + 1) * L + 0] = 0n; // before the first token
  ids[(lengths.length + 1) * L + 7] = 0n;
  return { ids, n };
}

/** dlf's model output for `ids`, by its evaluation program on the suite's backend (as dlf predict and dlf eval run it). */
function dlfOutput(run: string, ids: BigInt64Array, n: number): Float32Array {
  const { model, params } = loadRun(run);
  const rt = new ModelRuntime(model, K, params);
  const b = rt.bind(n, 'eval');
  b.x.set(Float32Array.from(ids, (v) => Number(v)));
  b.ex.run();
  return Float32Array.from(b.output);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * Runs `file` on `ids` followed by two sequences with an id outside the vocabulary (V, and -1):
 * their logits must be NaN and the rows before them what they are on their own.
 */
async function withInvalidRows(file: string, ids: BigInt64Array, n: number, V: number, alone: Float32Array) {
  const more = new BigInt64Array((n + 2) * L);
  more.set(ids);
  more.set([5n, 6n, BigInt(V), 7n], n * L);
  more.set([5n, -1n], (n + 1) * L);
  const out = await runOnnx(file, { ids: new ort.Tensor('int64', more, [n + 2, L]) });
  const logits = out.logits.data as Float32Array;
  expect(maxAbsDiff(logits.subarray(0, alone.length), alone)).toBeLessThanOrEqual(TOL);
  expect(Array.from(logits.subarray(alone.length)).every(Number.isNaN)).toBe(true);
  return out;
}

const exported: string[] = [];

describe('ONNX export of models on token sequences', () => {
  const csv = phrases();
  const txt = prose();

  for (const [name, layers] of Object.entries(CLASSIFIERS)) {
    it(`a text classifier (${name}) agrees with dlf on every row`, async () => {
      const run = join(tmp.dir, `run-${name}`);
      await train(config(name, `{source: text, path: ${csv}, text: text, label: label, tokenizer: char, length: ${L}}`, layers), run);
      const file = join(tmp.dir, `${name}.onnx`);
      const meta = await exportRun(run, file);
      exported.push(file);
      const vocab = JSON.parse(meta.vocab) as string[];
      const classes = JSON.parse(meta.classes) as string[];
      expect(classes).toEqual(['early', 'late', 'middle']);
      expect(JSON.parse(meta.inputs).ids.shape).toEqual(['N', L]);
      const { ids, n } = idRows(vocab.length);
      const out = await runOnnx(file, { ids: new ort.Tensor('int64', ids, [n, L]) });
      expect(out.logits.dims).toEqual([n, 3]);
      const ref = dlfOutput(run, ids, n);
      expect(maxAbsDiff(out.logits.data as Float32Array, ref)).toBeLessThanOrEqual(TOL);
      const flagged = await withInvalidRows(file, ids, n, vocab.length, out.logits.data as Float32Array);
      expect(Array.from(flagged.prediction.data as string[]).slice(n)).toEqual(['', '']);
      // prediction: the class of the largest logit
      for (let r = 0; r < n; r++) {
        const row = Array.from(ref.subarray(r * 3, r * 3 + 3));
        const p = out.probabilities.data as Float32Array;
        expect(Math.abs(p[r * 3] + p[r * 3 + 1] + p[r * 3 + 2] - 1)).toBeLessThan(1e-5);
        const best = row.indexOf(Math.max(...row));
        if (Math.abs(row[best] - [...row].sort((a, b) => b - a)[1]) > 1e-4) expect(out.prediction.data[r]).toBe(classes[best]);
      }
      // Text as dlf predict reads it, encoded by hand: the run's tokeniser, cut to L, padded with 0.
      const texts = ['tide', 'Harpoon and whale', 'sea sea sea sea sea', 'ZZZ?', 'x'];
      const input = writeCsv(
        join(tmp.dir, `${name}-texts.csv`),
        ['text'],
        texts.map((t) => [t]),
      );
      const settings = JSON.parse(meta.inputs).ids as { tokenizer: 'char' | 'word'; lowercase: boolean };
      const textIds = BigInt64Array.from(
        texts.flatMap((t) => encode(t, settings, vocab, L)),
        (v) => BigInt(v),
      );
      const fromText = await runOnnx(file, { ids: new ort.Tensor('int64', textIds, [texts.length, L]) });
      expectAgreement(fromText, await predict(run, input), classes);
    });
  }

  for (const [name, { data, layers }] of Object.entries(PER_TOKEN)) {
    it(`a model with a label per token (${name}) agrees with dlf at every position`, async () => {
      const run = join(tmp.dir, `run-${name}`);
      await train(config(name, data ?? `{source: text, path: ${txt}, task: language_model, tokenizer: char, length: ${L}}`, layers), run);
      const file = join(tmp.dir, `${name}.onnx`);
      const meta = await exportRun(run, file);
      exported.push(file);
      expect(meta.task).toBe('classification per token');
      const vocab = JSON.parse(meta.vocab) as string[];
      const V = vocab.length;
      const { ids, n } = idRows(V);
      const out = await runOnnx(file, { ids: new ort.Tensor('int64', ids, [n, L]) });
      expect(out.logits.dims).toEqual([n, L, V]);
      expect(out.prediction.dims).toEqual([n, L]);
      const ref = dlfOutput(run, ids, n);
      const logits = out.logits.data as Float32Array;
      // Every position, real or padding (the exported layers repeat dlf's carried state at padding).
      expect(maxAbsDiff(logits, ref)).toBeLessThanOrEqual(TOL);
      const flagged = await withInvalidRows(file, ids, n, V, logits);
      expect(Array.from(flagged.prediction.data as unknown as BigInt64Array, Number).slice(n * L)).toEqual(new Array(2 * L).fill(-1));
      for (let i = 0; i < n * L; i++) {
        const row = Array.from(logits.subarray(i * V, (i + 1) * V));
        expect(Number(out.prediction.data[i])).toBe(row.indexOf(Math.max(...row)));
      }
    });
  }

  it('recurrent layers over the columns of a table (every step real) agree with dlf predict', async () => {
    const cfg = tmp.write(
      'iris-seq.yaml',
      `name: iris-seq
seed: 3
data: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species, split: {validation: 0.2}}
model:
  layers:
    - {type: reshape, shape: [4, 1]}
    - {type: lstm, units: 4, bidirectional: true}
    - {type: rnn, units: 3}
    - {type: gru, units: 5, num_layers: 2, return_sequences: false}
    - {type: dense, units: 3}
train: {epochs: 3, batch_size: 16, optimizer: {type: adam, lr: 0.02}}
`,
    );
    const run = join(tmp.dir, 'run-iris-seq');
    await train(cfg, run);
    const file = join(tmp.dir, 'iris-seq.onnx');
    const meta = await exportRun(run, file);
    exported.push(file);
    const m = decodeModel(readFileSync(file));
    expect(m.graph.node.filter((node) => ['LSTM', 'RNN', 'GRU'].includes(node.opType))).toHaveLength(5);
    expect(m.graph.node.map((node) => node.opType)).not.toContain('TopK'); // no mask: nothing to pack
    const { header, rows } = readCsv(repo('datasets', 'iris.csv'));
    const out = await runOnnx(file, tableFeeds(meta, header, rows));
    expectAgreement(out, await predict(run, repo('datasets', 'iris.csv')), JSON.parse(meta.classes) as string[]);
  });

  it('the graph has one ONNX recurrent node per layer and direction, fed the lengths computed from the ids', () => {
    const m = decodeModel(readFileSync(join(tmp.dir, 'rnn-bigru2.onnx')));
    const ops = m.graph.node.map((node) => node.opType);
    expect(ops.filter((o) => o === 'RNN')).toHaveLength(1);
    expect(ops.filter((o) => o === 'GRU')).toHaveLength(4);
    expect(ops).not.toContain('MatMul'); // the input projections are the ONNX nodes' W
    const grus = m.graph.node.filter((node) => node.opType === 'GRU');
    for (const node of grus) expect(node.input[4]).toBe('mask/sequence_lens');
    expect(m.graph.input.map((i) => i.name)).toEqual(['ids']);
  });

  it.skipIf(onnxCheckerMissing() !== undefined)('onnx.checker accepts the exported models', () => {
    expect(checkWithOnnx(exported).trim().split('\n')).toHaveLength(exported.length);
  });
});
