// The planner: orders the nodes a set of outputs needs, computes each buffer's lifetime (from the
// step that writes it to the last step that reads it) and packs buffers whose lifetimes do not
// overlap into the same memory. Views (reshape) share their input's buffer and extend its life.
// An elementwise op marked `inPlace` writes over an input of its shape whose value dies at its
// step (no later step reads it, and it is an arena value: never an output, input, constant or
// parameter).
// Planning is two steps: the layout (order, lifetimes, offsets and sizes: numbers only, nothing
// allocated in proportion to the tensors) and preparing each step (the ops' plan-time tables), so
// that the memory check of compiling can add up every byte between the two.
import { InternalError } from '../errors.js';
import type { Graph } from '../graph/builder.js';
import { OPS, isOpName } from '../graph/ops/index.js';
import type { Node, Step } from '../graph/types.js';
import { sameShape, sizeOf } from '../tensor/shape.js';

/** Where a node's values live: a slot of the shared arena, a persistent slot, or a parameter (or state) bound by name. */
export type Storage =
  | { kind: 'arena'; offset: number; size: number }
  | { kind: 'persistent'; offset: number; size: number }
  | { kind: 'param'; name: string; size: number };

export interface PlanStep {
  readonly node: Node;
  // biome-ignore lint/suspicious/noExplicitAny: each op has its own attribute and prep types, and a table of ops holds them all
  readonly step: Step<any, any>;
}

/** Where every value of a plan lives, decided before anything is allocated. */
export interface Layout {
  readonly graph: Graph;
  /** Ids of the nodes the outputs need, leaves included, in the order they run. */
  readonly order: readonly number[];
  /** Storage of every node the plan touches, by node id. */
  readonly storage: ReadonlyMap<number, Storage>;
  /** Elements of the shared arena and of the persistent area (inputs, constants, outputs). */
  readonly arenaSize: number;
  readonly persistentSize: number;
  /** Elements all intermediate values would take without reuse. */
  readonly unplannedSize: number;
  /** Steps that write their output over a dying input's buffer, by node id (the input's id). */
  readonly inPlace: ReadonlyMap<number, number>;
  readonly outputs: readonly number[];
}

export interface Plan extends Layout {
  /** Nodes run in this order (leaves excluded). */
  readonly steps: readonly PlanStep[];
}

/** Plans the computation of `outputs`: its layout, then each step prepared. */
export function planGraph(graph: Graph, outputs: readonly number[]): Plan {
  return prepareLayout(layoutGraph(graph, outputs));
}

/**
 * Lays out the computation of `outputs`. Inputs, constants and the outputs themselves are
 * persistent; parameters live outside the plan; every other value gets arena memory only for
 * its lifetime.
 */
export function layoutGraph(graph: Graph, outputs: readonly number[]): Layout {
  const nodes = graph.nodes;
  // Needed nodes, in id order (ids are topological).
  const need = new Set<number>(outputs);
  for (let id = nodes.length - 1; id >= 0; id--) if (need.has(id)) for (const i of nodes[id].inputs) need.add(i);
  const order = [...need].sort((a, b) => a - b);

  // Storage roots: a view's root is its input's root.
  const root = new Map<number, number>();
  for (const id of order) {
    const n = nodes[id];
    root.set(id, isOpName(n.op) && OPS[n.op].alias ? root.get(n.inputs[0])! : id);
  }
  const outputRoots = new Set(outputs.map((o) => root.get(o)!));

  // Last step reading each root.
  const lastUse = new Map<number, number>();
  order.forEach((id, t) => {
    lastUse.set(root.get(id)!, Math.max(lastUse.get(root.get(id)!) ?? t, t));
    for (const i of nodes[id].inputs) lastUse.set(root.get(i)!, t);
  });

  const storage = new Map<number, Storage>();
  let persistentSize = 0;
  let arenaSize = 0;
  let unplannedSize = 0;
  const free: { offset: number; size: number }[] = [];
  const held = new Map<number, { offset: number; size: number }>();
  const inPlace = new Map<number, number>();
  /** An input of `n` whose arena block `n` may take over at step t: same shape, read by no later step. */
  const reusableInput = (n: Node, t: number): number | undefined => {
    if (!isOpName(n.op) || !OPS[n.op].inPlace) return undefined;
    for (const i of n.inputs) {
      const ri = root.get(i)!;
      if (held.has(ri) && lastUse.get(ri) === t && sameShape(nodes[i].shape, n.shape)) return i;
    }
    return undefined;
  };

  order.forEach((id, t) => {
    const n = nodes[id];
    const size = sizeOf(n.shape);
    const r = root.get(id)!;
    if (r !== id) {
      storage.set(id, storage.get(r)!);
    } else if (n.op === 'param' || n.op === 'state') {
      storage.set(id, { kind: 'param', name: n.name, size });
    } else if (n.op === 'input' || n.op === 'const' || n.op === 'random' || outputRoots.has(id)) {
      storage.set(id, { kind: 'persistent', offset: persistentSize, size });
      persistentSize += size;
    } else if (reusableInput(n, t) !== undefined) {
      unplannedSize += size;
      const i = reusableInput(n, t)!;
      const block = held.get(root.get(i)!)!;
      held.delete(root.get(i)!);
      held.set(id, block);
      inPlace.set(id, i);
      storage.set(id, { kind: 'arena', offset: block.offset, size });
    } else {
      unplannedSize += size;
      // Best fit among freed blocks; else a new block at the end of the arena.
      let best = -1;
      for (let b = 0; b < free.length; b++) if (free[b].size >= size && (best < 0 || free[b].size < free[best].size)) best = b;
      const block = best >= 0 ? free.splice(best, 1)[0] : { offset: arenaSize, size };
      if (best < 0) arenaSize += size;
      held.set(id, block);
      storage.set(id, { kind: 'arena', offset: block.offset, size });
    }
    // Release every arena block whose last reader is this step (never the block just written
    // unless nothing reads it later).
    for (const [rid, block] of held) {
      if ((lastUse.get(rid) ?? t) <= t) {
        held.delete(rid);
        free.push(block);
      }
    }
  });

  return { graph, order, storage, arenaSize, persistentSize, unplannedSize, inPlace, outputs: [...outputs] };
}

/** Prepares every step of a layout: the ops' plan-time tables are allocated here. */
export function prepareLayout(layout: Layout): Plan {
  const nodes = layout.graph.nodes;
  const steps: PlanStep[] = [];
  for (const id of layout.order) {
    const n = nodes[id];
    if (!isOpName(n.op)) continue;
    const def = OPS[n.op];
    const inShapes = n.inputs.map((i) => nodes[i].shape);
    try {
      const prep = def.prepare ? def.prepare(inShapes, n.shape, n.attrs) : undefined;
      steps.push({ node: n, step: { inShapes, outShape: n.shape, attrs: n.attrs, prep } });
    } catch (e) {
      throw new InternalError(`cannot prepare ${n.op}: ${(e as Error).message}`, { node: n.name });
    }
  }
  return { ...layout, steps };
}

/** Bytes the steps of a layout allocate when prepared (their ops' prepareBytes), without preparing them. */
export function prepareBytes(layout: Layout): number {
  const nodes = layout.graph.nodes;
  let bytes = 0;
  for (const id of layout.order) {
    const n = nodes[id];
    const estimate = isOpName(n.op) ? OPS[n.op].prepareBytes : undefined;
    if (estimate)
      bytes += estimate(
        n.inputs.map((i) => nodes[i].shape),
        n.shape,
        n.attrs,
      );
  }
  return bytes;
}

/** Bytes of float32 memory a plan takes, and what it would take without buffer reuse. */
export function planMemory(plan: Layout): { plannedBytes: number; unplannedBytes: number; persistentBytes: number } {
  return {
    plannedBytes: plan.arenaSize * 4,
    unplannedBytes: plan.unplannedSize * 4,
    persistentBytes: plan.persistentSize * 4,
  };
}
