// The executor: runs a plan over buffers allocated once. Every step's input and output views are
// resolved at construction, so run() allocates nothing.
import { InternalError } from '../errors.js';
import type { Plan } from '../compile/plan.js';
import { OPS, type OpName, isOpName } from '../graph/ops/index.js';
import type { Buf, Step } from '../graph/types.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Rng } from '../tensor/rng.js';

export type DType = 'float32' | 'float64';

interface BoundStep {
  // biome-ignore lint/suspicious/noExplicitAny: each op has its own attribute and prep types, and a table of ops holds them all
  readonly forward: (k: Kernels, ins: readonly Buf[], out: Buf, step: Step<any, any>) => void;
  readonly ins: Buf[];
  readonly out: Buf;
  // biome-ignore lint/suspicious/noExplicitAny: each op has its own attribute and prep types, and a table of ops holds them all
  readonly step: Step<any, any>;
}

export class Executor {
  readonly plan: Plan;
  readonly kernels: Kernels;
  private readonly views = new Map<number, Buf>();
  private readonly bound: BoundStep[];
  private readonly masks: { buf: Buf; keep: number; scale: number }[] = [];

  /**
   * `params` maps parameter names to their buffers (shared, not copied: an optimizer updating
   * them in place is seen by the next run). Buffers must match `dtype`.
   */
  constructor(plan: Plan, kernels: Kernels, params: ReadonlyMap<string, Buf>, dtype: DType = 'float32') {
    this.plan = plan;
    this.kernels = kernels;
    const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
    const arena = new Ctor(plan.arenaSize);
    const persistent = new Ctor(plan.persistentSize);
    for (const [id, s] of plan.storage) {
      const node = plan.graph.nodes[id];
      let view: Buf;
      if (s.kind === 'param') {
        const p = params.get(s.name);
        if (!p) throw new InternalError(`no buffer for parameter '${s.name}'`, { node: s.name });
        if (p.length !== s.size || !(p instanceof Ctor)) throw new InternalError(`parameter '${s.name}' buffer does not fit`, { node: s.name });
        view = p;
      } else {
        const base = s.kind === 'arena' ? arena : persistent;
        view = base.subarray(s.offset, s.offset + s.size);
      }
      if (node.op === 'const') {
        if (Array.isArray(node.attrs.values)) view.set(node.attrs.values as number[]);
        else view.fill(node.attrs.value as number);
      }
      if (node.op === 'random') this.masks.push({ buf: view, keep: node.attrs.keep as number, scale: node.attrs.scale as number });
      this.views.set(id, view);
    }
    this.bound = plan.steps.map(({ node, step }) => ({
      forward: OPS[node.op as OpName].forward,
      ins: node.inputs.map((i) => this.views.get(i)!),
      out: this.views.get(node.id)!,
      step,
    }));
  }

  /** The buffer holding a node's value (an input to fill, an output to read). */
  buffer(id: number): Buf {
    const b = this.views.get(id);
    if (!b) throw new InternalError(`node ${id} is not part of this plan`);
    return b;
  }

  /** Whether the plan has random masks, which run() then needs an RNG for. */
  get needsRng(): boolean {
    return this.masks.length > 0;
  }

  /** Runs every step; random masks are refilled first from `rng` (required when the plan has any). */
  run(rng?: Rng): void {
    this.fillMasks(rng);
    const k = this.kernels;
    const steps = this.bound;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      s.forward(k, s.ins, s.out, s.step);
    }
  }

  /**
   * Runs like run(), handing every value of the plan to `see` the moment it is complete: the
   * leaves (inputs, parameters, constants, masks) first, then each step's output right after the
   * step, before a later step may reuse its buffer. For looking at values, not for training.
   */
  runWatched(see: (id: number, value: Buf) => void, rng?: Rng): void {
    this.fillMasks(rng);
    for (const id of this.plan.order) if (!isOpName(this.plan.graph.nodes[id].op)) see(id, this.views.get(id)!);
    this.bound.forEach((s, i) => {
      s.forward(this.kernels, s.ins, s.out, s.step);
      see(this.plan.steps[i].node.id, s.out);
    });
  }

  private fillMasks(rng: Rng | undefined): void {
    for (const m of this.masks) {
      if (!rng) throw new InternalError('this plan has random masks and needs an RNG to run');
      const { buf, keep, scale } = m;
      for (let i = 0; i < buf.length; i++) buf[i] = rng.uniform() < keep ? scale : 0;
    }
  }
}
