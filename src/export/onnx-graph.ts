// A small builder of an ONNX graph: nodes in the order they are added (which is a topological
// order, as ONNX requires), initializers, graph inputs and outputs, and value names that are
// unique in the graph. Constants are initializers; equal small constants are shared.
import { TextEncoder } from 'node:util';
import {
  type AttributeProto,
  AttributeType,
  DataType,
  type DataTypeCode,
  type Dim,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto.js';

/** An attribute value: a number is an INT when it is an integer unless `{ f }` says float. */
export type AttrValue = number | { f: number } | string | number[] | { floats: number[] } | string[] | { tensor: TensorProto };

/** A shape of a graph input or output: a size, or the symbolic batch axis `N`. */
export type IoShape = readonly (number | 'N')[];

const utf8 = new TextEncoder();

/** The symbolic name of the batch axis in inputs and outputs. */
export const BATCH = 'N';

export class OnnxGraph {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  /** Names that a node, an initializer or a graph input defines already. */
  private readonly defined = new Set<string>();
  private readonly shared = new Map<string, string>();
  /** Domains other than the default one that nodes use (e.g. ai.onnx.ml). */
  readonly domains = new Set<string>();

  /** Claims `name` for a graph input or output; a name can be claimed once. */
  reserve(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX value name '${name}' is used twice`);
    this.names.add(name);
    return name;
  }

  /** A value name not used yet: `hint`, or `hint_1`, `hint_2`, ... */
  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.names.has(name); k++) name = `${hint}_${k}`;
    this.names.add(name);
    return name;
  }

  /**
   * Adds a node computing `op` of `inputs`; returns the output's name. `out` is that name when it
   * was claimed (fresh(), reserve()) and nothing defines it yet, else a hint for a fresh name.
   */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, out?: string, domain?: string): string {
    return this.nodeOutputs(op, inputs, attrs, [out ?? op.toLowerCase()], domain)[0];
  }

  /**
   * Adds a node with several outputs (TopK's values and indices); `outs` are claimed names or
   * hints, one per output, as for node(); an empty string leaves an optional output unnamed.
   * Returns the outputs' names.
   */
  nodeOutputs(op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, outs: readonly string[], domain?: string): string[] {
    const output = outs.map((out) => (out === '' ? '' : this.names.has(out) && !this.defined.has(out) ? out : this.fresh(out)));
    for (const o of output) if (o !== '') this.defined.add(o);
    const node: NodeProto = {
      input: [...inputs],
      output,
      name: output.find((o) => o !== '') ?? this.fresh(op.toLowerCase()),
      opType: op,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    };
    if (domain !== undefined) {
      node.domain = domain;
      this.domains.add(domain);
    }
    this.nodes.push(node);
    return output;
  }

  /** An initializer holding `data` with shape `dims`; returns its name (`name` exactly when free, else a fresh one). */
  tensor(name: string, dims: readonly number[], type: DataTypeCode, data: ArrayLike<number> | readonly string[]): string {
    const t = tensorProto(dims, type, data);
    t.name = this.names.has(name) ? this.fresh(name) : this.reserve(name);
    this.defined.add(t.name);
    this.initializers.push(t);
    return t.name;
  }

  /** A float32 initializer. */
  floats(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    return this.tensor(name, dims, DataType.FLOAT, data);
  }

  /** A small constant, shared between all nodes that use the same one (same type, shape and values). */
  constant(type: DataTypeCode, dims: readonly number[], data: ArrayLike<number> | readonly string[], hint = 'const'): string {
    const key = `${type}|${dims.join(',')}|${JSON.stringify(Array.from(data as ArrayLike<unknown>, (v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v)))}`;
    let name = this.shared.get(key);
    if (name === undefined) {
      name = this.tensor(hint, dims, type, data);
      this.shared.set(key, name);
    }
    return name;
  }

  /** A scalar float32 constant. */
  scalar(v: number): string {
    return this.constant(DataType.FLOAT, [], [v], 'const_f');
  }

  /** An int64 vector constant (shapes, axes, indices). */
  ints(values: readonly number[], hint = 'const_i64'): string {
    return this.constant(DataType.INT64, [values.length], values, hint);
  }

  input(name: string, type: DataTypeCode, shape: IoShape, doc: string): string {
    this.inputs.push(valueInfo(this.reserve(name), type, shape, doc));
    this.defined.add(name);
    return name;
  }

  /** Declares `name` (a value some node computes) a graph output. */
  output(name: string, type: DataTypeCode, shape: IoShape, doc: string): void {
    this.outputs.push(valueInfo(name, type, shape, doc));
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  proto(name: string, doc: string): GraphProto {
    return { name, docString: doc, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

function valueInfo(name: string, type: DataTypeCode, shape: IoShape, doc: string): ValueInfoProto {
  const dim: Dim[] = shape.map((d) => (d === BATCH ? { dimParam: BATCH } : { dimValue: d as number }));
  return { name, docString: doc, type: { tensorType: { elemType: type, shape: { dim } } } };
}

/** A TensorProto of `data` (numbers as little-endian raw bytes, strings as UTF-8). */
export function tensorProto(dims: readonly number[], type: DataTypeCode, data: ArrayLike<number> | readonly string[]): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`a tensor of shape [${dims.join(', ')}] needs ${count} values, got ${data.length}`);
  const t: TensorProto = { dims: [...dims], dataType: type };
  if (type === DataType.STRING) {
    t.stringData = Array.from(data as readonly string[], (s) => utf8.encode(s));
    return t;
  }
  const nums = data as ArrayLike<number>;
  const size = type === DataType.DOUBLE || type === DataType.INT64 ? 8 : type === DataType.FLOAT ? 4 : 1;
  const bytes = new Uint8Array(count * size);
  const view = new DataView(bytes.buffer);
  // Raw data are little-endian whatever the host's byte order.
  for (let i = 0; i < count; i++) {
    const v = nums[i];
    switch (type) {
      case DataType.FLOAT:
        view.setFloat32(i * 4, v, true);
        break;
      case DataType.DOUBLE:
        view.setFloat64(i * 8, v, true);
        break;
      case DataType.INT64:
        view.setBigInt64(i * 8, BigInt(v), true);
        break;
      case DataType.BOOL:
      case DataType.UINT8:
        view.setUint8(i, v);
        break;
      default:
        throw new Error(`no raw encoding for ONNX data type ${type}`);
    }
  }
  t.rawData = bytes;
  return t;
}

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (write { f: ${v} } for a float)`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: utf8.encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((s) => utf8.encode(s)) };
    return { name, type: AttributeType.INTS, ints: v as number[] };
  }
  if ('f' in v) return { name, type: AttributeType.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: v.floats };
  return { name, type: AttributeType.TENSOR, t: v.tensor };
}
