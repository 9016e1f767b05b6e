// When a run writes its checkpoints (train.checkpoint_interval): however seldom they are written
// during training, the files at the end, after --stop-after and after an interrupt are the very
// bytes a checkpoint after every epoch gives (but for the config hash, which covers the interval
// when it is set), and a resume from them continues bit for bit.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import type { TrainEvent } from '../../src/train/events.js';
import { type TrainOptions, train } from '../../src/train/loop.js';
import { type PreparedRun, freshState, prepareResume, prepareRun } from '../../src/train/session.js';
import { K } from '../backend.js';
import { repo, tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// Adam slots, batchnorm running statistics and dropout: every kind of state a checkpoint holds.
const cfg = tmp.write(
  'writer.yaml',
  `name: writer
seed: 11
data: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species}
model:
  layers:
    - {type: dense, units: 8, activation: relu}
    - {type: batchnorm}
    - {type: dropout, rate: 0.1}
    - {type: dense, units: 3}
train:
  epochs: 6
  batch_size: 16
  optimizer: {type: adam, lr: 0.02}
`,
);

/** The options that train a prepared run into `out` from `state`. */
function optionsOf(prepared: PreparedRun, out: string, state: TrainOptions['state']): TrainOptions {
  return {
    config: prepared.resolved.config,
    configHash: prepared.resolved.hash,
    configFile: prepared.resolved.file,
    model: prepared.model,
    data: prepared.data,
    kernels: K,
    outDir: out,
    state,
  };
}

async function run(name: string, set: string[], extra: Partial<TrainOptions> = {}) {
  const out = join(tmp.dir, name);
  const prepared = prepareRun(cfg, set);
  const events: TrainEvent[] = [];
  const opts: TrainOptions = { ...optionsOf(prepared, out, freshState(prepared)), onEvent: (e) => events.push(e), ...extra };
  let error: unknown;
  try {
    await train(opts);
  } catch (e) {
    error = e;
  }
  return { out, events, error };
}

async function resume(out: string) {
  const { run: prepared, state } = prepareResume(out, {});
  await train(optionsOf(prepared, out, state));
}

const bytes = (out: string, file: string) => readFileSync(join(out, 'checkpoints', file));
/** Whether two checkpoint files are the same bytes once their config hashes are made the same. */
function sameBut(a: string, b: string, file: string): boolean {
  const [ta, tb] = [bytes(a, file).toString(), bytes(b, file).toString()];
  const hash = (t: string) => JSON.parse(t).configHash as string;
  return ta.replace(hash(ta), hash(tb)) === tb;
}
const lines = (out: string) =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { seconds: _s, ...rest } = JSON.parse(l);
      return rest;
    });
const writes = (events: TrainEvent[], kind: 'last' | 'best') =>
  events.filter((e) => e.type === 'checkpoint' && e.kind === kind).map((e) => (e as { epoch: number }).epoch);

describe('train.checkpoint_interval', () => {
  it('0 writes after every epoch; a long interval writes once at the end, the same bytes', async () => {
    const every = await run('every', ['train.checkpoint_interval=0']);
    const once = await run('once', ['train.checkpoint_interval=1000']);
    expect(writes(every.events, 'last')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(writes(once.events, 'last')).toEqual([6]);
    expect(writes(once.events, 'best')).toEqual([writes(every.events, 'best').at(-1)]);
    for (const f of ['last.json', 'best.json']) expect(sameBut(once.out, every.out, f)).toBe(true);
    expect(lines(once.out)).toEqual(lines(every.out));
  });

  it('--stop-after writes the checkpoints of the epoch it pauses at', async () => {
    const paused = await run('paused', ['train.checkpoint_interval=1000'], { stopAfter: 3 });
    const every = await run('paused-every', ['train.checkpoint_interval=0'], { stopAfter: 3 });
    expect(writes(paused.events, 'last')).toEqual([3]);
    for (const f of ['last.json', 'best.json']) expect(sameBut(paused.out, every.out, f)).toBe(true);
  });

  it('an interrupt mid-epoch writes the last finished epoch, from which a resume continues bit for bit', async () => {
    // 150 training samples less 20% held out, in batches of 16: 8 batches an epoch. The loop asks
    // once per batch; this signal says yes in the 4th batch of epoch 4, after 3 of its updates.
    let asked = 0;
    const signal = {
      get aborted() {
        return ++asked > 3 * 8 + 3;
      },
    } as AbortSignal;
    const cut = await run('cut', ['train.checkpoint_interval=1000'], { signal });
    expect(cut.error).toBeInstanceOf(InterruptedError);
    expect(JSON.parse(bytes(cut.out, 'last.json').toString()).epoch).toBe(3);
    for (const f of ['last.json', 'best.json']) expect(sameBut(cut.out, join(tmp.dir, 'paused-every'), f)).toBe(true);
    // A process killed while appending leaves a line cut short; resuming drops it.
    appendFileSync(join(cut.out, 'metrics.jsonl'), '{"epoch":4,"st');
    await resume(cut.out);
    const whole = join(tmp.dir, 'once'); // the same config, trained in one go
    for (const f of ['last.json', 'best.json']) expect(bytes(cut.out, f).equals(bytes(whole, f))).toBe(true);
    expect(lines(cut.out)).toEqual(lines(whole));
  });
});
