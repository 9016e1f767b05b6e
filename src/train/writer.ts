// What a training run writes while it trains, and when. metrics.jsonl gets one line appended per
// epoch and is synced to disk before every checkpoint write and at the end, so it always covers
// the epoch of the last checkpoint. checkpoints/last.json and best.json are written after an epoch
// once `intervalMs` has passed since the last write, and by flush(), which the loop calls when
// training ends, pauses, is interrupted or fails. Until then the checkpoint of the last finished
// epoch (and of the best one) is held in memory as a copy, so a file written later holds exactly
// the bytes it would have held had it been written at that epoch. Every write is durable
// (io/write.ts): a failed one (a full disk) leaves the previous checkpoint whole and loadable, and
// a failed append to metrics.jsonl is cut back so that the file never ends in a partial line. The
// writer knows which epoch each checkpoint file on disk holds, so messages can say so exactly.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { IoError } from '../errors.js';
import { ioFailure, writeAll, writeFileDurable } from '../io/write.js';
import type { Checkpoint, EpochRecord, Tensors } from './state.js';
import { saveCheckpoint } from './checkpoint.js';
import type { EventSink } from './events.js';

/** The epoch each checkpoint file on disk holds (undefined: no such file). */
export interface OnDisk {
  last?: number;
  best?: number;
}

export interface RunWriterOptions {
  /** train.checkpoint: which checkpoints to write. */
  which: 'best' | 'last' | 'both';
  /** Least time between checkpoint writes after an epoch; 0 writes after every epoch. */
  intervalMs: number;
  /** Epochs already trained (a resumed run): metrics.jsonl is rewritten to hold exactly these. */
  history: readonly EpochRecord[];
  emit: EventSink;
  /** The clock; performance.now by default. */
  now?: () => number;
  /** What a resumed run's checkpoint files already hold. */
  onDisk?: OnDisk;
}

/**
 * One checkpoint file's pending content: either a copy of an earlier epoch's checkpoint (in
 * buffers owned here and reused from epoch to epoch) or, when it is written at once, the live
 * checkpoint itself.
 */
class Pending {
  ckpt: Checkpoint | undefined;
  private owned: Checkpoint | undefined;

  /** Holds `src` until the next write without copying; only for a write within the same epoch. */
  hold(src: Checkpoint): void {
    this.ckpt = src;
  }

  /** Copies `src` out of the live state. */
  copy(src: Checkpoint): void {
    const prev = this.owned;
    const slots: Checkpoint['optimizer']['state']['slots'] = {};
    for (const [slot, byName] of Object.entries(src.optimizer.state.slots)) {
      slots[slot] = {};
      for (const [name, buf] of Object.entries(byName)) slots[slot][name] = copyInto(prev?.optimizer.state.slots[slot]?.[name], buf);
    }
    this.owned = {
      ...src,
      params: copyTensors(prev?.params, src.params),
      state: copyTensors(prev?.state, src.state),
      optimizer: { type: src.optimizer.type, state: { step: src.optimizer.state.step, slots } },
      rng: { shuffle: [...src.rng.shuffle], dropout: [...src.rng.dropout] },
    };
    this.ckpt = this.owned;
  }
}

function copyInto(dst: Float32Array | undefined, src: Float32Array): Float32Array {
  const out = dst && dst.length === src.length ? dst : new Float32Array(src.length);
  out.set(src);
  return out;
}

function copyTensors(prev: Tensors | undefined, src: Tensors): Tensors {
  const out: Tensors = new Map();
  for (const [name, t] of src) out.set(name, { shape: [...t.shape], data: copyInto(prev?.get(name)?.data, t.data) });
  return out;
}

export class RunWriter {
  private readonly metricsPath: string;
  private readonly ckptDir: string;
  private readonly now: () => number;
  private fd: number | undefined;
  private lastWrite: number;
  private readonly last = new Pending();
  private readonly best = new Pending();
  /** The epoch each checkpoint file holds now. */
  readonly onDisk: OnDisk;

  constructor(
    outDir: string,
    private readonly opts: RunWriterOptions,
  ) {
    this.metricsPath = join(outDir, 'metrics.jsonl');
    this.ckptDir = join(outDir, 'checkpoints');
    this.now = opts.now ?? (() => performance.now());
    this.lastWrite = this.now();
    this.onDisk = { ...opts.onDisk };
    // A resumed run drops the lines of epochs after its checkpoint (and a line cut short by a crash).
    if (opts.history.length) writeFileDurable(this.metricsPath, opts.history.map((h) => JSON.stringify(h) + '\n').join(''));
  }

  /** Appends an epoch's line to metrics.jsonl (not yet synced to disk); on failure cuts it back. */
  appendEpoch(record: EpochRecord): void {
    try {
      this.fd ??= openSync(this.metricsPath, 'a');
    } catch (e) {
      throw this.explain(ioFailure(e, 'open', this.metricsPath));
    }
    const size = fstatSync(this.fd).size;
    try {
      writeAll(this.fd, Buffer.from(JSON.stringify(record) + '\n'));
    } catch (e) {
      try {
        ftruncateSync(this.fd, size);
      } catch {
        // a resume drops a partial last line in any case
      }
      throw this.explain(ioFailure(e, 'append to', this.metricsPath));
    }
  }

  /** What the checkpoint files hold now, in words: `checkpoints/last.json holds epoch 3, best.json epoch 2`. */
  describeOnDisk(): string {
    const { last, best } = this.onDisk;
    if (last === undefined && best === undefined) return 'no checkpoint has been written';
    const parts: string[] = [];
    if (last !== undefined) parts.push(`last.json holds epoch ${last}`);
    if (best !== undefined) parts.push(`best.json epoch ${best}`);
    return `checkpoints/${parts.join(', ')}`;
  }

  /** An I/O failure with a hint saying what is still intact on disk. */
  private explain(e: unknown): unknown {
    if (!(e instanceof IoError)) return e;
    const intact = this.onDisk.last !== undefined || this.onDisk.best !== undefined ? `${this.describeOnDisk()}, intact` : 'no checkpoint had been written yet';
    return e.withHint(intact);
  }

  /**
   * Takes the checkpoint of an epoch just finished (`improved`: it is the best so far): writes
   * the checkpoints when the interval has passed, else keeps a copy for a later write. `ckpt` may
   * share buffers with the live training state.
   */
  epochDone(ckpt: Checkpoint, improved: boolean): void {
    const due = this.now() - this.lastWrite >= this.opts.intervalMs;
    const take = (p: Pending) => (due ? p.hold(ckpt) : p.copy(ckpt));
    if (this.opts.which !== 'best') take(this.last);
    if (improved && this.opts.which !== 'last') take(this.best);
    if (due) this.flush();
  }

  /** Writes `ckpt` (the untrained model, epoch 0) as last.json at once, whatever train.checkpoint says. */
  writeInitial(ckpt: Checkpoint): void {
    const path = join(this.ckptDir, 'last.json');
    try {
      saveCheckpoint(path, ckpt);
    } catch (e) {
      throw this.explain(e);
    }
    this.onDisk.last = 0;
    this.opts.emit({ type: 'checkpoint', epoch: 0, kind: 'last', path });
  }

  /** Writes the checkpoints not yet written, after syncing metrics.jsonl. */
  flush(): void {
    if (!this.last.ckpt && !this.best.ckpt) return;
    try {
      if (this.fd !== undefined) fsyncSync(this.fd);
    } catch (e) {
      throw this.explain(ioFailure(e, 'sync', this.metricsPath));
    }
    for (const [kind, p] of [
      ['last', this.last],
      ['best', this.best],
    ] as const) {
      const ckpt = p.ckpt;
      if (!ckpt) continue;
      const path = join(this.ckptDir, `${kind}.json`);
      try {
        saveCheckpoint(path, ckpt);
      } catch (e) {
        throw this.explain(e);
      }
      this.onDisk[kind] = ckpt.epoch;
      p.ckpt = undefined;
      this.opts.emit({ type: 'checkpoint', epoch: ckpt.epoch, kind, path });
    }
    this.lastWrite = this.now();
  }

  /** Closes metrics.jsonl on the way out of a failure, ignoring a second failure. */
  closeQuietly(): void {
    try {
      this.close();
    } catch {
      // the failure being reported is the first one
    }
  }

  /** Syncs and closes metrics.jsonl; safe to call more than once. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } catch (e) {
      throw this.explain(ioFailure(e, 'sync', this.metricsPath));
    } finally {
      closeSync(fd);
    }
  }
}
