// A checkpoint against the run that reads it: eval and predict need exactly the model's tensors
// (missing, extra and reshaped ones listed) and refuse NaN weights with a one-line error; a FIFO,
// /dev/zero or an oversized file given as --checkpoint or --init is refused at once instead of
// hanging or aborting Node; --resume's optimizer and the model's names and size are checkable
// before training.
import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptimizerSchema } from '../../src/config/schema.js';
import { CheckpointError } from '../../src/errors.js';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { checkCheckpointable, checkOptimizerMatches } from '../../src/train/checkpoint-model.js';
import { loadRun } from '../../src/train/evaluate.js';
import { dlf, repo, tempDir } from '../cli/helpers.js';
import { resigned } from './checkpoint-digest-ref.js';
import { encodeF32, f32, sampleCheckpoint, written } from './checkpoint-fixture.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const run = join(tmp.dir, 'run');
let last: string;

beforeAll(async () => {
  const r = await dlf('train', repo('configs', 'linear.yaml'), '--epochs', '2', '--out', run, '--quiet');
  expect(r.code).toBe(0);
  last = join(run, 'checkpoints', 'last.json');
});

/** The run's last checkpoint changed by `edit`, saved as `name`; its path. */
function variant(name: string, edit: (c: Checkpoint) => void): string {
  const c = loadCheckpoint(last);
  edit(c);
  const path = join(tmp.dir, name);
  saveCheckpoint(path, c);
  return path;
}

function runError(path: string): CheckpointError {
  try {
    loadRun(run, path);
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('loadRun accepted the checkpoint');
}

describe('eval and predict need exactly the model’s tensors', () => {
  it('the run’s own checkpoint loads', () => {
    expect([...loadRun(run).params.keys()].sort()).toEqual(['b', 'w']);
  });

  it('an extra parameter is listed', () => {
    const path = variant('extra.json', (c) => c.params.set('extra', { shape: [2], data: f32(1, 2) }));
    expect(runError(path).message).toMatch(/checkpoint does not match the model: extra \[2\] is not in the model/);
  });

  it('missing and reshaped parameters are listed together', () => {
    const path = variant('missing.json', (c) => {
      c.params.delete('b');
      c.params.set('w', { shape: [1], data: c.params.get('w')!.data });
    });
    const m = runError(path).message;
    expect(m).toMatch(/w is \[1\] in the checkpoint but \[1, 1\] in the model/);
    expect(m).toMatch(/b \[1\] is not in the checkpoint/);
  });

  it('a parameter saved as a state tensor', () => {
    const path = variant('kind.json', (c) => {
      c.state.set('b', c.params.get('b')!);
      c.params.delete('b');
    });
    expect(runError(path).message).toMatch(/b is a state tensor in the checkpoint but a parameter in the model/);
  });

  it('NaN weights: eval and predict exit 2 with one line naming the file', async () => {
    const doc = JSON.parse(readFileSync(last, 'utf8'));
    doc.params.w.data = encodeF32(f32(NaN));
    const path = written(tmp.dir, resigned(doc), 'nan.json');
    const input = tmp.write('in.csv', 'x\n1\n2\n');
    for (const args of [
      ['eval', run, '--checkpoint', path],
      ['predict', run, '--input', input, '--checkpoint', path],
    ]) {
      const r = await dlf(...args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${path}: invalid checkpoint: parameter 'w' holds NaN at index 0`);
      expect(r.stdout).toBe('');
    }
  });
});

describe('only a regular file of at most the cap is read', () => {
  // In a child process with a timeout: reading a FIFO or /dev/zero used to block or run out of memory.
  const bin = (...args: string[]) => spawnSync(process.execPath, [repo('bin', 'dlf.js'), ...args], { encoding: 'utf8', cwd: tmp.dir, timeout: 30_000 });

  it('a FIFO or /dev/zero as --checkpoint or --init is refused at once', () => {
    const fifo = join(tmp.dir, 'fifo.json');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo here
    const cases = [
      { args: ['eval', run, '--checkpoint', fifo], what: /is a named pipe \(FIFO\), not a regular file/ },
      { args: ['eval', run, '--checkpoint', '/dev/zero'], what: /is a character device, not a regular file/ },
      { args: ['train', repo('configs', 'linear.yaml'), '--init', fifo, '--out', join(tmp.dir, 'init-run')], what: /is a named pipe/ },
    ];
    for (const { args, what } of cases) {
      const r = bin(...args);
      expect(r.signal, args.join(' ')).toBeNull();
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(what);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a file over 4 GiB is refused before it is read', () => {
    const huge = join(tmp.dir, 'huge.json');
    written(tmp.dir, '', 'huge.json');
    truncateSync(huge, 5 * 2 ** 30); // sparse: no disk space used
    const e = (() => {
      try {
        loadCheckpoint(huge);
      } catch (err) {
        return err as CheckpointError;
      }
      throw new Error('loaded');
    })();
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toBe('checkpoint is 5.00 GiB, more than the 4.00 GiB dlf reads for this kind of file');
  });

  it('the cap can be lowered for a caller that knows its checkpoints are small', () => {
    expect(() => loadCheckpoint(last, 100)).toThrow(/more than the 100 B dlf reads/);
  });
});

describe('checks before training and on --resume', () => {
  it('--resume needs the configured optimizer and exactly its slots', () => {
    const c = sampleCheckpoint(); // adam
    checkOptimizerMatches(c, OptimizerSchema.parse({ type: 'adam' }), 'c.json');
    expect(() => checkOptimizerMatches(c, OptimizerSchema.parse({ type: 'adamw' }), 'c.json')).toThrow(/optimizer 'adam', but the config uses adamw/);
    c.optimizer = { type: 'sgd', state: { step: c.step, slots: {} } };
    expect(() => checkOptimizerMatches(c, OptimizerSchema.parse({ type: 'sgd', lr: 0.1, momentum: 0.9 }), 'c.json')).toThrow(
      /holds the optimizer slots none, but the configured sgd keeps 'momentum'/,
    );
  });

  it('a model with a reserved or empty tensor name, or too large for a checkpoint file, is refused', () => {
    const adam = OptimizerSchema.parse({ type: 'adam' });
    checkCheckpointable([{ name: 'w', shape: [784, 256], kind: 'param' }], adam);
    for (const name of ['__proto__', 'constructor', '']) {
      expect(() => checkCheckpointable([{ name, shape: [1], kind: 'param' }], adam)).toThrow(CheckpointError);
    }
    const big = [{ name: 'w', shape: [20_000, 14_000], kind: 'param' as const }]; // 280M parameters
    expect(() => checkCheckpointable(big, adam)).toThrow(/about 4\.\d\d GiB, more than the 4\.00 GiB/);
    checkCheckpointable(big, OptimizerSchema.parse({ type: 'sgd', lr: 0.1 })); // 1.5 GiB without slots
  });
});
