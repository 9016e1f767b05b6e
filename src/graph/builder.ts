// The graph builder: adds nodes in topological order, infers each node's static shape with its
// op's shape rule as it is added, and names it deterministically from the current scope.
// A builder has a lifecycle (it grows), so it is a class; the Graph it yields is plain data.
import { ShapeError, type Place } from '../errors.js';
import { type Shape, shapeStr, sizeOf } from '../tensor/shape.js';
import { OPS, type OpName } from './ops/index.js';
import type { Attrs, LeafKind, Node } from './types.js';

export interface Graph {
  readonly nodes: readonly Node[];
  /** Node id by name. */
  readonly byName: ReadonlyMap<string, number>;
}

export class GraphBuilder {
  private readonly nodeList: Node[] = [];
  private readonly names = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private scopes: string[] = [];
  private place: Place = {};

  /** Starts from an existing graph (to append a backward pass to it). */
  constructor(base?: Graph) {
    if (base) for (const n of base.nodes) this.push(n);
  }

  get graph(): Graph {
    return { nodes: this.nodeList, byName: this.names };
  }

  node(id: number): Node {
    const n = this.nodeList[id];
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  shapeOf(id: number): Shape {
    return this.node(id).shape;
  }

  /** Runs `fn` with `name` appended to the scope used for node names. */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Runs `fn` with `name` as the whole scope, whatever scope the caller is in (nodes shared by layers). */
  rootScope<T>(name: string, fn: () => T): T {
    const saved = this.scopes;
    this.scopes = [name];
    try {
      return fn();
    } finally {
      this.scopes = saved;
    }
  }

  /** Runs `fn` with `place` attached to any shape error it raises (a YAML line, a layer). */
  at<T>(place: Place, fn: () => T): T {
    const saved = this.place;
    this.place = { ...saved, ...place };
    try {
      return fn();
    } finally {
      this.place = saved;
    }
  }

  input(name: string, shape: Shape): number {
    return this.leaf('input', name, shape, {});
  }

  param(name: string, shape: Shape): number {
    return this.leaf('param', name, shape, {});
  }

  /** A non-trainable tensor kept across steps (e.g. a running mean), bound by name like a parameter. */
  state(name: string, shape: Shape): number {
    return this.leaf('state', name, shape, {});
  }

  /** A mask refilled before every run: `scale` with probability `keep`, else 0. */
  random(shape: Shape, keep: number, scale: number): number {
    return this.leaf('random', this.autoName('random'), shape, { keep, scale });
  }

  /** A constant tensor filled with `value` (a scalar by default). */
  constant(value: number, shape: Shape = []): number {
    return this.leaf('const', this.autoName(`const`), shape, { value });
  }

  /** A constant vector holding `values` (e.g. one weight per class). */
  constantValues(values: readonly number[]): number {
    return this.leaf('const', this.autoName(`const`), [values.length], { values: [...values] });
  }

  /** Adds a node applying a primitive op; `name` overrides the automatic scoped name. */
  apply(op: OpName, inputs: readonly number[], attrs: Attrs = {}, name?: string): number {
    const def = OPS[op];
    const fullName = name !== undefined ? this.scoped(name) : this.autoName(op);
    if (def === undefined) throw new ShapeError(`unknown op '${op}'`, { ...this.place, node: fullName });
    if (inputs.length !== def.arity) {
      throw new ShapeError(`op '${op}' takes ${def.arity} input(s), got ${inputs.length}`, { ...this.place, node: fullName });
    }
    const inShapes = inputs.map((i) => this.shapeOf(i));
    let shape: Shape;
    try {
      shape = def.shape(inShapes, attrs as never);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const got = inputs.map((i) => `${this.node(i).name} ${shapeStr(this.shapeOf(i))}`).join(', ');
      throw new ShapeError(`${op}: ${why}; inputs: ${got}`, { ...this.place, node: fullName });
    }
    return this.push({ id: this.nodeList.length, op, inputs: [...inputs], attrs, shape: [...shape], name: fullName });
  }

  private leaf(kind: LeafKind, name: string, shape: Shape, attrs: Attrs): number {
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError(`${kind} '${name}' has an invalid shape ${shapeStr(shape)}`, { ...this.place, node: name });
    }
    const full = kind === 'const' || kind === 'random' ? name : this.scoped(name);
    return this.push({ id: this.nodeList.length, op: kind, inputs: [], attrs, shape: [...shape], name: full });
  }

  private push(n: Node): number {
    if (this.names.has(n.name)) throw new ShapeError(`two nodes are named '${n.name}'`, { ...this.place, node: n.name });
    if (!Number.isFinite(sizeOf(n.shape))) throw new ShapeError(`node '${n.name}' has no finite size`, { ...this.place, node: n.name });
    this.nodeList.push(n);
    this.names.set(n.name, n.id);
    return n.id;
  }

  private scoped(name: string): string {
    return this.scopes.length ? `${this.scopes.join('/')}/${name}` : name;
  }

  private autoName(op: string): string {
    const base = this.scoped(op);
    let k = this.counters.get(base) ?? 0;
    while (this.names.has(`${base}:${k}`)) k++;
    this.counters.set(base, k + 1);
    return `${base}:${k}`;
  }
}
