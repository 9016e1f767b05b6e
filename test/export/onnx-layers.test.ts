// Every layer type and every public op through ONNX: two models that use all of them (a list of
// layers on images; a graph of public ops with an embedding on a small table), exported and run
// in ONNX Runtime against dlf predict. A model whose graph slices the batch axis cannot have a
// symbolic batch size and is refused naming the op, its node and its config key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { readIdxImages } from '../../src/data/idx.js';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { dlf, repo, tempDir } from '../cli/helpers.js';
import { checkWithOnnx, expectAgreement, exportRun, onnxCheckerMissing, predict, runOnnx, tableFeeds, train, writeCsv } from './onnx-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const subset = repo('datasets', 'fashion-mnist-small');

/** Every layer type: strided, dilated, padded and bias-free convolutions, both poolings with padding, residual add, concat, norms, reshape, dropout. */
const IMAGE_LAYERS = `
name: every-layer
seed: 4
data: {source: idx, dir: ${subset}, scale: standardize, limit: 96, split: {validation: 0.25}}
model:
  layers:
    - {name: c1, type: conv2d, filters: 4, kernel_size: 3, stride: 2, padding: 1, activation: leaky_relu}
    - {name: bn, type: batchnorm, momentum: 0.5}
    - {name: c2, type: conv2d, filters: 4, kernel_size: 3, dilation: 2, padding: same, activation: gelu}
    - {name: c3, type: conv2d, filters: 4, kernel_size: [3, 1], stride: [1, 1], padding: same, use_bias: false, activation: tanh, inputs: [bn]}
    - {name: sum, type: add, inputs: [c2, c3]}
    - {name: cat, type: concat, axis: 1, inputs: [sum, bn]}
    - {type: maxpool2d, pool_size: 3, stride: 2, padding: same}
    - {type: avgpool2d, pool_size: 3, stride: 1, padding: 1}
    - {name: pooled, type: layernorm}
    - {name: gap, type: global_avg_pool2d}
    - {name: flat, type: flatten, inputs: [pooled]}
    - {type: reshape, shape: [8, -1]}
    - {type: flatten}
    - {name: d1, type: dense, units: 12, activation: sigmoid}
    - {type: dropout, rate: 0.5}
    - {type: activation, activation: softmax}
    - {name: d2, type: dense, units: 8, activation: relu}
    - {name: both, type: concat, inputs: [d2, gap]}
    - {type: dense, units: 10}
train: {epochs: 1, batch_size: 32, optimizer: {type: adam, lr: 0.01}}
`;

/**
 * Every public op of the graph form, over a table of an integer id and three numbers: the id
 * through an embedding (gather_rows), one_hot and softmax_cross_entropy; the numbers through the
 * arithmetic, activations, transposed products, reductions, slices, pads and losses.
 */
const EVERY_OP = `
name: every-op
seed: 2
data: {source: csv, path: TABLE, label: label, standardize: false, split: {validation: 0.25}}
model:
  graph:
    params:
      w1: {shape: [3, 6], init: glorot_uniform}
      bv: {shape: [6], init: {type: normal, std: 0.5}}
    nodes:
      - {name: ids, op: slice, inputs: [x], attrs: {begin: [0, 0], size: [-1, 1]}}
      - {name: idv, op: reshape, inputs: [ids], attrs: {shape: [-1]}}
      - {name: emb, layer: {type: embedding, vocab: 5, dim: 4}, inputs: [idv]}
      - {name: e6, layer: {type: dense, units: 6, activation: sigmoid}, inputs: [emb]}
      - {name: feats, op: slice, inputs: [x], attrs: {begin: [0, 1], size: [-1, 3]}}
      - {name: h, op: matmul, inputs: [feats, w1]}
      - {name: ht, op: matmul, inputs: [w1, feats], attrs: {transpose_a: true, transpose_b: true}}
      - {name: htt, op: transpose, inputs: [ht]}
      - {name: a1, op: add, inputs: [h, htt]}
      - {name: m, op: mul, inputs: [a1, e6]}
      - {name: ab, op: abs, inputs: [m]}
      - {name: nab, op: neg, inputs: [ab]}
      - {name: ex, op: exp, inputs: [nab]}
      - {name: lg, op: log, inputs: [ex]}
      - {name: sr, op: sqrt, inputs: [ab]}
      - {name: pw, op: pow, inputs: [m], attrs: {exponent: 3}}
      - {name: sg, op: sign, inputs: [m]}
      - {name: st, op: step, inputs: [m], attrs: {low: -0.5}}
      - {name: lr, op: leaky_relu, inputs: [m], attrs: {alpha: 0.2}}
      - {name: rl, op: relu, inputs: [m]}
      - {name: th, op: tanh, inputs: [m]}
      - {name: sm, op: sigmoid, inputs: [m]}
      - {name: dv, op: div, inputs: [m, ex]}
      - {name: eqs, op: eq, inputs: [sg, st]}
      - {name: c1, op: add, inputs: [lg, sr]}
      - {name: c2, op: mul, inputs: [pw, sg]}
      - {name: c3, op: add, inputs: [st, lr]}
      - {name: c4, op: sub, inputs: [rl, th]}
      - {name: c5, op: add, inputs: [c1, c2]}
      - {name: c6, op: add, inputs: [c3, c4]}
      - {name: c7, op: add, inputs: [c5, c6]}
      - {name: c8, op: add, inputs: [c7, dv]}
      - {name: c9, op: add, inputs: [c8, eqs]}
      - {name: rs, op: sum, inputs: [c9], attrs: {axes: [1], keepdims: true}}
      - {name: rm, op: mean, inputs: [c9], attrs: {axes: [-1], keepdims: true}}
      - {name: rxv, op: max, inputs: [c9], attrs: {axes: [1]}}
      - {name: rx, op: reshape, inputs: [rxv], attrs: {shape: [-1, 1]}}
      - {name: total, op: sum, inputs: [sm], attrs: {axes: [1]}}
      - {name: total1, op: reshape, inputs: [total], attrs: {shape: [-1, 1]}}
      - {name: sf, op: softmax, inputs: [c9]}
      - {name: ls, op: log_softmax, inputs: [c9]}
      - {name: sce, op: softmax_cross_entropy, inputs: [c9, idv]}
      - {name: oh, op: one_hot, inputs: [idv], attrs: {depth: 5}}
      - {name: ohp, op: pad, inputs: [oh], attrs: {before: [0, 0], after: [0, 1]}}
      - {name: bce, op: sigmoid_binary_cross_entropy, inputs: [c9, sm]}
      - {name: err, op: mse, inputs: [c9, sf]}
      - {name: bv3, op: broadcast_to, inputs: [bv], attrs: {shape: [3, 6]}}
      - {name: mix1, op: add, inputs: [ls, ohp]}
      - {name: mix2, op: mul, inputs: [mix1, sf]}
      - {name: mix3, op: add, inputs: [mix2, bce]}
      - {name: proj, op: matmul, inputs: [mix3, bv3], attrs: {transpose_b: true}}
      - {name: cat2, op: concat, inputs: [rs, rm], attrs: {axis: 1}}
      - {name: cat3, op: concat, inputs: [cat2, rx], attrs: {axis: -1}}
      - {name: sce1, op: reshape, inputs: [sce], attrs: {shape: [-1, 1]}}
      - {name: err1, op: reshape, inputs: [err], attrs: {shape: [-1, 1]}}
      - {name: o1, op: add, inputs: [proj, cat3]}
      - {name: o2, op: sub, inputs: [o1, sce1]}
      - {name: o3, op: add, inputs: [o2, err1]}
      - {name: out, op: add, inputs: [o3, total1]}
    output: out
train: {epochs: 1, batch_size: 8, optimizer: {type: sgd, lr: 0.001}}
`;

/** A table: an id 0..4, three numbers, a class A, B or C. */
function table(n: number): { header: string[]; rows: string[][] } {
  const rows = Array.from({ length: n }, (_, r) => [
    String(r % 5),
    (Math.sin(r) * 1.5).toFixed(3),
    (Math.cos(r * 0.7) * 0.8).toFixed(3),
    ((r % 7) / 7 - 0.4).toFixed(3),
    'ABC'[(r * 7) % 3],
  ]);
  return { header: ['id', 'a', 'b', 'c', 'label'], rows };
}

const exported: string[] = [];

describe('every layer type, on images', () => {
  it('exports and agrees with dlf predict on the 500 test images', async () => {
    const config = tmp.write('every-layer.yaml', IMAGE_LAYERS);
    const run = join(tmp.dir, 'every-layer');
    await train(config, run);
    const file = join(tmp.dir, 'every-layer.onnx');
    const meta = await exportRun(run, file);
    exported.push(file);
    const model = decodeModel(readFileSync(file));
    const ops = new Set(model.graph.node.map((n) => n.opType));
    for (const op of ['Conv', 'MaxPool', 'AveragePool', 'Gemm', 'LeakyRelu', 'Tanh', 'Sigmoid', 'Softmax', 'Relu', 'Concat', 'Reshape', 'ReduceMean', 'Sqrt'])
      expect(ops, op).toContain(op);
    // The dilated and strided convolutions keep their geometry; dropout leaves nothing behind.
    const convs = model.graph.node.filter((n) => n.opType === 'Conv').map((n) => Object.fromEntries(n.attribute.map((a) => [a.name, a.ints])));
    expect(convs).toContainEqual({ kernel_shape: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1] });
    expect(convs).toContainEqual({ kernel_shape: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [2, 2, 2, 2] });
    expect(model.graph.node.some((n) => n.name.includes('dropout'))).toBe(false);
    const images = readIdxImages(join(subset, 't10k-images-idx3-ubyte.gz'));
    const out = await runOnnx(file, { pixels: new ort.Tensor('float32', Float32Array.from(images.pixels), [images.count, 1, 28, 28]) });
    expectAgreement(out, await predict(run, join(subset, 't10k-images-idx3-ubyte.gz')), JSON.parse(meta.classes) as string[]);
  });
});

describe('every public op, in the graph form', () => {
  it('exports and agrees with dlf predict on every row', async () => {
    const { header, rows } = table(64);
    const csv = writeCsv(join(tmp.dir, 'every-op.csv'), header, rows);
    const config = tmp.write('every-op.yaml', EVERY_OP.replace('TABLE', csv));
    const run = join(tmp.dir, 'every-op');
    await train(config, run);
    const file = join(tmp.dir, 'every-op.onnx');
    const meta = await exportRun(run, file);
    exported.push(file);
    const ops = new Set(decodeModel(readFileSync(file)).graph.node.map((n) => n.opType));
    // broadcast_to of a parameter is computed when exporting (an initializer, no Expand).
    for (const op of ['Gather', 'Slice', 'Transpose', 'Pad', 'Equal', 'LogSoftmax', 'GatherElements', 'ReduceSum', 'ReduceMax', 'Pow', 'Sign', 'Where'])
      expect(ops, op).toContain(op);
    const out = await runOnnx(file, tableFeeds(meta, header, rows));
    expectAgreement(out, await predict(run, csv), JSON.parse(meta.classes) as string[]);
  });

  it('refuses a graph that slices the batch axis, naming the op, the node and its config key', async () => {
    const config = tmp.write(
      'batch-slice.yaml',
      `name: batch-slice
seed: 1
data: {source: xor, samples: 64}
model:
  graph:
    params:
      w: {shape: [2, 2], init: glorot_uniform}
    nodes:
      - {name: first, op: slice, inputs: [x], attrs: {begin: [0, 0], size: [1, 2]}}
      - {name: centred, op: sub, inputs: [x, first]}
      - {name: y, op: matmul, inputs: [centred, w]}
    output: y
train: {epochs: 1, batch_size: 16, optimizer: {type: sgd, lr: 0.1}}
`,
    );
    const run = join(tmp.dir, 'batch-slice');
    await train(config, run);
    const r = await dlf('export', run, '--format', 'onnx');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `error: ${join(run, 'config.json')}: model.graph.nodes.0, node 'first': cannot export op 'slice' of graph node 'first' to ONNX: it slices axis 0, whose size depends on the batch size`,
    );
  });
});

describe('onnx.checker (Debian python3-onnx, full check)', () => {
  const missing = onnxCheckerMissing();
  it.skipIf(missing !== undefined)(`accepts both models${missing ? ` (skipped: ${missing})` : ''}`, () => {
    expect(exported).toHaveLength(2);
    expect(checkWithOnnx(exported).trim().split('\n')).toHaveLength(2);
  });
});
