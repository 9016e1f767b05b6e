// The memory check of compiling. Before a program's plan is prepared (its tables allocated), and
// so before its parameters, optimizer slots and buffers can be, the bytes they take are added up
// from the layout and the parameter shapes and compared with two limits: the memory bound for the
// whole program (by default half of this machine's memory; --max-memory changes it), and what one
// typed array can hold for each single buffer. Sizes are float products of shapes: past 2^53 they
// are no longer exact, but they still compare correctly with both limits. Past either limit,
// compiling stops with a ConfigError at the config key responsible: train.batch_size when one
// sample would fit (with the largest batch that does), else the size key of the layer (or the
// shape of the graph-form parameter) that takes the most memory.
import { constants } from 'node:buffer';
import { totalmem } from 'node:os';
import type { OptimizerConfig } from '../config/schema.js';
import { ConfigError, type Place } from '../errors.js';
import { sizeOf } from '../tensor/shape.js';
import { formatBytes } from './bytes.js';
import type { ProgramLayout } from './program.js';
import type { Locator } from './model.js';
import { prepareBytes } from './plan.js';

/** Bytes of a float32, the type of every parameter, slot and buffer of training. */
const F32 = 4;

/**
 * The most elements one buffer may have: what one typed array can hold here (2^32 in Node.js 20 on
 * 64-bit machines), and below 2^31, since the kernels' index tables (kernels/plans.ts) are
 * Int32Arrays of element offsets.
 */
export const MAX_BUFFER_ELEMENTS: number = Math.min(constants.MAX_LENGTH, 2 ** 31 - 1);

/**
 * The default bound as a fraction of the machine's memory. The check counts the training step's
 * buffers only; the data set (held whole), the evaluation programs, checkpoints being encoded,
 * V8's heap and the rest of the machine need the other half.
 */
const DEFAULT_MEMORY_FRACTION = 0.5;

/** The default bound for a machine with `total` bytes, or a cgroup limit of `constrained` bytes when smaller. */
export function memoryBoundFor(total: number, constrained: number | undefined): number {
  const limit = constrained !== undefined && constrained > 0 ? Math.min(total, constrained) : total;
  return Math.floor(DEFAULT_MEMORY_FRACTION * limit);
}

/** The default memory bound here: half of os.totalmem(), or of the process's cgroup limit when that is smaller. */
export function defaultMemoryBound(): number {
  return memoryBoundFor(totalmem(), process.constrainedMemory?.());
}

/** Buffers per trainable parameter an optimizer keeps (its slots, see train/optimizers.ts). */
export function optimizerSlots(opt: OptimizerConfig): number {
  switch (opt.type) {
    case 'sgd':
      return opt.momentum > 0 ? 1 : 0;
    case 'adagrad':
      return 1;
    case 'rmsprop':
      return opt.momentum > 0 ? 2 : 1;
    case 'adam':
    case 'adamw':
      return 2;
  }
}

/** Bytes a program needs, by what holds them. */
export interface MemoryNeed {
  /** Parameters and state tensors (running statistics). */
  readonly parameters: number;
  /** The optimizer's slots (training programs only). */
  readonly optimizer: number;
  /** The plan's arena: activations and intermediate values, with buffer reuse. */
  readonly arena: number;
  /** The plan's persistent buffer: inputs, constants, dropout masks and outputs (loss, gradients). */
  readonly persistent: number;
  /** The plan's tables (index offsets; the kernels' conv working buffers are not the plan's). */
  readonly tables: number;
  readonly total: number;
}

interface OneBuffer {
  readonly what: string;
  readonly elements: number;
  /** The parameter it holds, if it is one. */
  readonly param?: string;
}

interface Footprint {
  readonly need: MemoryNeed;
  /**
   * The buffer a typed array cannot hold, if any: the largest parameter first (the plan's
   * persistent buffer holds its gradient too, but the parameter is the cause), then the plan's.
   */
  readonly oversize?: OneBuffer;
}

function footprint(p: ProgramLayout, slots: number): Footprint {
  const elements = (kind?: 'param') => p.params.filter((q) => !kind || q.kind === kind).reduce((s, q) => s + sizeOf(q.shape), 0);
  const parts = {
    parameters: F32 * elements(),
    optimizer: p.mode === 'train' ? F32 * slots * elements('param') : 0,
    arena: F32 * p.layout.arenaSize,
    persistent: F32 * p.layout.persistentSize,
    tables: prepareBytes(p.layout),
  };
  const need = { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
  const params: OneBuffer[] = p.params.map((q) => ({ what: `the parameter '${q.name}'`, elements: sizeOf(q.shape), param: q.name }));
  const largest = params.reduce<OneBuffer | undefined>((a, b) => (!a || b.elements > a.elements ? b : a), undefined);
  const buffers: OneBuffer[] = [
    ...(largest ? [largest] : []),
    { what: `the plan's activation arena at batch ${p.batch}`, elements: p.layout.arenaSize },
    { what: `the plan's buffer of inputs, outputs and gradients at batch ${p.batch}`, elements: p.layout.persistentSize },
  ];
  return { need, oversize: buffers.find((b) => !(b.elements <= MAX_BUFFER_ELEMENTS)) };
}

type Problem = 'buffer' | 'total' | undefined;

function problemOf(f: Footprint, bound: number): Problem {
  if (f.oversize) return 'buffer';
  if (!(f.need.total <= bound)) return 'total';
  return undefined;
}

/** A layer, graph node or graph-form parameter, with the memory it accounts for. */
interface Owner {
  /** Its config key path (a layer's map, a graph node, a parameter's shape). */
  readonly key: (string | number)[];
  readonly type: string;
  paramBytes: number;
  activationBytes: number;
}

/** The owner of a node or parameter name: the longest scope it lies under. */
function ownerOf(byScope: ReadonlyMap<string, Owner>, name: string): Owner | undefined {
  const parts = name.split('/');
  for (let k = parts.length; k > 0; k--) {
    const o = byScope.get(parts.slice(0, k).join('/'));
    if (o) return o;
  }
  return undefined;
}

/**
 * Who holds what, by scope: every parameter (with its gradient and optimizer slots) and every
 * forward value counted towards the layer whose scope names it; a graph-form parameter outside
 * every layer counts towards itself. Backward values are left out: autodiff names the gradient of
 * a layer's output after the layer that reads it, and the gradients mirror the forward values anyway.
 */
function owners(p: ProgramLayout, slots: number): Map<string, Owner> {
  const byScope = new Map<string, Owner>();
  for (const l of p.layers) byScope.set(l.scope, { key: [...l.key], type: l.type, paramBytes: 0, activationBytes: 0 });
  const copies = (kind: 'param' | 'state') => (kind === 'state' ? 1 : p.mode === 'train' ? 2 + slots : 1);
  for (const q of p.params) {
    let o = ownerOf(byScope, q.name);
    if (!o) {
      o = { key: ['model', 'graph', 'params', q.name, 'shape'], type: 'param', paramBytes: 0, activationBytes: 0 };
      byScope.set(q.name, o);
    }
    o.paramBytes += F32 * copies(q.kind) * sizeOf(q.shape);
  }
  for (const id of p.layout.order) {
    const n = p.graph.nodes[id];
    if (n.op === 'param' || n.op === 'state' || n.name.startsWith('grad/')) continue;
    const o = ownerOf(byScope, n.name);
    if (o) o.activationBytes += F32 * sizeOf(n.shape);
  }
  return byScope;
}

/** The key that sizes an owner: a dense layer's units, a conv's filters, an embedding's vocab or dim. */
function sizeKey(o: Owner): (string | number)[] {
  switch (o.type) {
    case 'dense':
      return [...o.key, 'units'];
    case 'conv2d':
      return [...o.key, 'filters'];
    case 'embedding':
      return [...o.key, o.paramBytes >= o.activationBytes ? 'vocab' : 'dim'];
    default:
      return o.key;
  }
}

/** The size key of the owner of `param`, or else of the owner holding the most. */
function responsible(p: ProgramLayout, slots: number, param?: string): (string | number)[] {
  const all = owners(p, slots);
  const held = (o: Owner) => o.paramBytes + o.activationBytes;
  const o =
    (param !== undefined ? ownerOf(all, param) : undefined) ??
    [...all.values()].reduce<Owner | undefined>((a, b) => (!a || held(b) > held(a) ? b : a), undefined);
  return o ? sizeKey(o) : ['model'];
}

/** The largest batch below `batch` at which the program has no problem; undefined when even one sample has one. */
function largestBatch(rebuild: (batch: number) => ProgramLayout, batch: number, slots: number, bound: number): number | undefined {
  const fits = (b: number) => {
    try {
      return problemOf(footprint(rebuild(b), slots), bound) === undefined;
    } catch {
      return false; // a graph whose shapes hold the batch size itself
    }
  };
  if (batch <= 1 || !fits(1)) return undefined;
  let lo = 1;
  let hi = batch;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Where a key is written, or the nearest enclosing key that is (a default value has no line); the path stays the key's. */
function placeOf(locate: Locator, key: (string | number)[]): Place {
  const full = locate(key);
  for (let k = key.length; k > 0; k--) {
    const p = locate(key.slice(0, k));
    if (p.line !== undefined) return { ...p, path: full.path };
  }
  return full;
}

const elementsText = (n: number) => (Number.isSafeInteger(n) ? n.toLocaleString('en-US') : `about ${n.toPrecision(3)}`);

function needText(n: MemoryNeed, mode: ProgramLayout['mode'], opt: OptimizerConfig, slots: number): string {
  const parts = [`parameters ${formatBytes(n.parameters)}`];
  if (mode === 'train') parts.push(`optimizer state ${formatBytes(n.optimizer)} (${opt.type}: ${slots} slot${slots === 1 ? '' : 's'})`);
  parts.push(`activations ${formatBytes(n.arena)}`, `inputs, outputs and gradients ${formatBytes(n.persistent)}`, `plan tables ${formatBytes(n.tables)}`);
  return parts.join(', ');
}

export interface MemoryCheck {
  /** The bound in bytes for everything the program needs. */
  readonly bound: number;
  readonly optimizer: OptimizerConfig;
  /** Where config keys are written. */
  readonly locate: Locator;
  /** The same program laid out at another batch size (for blaming the batch). */
  readonly rebuild: (batch: number) => ProgramLayout;
}

/** What a program needs, by part; computed from its layout, nothing allocated. */
export function memoryNeed(p: ProgramLayout, optimizer: OptimizerConfig): MemoryNeed {
  return footprint(p, optimizerSlots(optimizer)).need;
}

/** Throws a ConfigError at the key responsible when the program needs more than the bound, or one buffer more than a typed array holds. */
export function checkMemory(p: ProgramLayout, c: MemoryCheck): void {
  const slots = optimizerSlots(c.optimizer);
  const f = footprint(p, slots);
  const problem = problemOf(f, c.bound);
  if (problem === undefined) return;
  const param = f.oversize?.param;
  const batch = param === undefined ? largestBatch(c.rebuild, p.batch, slots, c.bound) : undefined;
  const key = batch !== undefined ? ['train', 'batch_size'] : responsible(p, slots, param);
  const atBatch = batch !== undefined ? ` at batch ${p.batch}` : '';
  const fitsHint = batch !== undefined ? `a train.batch_size of at most ${batch} fits` : undefined;
  let message: string;
  let hint: string | undefined;
  if (problem === 'buffer') {
    const l = f.oversize!;
    message =
      `${l.what} needs ${elementsText(l.elements)} elements (${formatBytes(F32 * l.elements)}) in one buffer, ` +
      `but dlf allows at most ${elementsText(MAX_BUFFER_ELEMENTS)} elements per buffer`;
    hint = fitsHint;
  } else {
    message =
      `the model needs ${formatBytes(f.need.total)}${atBatch} (${needText(f.need, p.mode, c.optimizer, slots)}) ` +
      `but the memory bound is ${formatBytes(c.bound)}`;
    hint = fitsHint ? `${fitsHint}; or use --max-memory to change the bound` : 'use --max-memory to change it';
  }
  throw new ConfigError([{ place: placeOf(c.locate, key), message, ...(hint ? { hint } : {}) }]);
}
