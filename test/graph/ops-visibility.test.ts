// Which ops a YAML graph node may name: the public ones. The ops that exist only for autodiff
// (gradients of conv and pooling, scatter_add_rows, recurrent_seq_grad), for the graph optimiser
// (fused epilogues, mask_positive) and for the recurrent layers (the scans) are internal: naming one is a ConfigError at the node's `op`, listing the
// public ops, and `dlf graph --ops` does not list them.
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { loadConfig } from '../../src/config/load.js';
import { dataDims } from '../../src/data/dims.js';
import { ConfigError } from '../../src/errors.js';
import { OPS, type OpName, PUBLIC_OPS } from '../../src/graph/ops/index.js';
import { locatorOf } from '../../src/train/session.js';
import { dlf } from '../cli/helpers.js';
import { writeConfig } from '../config/tmp.js';

const INTERNAL: OpName[] = [
  'conv2d_grad_input',
  'conv2d_grad_weight',
  'maxpool2d_grad',
  'maxpool2d_pick',
  'avgpool2d_grad',
  'scatter_add_rows',
  'matmul_bias_act',
  'conv2d_bias_act',
  'mask_positive',
  'rnn_seq',
  'lstm_seq',
  'gru_seq',
  'recurrent_seq_grad',
];

/** A graph-form config on generated XOR data whose second node applies `op` to [h, h]. */
const graphConfig = (op: string) => `name: ops
seed: 1
data: {source: xor, samples: 32}
model:
  graph:
    params:
      w: {shape: [2, 2]}
    nodes:
      - {name: h, op: matmul, inputs: [x, w]}
      - {name: y, op: ${op}, inputs: [h, h]}
    output: y
train: {epochs: 1, batch_size: 8}
`;

function compileText(text: string): void {
  const rc = loadConfig(writeConfig(text));
  compileModel(rc.config, dataDims(rc.config.data), locatorOf(rc));
}

describe('public and internal ops', () => {
  it('every op in OPS says whether YAML may name it', () => {
    for (const [name, def] of Object.entries(OPS)) expect(['public', 'internal'], name).toContain(def.visibility);
  });

  it('the ops made by autodiff and the optimiser are internal, the rest public', () => {
    const internal = Object.entries(OPS)
      .filter(([, d]) => d.visibility === 'internal')
      .map(([n]) => n);
    expect(internal.sort()).toEqual([...INTERNAL].sort());
    expect([...PUBLIC_OPS].sort()).toEqual(
      Object.keys(OPS)
        .filter((n) => !INTERNAL.includes(n as OpName))
        .sort(),
    );
  });

  it.each(INTERNAL)('a graph node naming %s is a ConfigError at its op, listing the public ops', (op) => {
    let err: unknown;
    try {
      compileText(graphConfig(op));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.place).toMatchObject({ line: 10, col: 23, path: 'model.graph.nodes.1.op', node: 'y' });
    expect(e.message).toBe(`'${op}' is an internal op (made by autodiff or the graph optimiser); a graph node may use a public op`);
    expect(e.hint).toContain('public ops: add, sub, mul');
    expect(e.hint).not.toMatch(/mask_positive|_grad|_bias_act|_pick|scatter_add_rows/);
  });

  it('a public op still compiles', () => {
    expect(() => compileText(graphConfig('add'))).not.toThrow();
  });

  it('an unknown op is a ConfigError at its op too', () => {
    expect(() => compileText(graphConfig('mask_postive'))).toThrow(ConfigError);
    try {
      compileText(graphConfig('mask_postive'));
    } catch (e) {
      expect((e as ConfigError).format()).toMatch(/config\.yaml:10:23: model\.graph\.nodes\.1\.op, node 'y': unknown op 'mask_postive'/);
      // The suggestion is a public op, never the internal one the typo is closest to.
      expect((e as ConfigError).hint).not.toContain('mask_positive');
    }
  });

  it('dlf graph --ops lists only the public ops', async () => {
    const r = await dlf('graph', '--ops');
    expect(r.code).toBe(0);
    const listed = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(listed).toEqual([...PUBLIC_OPS]);
  });
});
