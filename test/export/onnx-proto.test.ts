// The pieces of the ONNX writer: the protobuf encoding (proto2 presence, packed and unpacked
// lists, little-endian raw data), the graph builder's names and shared constants, and the op
// table's decision for every op.
import { describe, expect, it } from 'vitest';
import { OPS, PUBLIC_OPS } from '../../src/graph/ops/index.js';
import { OnnxGraph, tensorProto } from '../../src/export/onnx-graph.js';
import { ONNX_OPS } from '../../src/export/onnx-ops.js';
import { DataType, type ModelProto, decodeModel, encodeModel } from '../../src/export/onnx-proto.js';

function modelOf(g: OnnxGraph): ModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'dlf',
    producerVersion: '0',
    graph: g.proto('t', ''),
    metadataProps: [{ key: 'k', value: 'v' }],
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('the protobuf encoding', () => {
  it('writes an attribute set to 0 (proto2 presence) and reads it back', () => {
    const g = new OnnxGraph();
    g.input('a', DataType.FLOAT, ['N', 3], 'in');
    g.node('ReduceMax', ['a'], { axes: [1], keepdims: 0 }, g.reserve('b'));
    g.output('b', DataType.FLOAT, ['N'], 'out');
    const bytes = encodeModel(modelOf(g));
    const back = decodeModel(bytes);
    expect(back.graph.node[0].attribute).toMatchObject([
      { name: 'axes', type: 7, ints: [1] },
      { name: 'keepdims', type: 2, i: 0 },
    ]);
    // keepdims: field 1 (name 'keepdims'), then field 3 (i) holding 0, written although it is 0.
    expect(hex(bytes)).toContain(`0a08${Buffer.from('keepdims').toString('hex')}1800`);
    expect(back.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }, { dimValue: 3 }]);
    expect(back.metadataProps).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('writes int lists unpacked (proto2) and dims of a scalar as none', () => {
    const g = new OnnxGraph();
    g.input('a', DataType.FLOAT, [2, 2], 'in');
    g.node('Transpose', ['a'], { perm: [1, 0] }, g.reserve('b'));
    const bytes = encodeModel(modelOf(g));
    // perm: field 8 with wire type 0, once per element: 0x40 0x01 0x40 0x00.
    expect(hex(bytes)).toContain('40014000');
    expect(tensorProto([], DataType.FLOAT, [1]).dims).toEqual([]);
  });

  it('stores tensors as little-endian raw data, and strings as UTF-8', () => {
    expect(hex(tensorProto([2], DataType.FLOAT, [1, -2]).rawData!)).toBe('0000803f000000c0');
    expect(hex(tensorProto([1], DataType.INT64, [-1]).rawData!)).toBe('ffffffffffffffff');
    expect(hex(tensorProto([1], DataType.DOUBLE, [0.5]).rawData!)).toBe('000000000000e03f');
    expect(tensorProto([2], DataType.STRING, ['a', 'é']).stringData!.map(hex)).toEqual(['61', 'c3a9']);
    expect(() => tensorProto([3], DataType.FLOAT, [1, 2])).toThrow('needs 3 values, got 2');
  });
});

describe('the graph builder', () => {
  it('gives every value a name of its own and shares equal constants', () => {
    const g = new OnnxGraph();
    expect(g.fresh('v')).toBe('v');
    expect(g.fresh('v')).toBe('v_1');
    expect(() => g.reserve('v')).toThrow("'v' is used twice");
    const one = g.scalar(1);
    expect(g.scalar(1)).toBe(one);
    expect(g.scalar(2)).not.toBe(one);
    expect(g.constant(DataType.FLOAT, [1], [NaN])).toBe(g.constant(DataType.FLOAT, [1], [NaN]));
    // A node given a name that something already defines gets a fresh one instead.
    const a = g.node('Identity', [one], {}, 'x');
    expect(g.node('Identity', [one], {}, a)).toBe('x_1');
  });
});

describe('the op table', () => {
  it('maps every public op to ONNX nodes', () => {
    for (const op of PUBLIC_OPS) expect(typeof ONNX_OPS[op], op).toBe('function');
  });

  it('says why each internal op has no ONNX form of its own', () => {
    const internal = Object.keys(OPS).filter((op) => !(PUBLIC_OPS as readonly string[]).includes(op)) as (keyof typeof OPS)[];
    expect(internal.length).toBeGreaterThan(0);
    // The recurrent scans are exported with their layer's other nodes as ONNX RNN/LSTM/GRU nodes (onnx-recurrent.ts).
    const scans = ['rnn_seq', 'lstm_seq', 'gru_seq'];
    for (const op of internal) {
      expect(ONNX_OPS[op], op).toMatchObject({ none: expect.stringMatching(scans.includes(op) ? /ONNX RNN, LSTM or GRU node/ : /training|optimiser/) });
    }
  });
});
