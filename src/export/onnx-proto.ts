// The ONNX protobuf messages dlf writes (a subset of onnx.proto at IR version 8), declared as a
// protobufjs reflection schema, and the encoder and decoder of a ModelProto. Field names and
// numbers are onnx.proto's; fields dlf never writes (sparse tensors, training info, functions,
// external data) are left out, which a decoder skips as unknown fields. Every message has
// onnx.proto's proto2 semantics: a field that is set is written even when it holds 0 (an
// attribute `axis: 0` stays in the file), and repeated numbers are unpacked unless marked packed.
// This module loads protobufjs: import it only where a model is encoded (dlf export), lazily.
import protobufLight from 'protobufjs/light.js';

/** The IR version of the models dlf writes (ONNX 1.10 to 1.13 read and write IR 8). */
export const IR_VERSION = 8;
/** The default-domain operator set dlf's models import. */
export const OPSET = 17;
/** The ai.onnx.ml operator set, imported only by models with categorical inputs (LabelEncoder). */
export const ML_DOMAIN = 'ai.onnx.ml';
export const ML_OPSET = 3;

/** TensorProto.DataType values dlf uses. */
export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values dlf uses. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name?: string;
  dims: number[];
  dataType: DataTypeCode;
  /** Little-endian element bytes (numeric types). */
  rawData?: Uint8Array;
  /** One UTF-8 byte string per element (STRING tensors). */
  stringData?: Uint8Array[];
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain?: string;
  attribute: AttributeProto[];
  docString?: string;
}

/** A dimension: a fixed size, or a symbolic one (the batch axis, `N`). */
export type Dim = { dimValue: number } | { dimParam: string };

export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: DataTypeCode; shape: { dim: Dim[] } } };
  docString?: string;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphProto;
  metadataProps: { key: string; value: string }[];
}

/** The schema: message name → fields (type, number, and `repeated` where the field is a list). */
const MESSAGES = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: {
            tensorType: { type: 'TypeProtoTensor', id: 1 },
            denotation: { type: 'string', id: 6 },
          },
        },
        TypeProtoTensor: {
          fields: {
            elemType: { type: 'int32', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'Dimension', id: 1 },
          },
        },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: {
            dimValue: { type: 'int64', id: 1 },
            dimParam: { type: 'string', id: 2 },
            denotation: { type: 'string', id: 3 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
            int32Data: { rule: 'repeated', type: 'int32', id: 5, options: { packed: true } },
            stringData: { rule: 'repeated', type: 'bytes', id: 6 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: { packed: true } },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            doubleData: { rule: 'repeated', type: 'double', id: 10, options: { packed: true } },
            docString: { type: 'string', id: 12 },
          },
        },
      },
    },
  },
};

type ProtobufLight = typeof import('protobufjs/light.js');
const protobuf = protobufLight as unknown as ProtobufLight;
/** Every message of MESSAGES with proto2 field presence (protobufjs otherwise skips zeros). */
const SCHEMA = {
  nested: {
    onnx: {
      nested: Object.fromEntries(Object.entries(MESSAGES.nested.onnx.nested).map(([name, m]) => [name, { edition: 'proto2', ...m }])),
    },
  },
};
const root = protobuf.Root.fromJSON(SCHEMA);
const Model = root.lookupType('onnx.ModelProto');

/** The bytes of a model file. */
export function encodeModel(model: ModelProto): Uint8Array {
  const problem = Model.verify(model);
  if (problem) throw new Error(`ONNX model does not fit the schema: ${problem}`);
  return Model.encode(Model.fromObject(model)).finish();
}

/**
 * A model file read back, with 64-bit integers as numbers and bytes as Uint8Array (tests and
 * tools; dlf itself never reads ONNX).
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return Model.toObject(Model.decode(bytes), { longs: Number, bytes: Array, defaults: false, arrays: true }) as ModelProto;
}
