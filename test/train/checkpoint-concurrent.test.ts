// Reading a checkpoint while a run replaces it: the writer renames a complete file over the old
// one and the reader reads the file once, so every load gives one whole checkpoint, the old or
// the new, never a mix or a digest mismatch. A child process (the built dist/, as a run would)
// rewrites the file in a loop while this process loads it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { repo, tempDir } from '../cli/helpers.js';
import { sampleCheckpoint, saved } from './checkpoint-fixture.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('loads one whole checkpoint or the other while the file is replaced again and again', async () => {
  // Two checkpoints of 4 MB each that differ in every value and in the epoch.
  const big = (epoch: number) => {
    const c = sampleCheckpoint();
    c.epoch = epoch;
    c.state.set('big', { shape: [1_000_000], data: new Float32Array(1_000_000).fill(epoch) });
    return c;
  };
  const a = saved(tmp.dir, big(3), 'a.json');
  const b = saved(tmp.dir, big(4), 'b.json');
  const path = join(tmp.dir, 'last.json');
  const script = `
    import { readFileSync } from 'node:fs';
    import { writeFileDurable } from ${JSON.stringify(repo('dist', 'io', 'write.js'))};
    const files = [readFileSync(${JSON.stringify(a)}), readFileSync(${JSON.stringify(b)})];
    const until = Date.now() + 1500;
    for (let i = 0; Date.now() < until; i++) writeFileDurable(${JSON.stringify(path)}, files[i % 2]);
  `;
  saved(tmp.dir, big(3), 'last.json');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seen = new Set<number>();
  let running = true;
  void done.then(() => (running = false));
  while (running) {
    const c = loadCheckpoint(path);
    const v = c.state.get('big')!.data;
    expect(v[0]).toBe(c.epoch);
    expect(v[v.length - 1]).toBe(c.epoch);
    seen.add(c.epoch);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(await done).toBe(0);
  expect([...seen].sort()).toEqual([3, 4]);
});
