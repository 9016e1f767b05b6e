// A checkpoint against the model (and optimizer) it is loaded into: eval, predict, --init and
// --resume need every tensor under the same name, kind and shape, with nothing missing and
// nothing extra; --resume also needs the optimizer state of the configured optimizer. And before
// training, whether the model can be checkpointed at all: names a checkpoint can hold and a size
// a checkpoint file can have.
import type { OptimizerConfig } from '../config/schema.js';
import { CheckpointError, oneLine } from '../errors.js';
import { sizeText } from '../io/read.js';
import { type Checkpoint, CHECKPOINT_MAX_BYTES } from './checkpoint.js';
import { nameProblem, quote } from './checkpoint-check.js';
import { slotNamesOf } from './checkpoint-optimizer.js';
import { base64Length } from './encode.js';

/** A tensor of a compiled model, as CompiledModel.params lists them. */
export interface ModelTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly kind: 'param' | 'state';
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
const KIND = { param: 'a parameter', state: 'a state tensor' } as const;

/** A tensor's name for a message, unquoted as warmStart writes it, control characters escaped. */
const named = (name: string) => oneLine(name, 120);

/**
 * Every way the checkpoint's tensors differ from the model's, in words (`w [4, 12] is not in the
 * checkpoint`, `w is [4, 16] in the checkpoint but [4, 12] in the model`, `v [3] is not in the
 * model`); empty when they match.
 */
function modelMismatches(ckpt: Checkpoint, model: readonly ModelTensor[]): string[] {
  const held = new Map<string, { shape: readonly number[]; kind: 'param' | 'state' }>();
  for (const [name, t] of ckpt.params) held.set(name, { shape: t.shape, kind: 'param' });
  for (const [name, t] of ckpt.state) held.set(name, { shape: t.shape, kind: 'state' });
  const names = new Set(model.map((p) => p.name));
  const problems: string[] = [];
  for (const p of model) {
    const s = held.get(p.name);
    if (!s) problems.push(`${named(p.name)} ${shapeText(p.shape)} is not in the checkpoint`);
    else if (s.kind !== p.kind) problems.push(`${named(p.name)} is ${KIND[s.kind]} in the checkpoint but ${KIND[p.kind]} in the model`);
    else if (s.shape.length !== p.shape.length || s.shape.some((d, i) => d !== p.shape[i])) {
      problems.push(`${named(p.name)} is ${shapeText(s.shape)} in the checkpoint but ${shapeText(p.shape)} in the model`);
    }
  }
  for (const [name, s] of held) if (!names.has(name)) problems.push(`${named(name)} ${shapeText(s.shape)} is not in the model`);
  return problems;
}

/** Throws a CheckpointError listing every mismatch between the checkpoint and the model's tensors. */
export function checkMatchesModel(ckpt: Checkpoint, model: readonly ModelTensor[], file: string): void {
  const problems = modelMismatches(ckpt, model);
  if (problems.length) {
    const shown = problems.length > 20 ? [...problems.slice(0, 20), `and ${problems.length - 20} more`] : problems;
    throw new CheckpointError(
      `checkpoint does not match the model: ${shown.join('; ')}`,
      { file },
      'the model needs every parameter under the same name and shape, and no others',
    );
  }
}

/**
 * For --resume: the checkpoint's optimizer must be the configured one, keeping exactly the slots
 * that configuration keeps (SGD and RMSProp keep a momentum slot only with momentum > 0).
 */
export function checkOptimizerMatches(ckpt: Checkpoint, config: OptimizerConfig, file: string): void {
  const { type, state } = ckpt.optimizer;
  if (type !== config.type) {
    throw new CheckpointError(`checkpoint holds the state of the optimizer ${quote(type)}, but the config uses ${config.type}`, { file });
  }
  const want = slotNamesOf(config);
  const have = Object.keys(state.slots).sort();
  if (want.join('\0') !== have.join('\0')) {
    const words = (s: string[]) => (s.length ? s.map(quote).join(', ') : 'none');
    throw new CheckpointError(`checkpoint holds the optimizer slots ${words(have)}, but the configured ${type} keeps ${words(want)}`, { file });
  }
}

/** An upper estimate of the checkpoint file of a model whose parameters each have `slots` optimizer slots. */
function checkpointBytesFor(model: readonly ModelTensor[], slots: number): number {
  let bytes = 1 << 20; // the fields besides the tensors, preprocessing included, and some room
  for (const p of model) {
    const name = Buffer.byteLength(p.name, 'utf8') * 2 + 16; // JSON escapes at most double a name
    const data = base64Length(4 * p.shape.reduce((a, d) => a * d, 1)) + name + 12;
    bytes += data + name + 40 + 20 * p.shape.length;
    if (p.kind === 'param') bytes += slots * data;
  }
  return bytes;
}

/**
 * Before training: throws a CheckpointError when the model could not be checkpointed, because a
 * tensor's name is empty or reserved (__proto__, constructor, prototype), or because its
 * checkpoint would exceed the largest file dlf reads.
 */
export function checkCheckpointable(model: readonly ModelTensor[], optimizer: OptimizerConfig): void {
  for (const p of model) {
    const bad = nameProblem(p.name);
    if (bad)
      throw new CheckpointError(`the model cannot be checkpointed: the tensor name ${quote(p.name)} ${bad}`, { node: p.name }, 'rename the layer or parameter');
  }
  const bytes = checkpointBytesFor(model, slotNamesOf(optimizer).length);
  if (bytes > CHECKPOINT_MAX_BYTES) {
    const count = model.reduce((s, p) => s + p.shape.reduce((a, d) => a * d, 1), 0);
    throw new CheckpointError(
      `the model cannot be checkpointed: its ${count} values and ${optimizer.type}'s slots need about ${sizeText(bytes)}, more than the ${sizeText(CHECKPOINT_MAX_BYTES)} a checkpoint file may have`,
      {},
      'use a smaller model',
    );
  }
}
