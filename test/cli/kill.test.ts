// kill -9 at random moments, then --resume, again and again: the run that ends is byte for byte the
// run that was never killed, and no temporary file is left behind. The kill points come from a
// seeded generator, so a failure can be replayed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/tensor/rng.js';
import { spawnDlf, waitFor } from './child.js';
import { dlf, epochLines, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const EPOCHS = 40;
const config = `name: kill
seed: 4
data: {source: csv, path: ${repo('datasets', 'digits.csv')}, label: digit}
model:
  layers:
    - {type: dense, units: 32, activation: relu}
    - {type: dropout, rate: 0.1}
    - {type: dense, units: 10}
train:
  epochs: ${EPOCHS}
  batch_size: 64
  optimizer: {type: adam, lr: 0.003}
  checkpoint_interval: 0
`;

function tempFiles(dir: string): string[] {
  return [...readdirSync(dir), ...(existsSync(join(dir, 'checkpoints')) ? readdirSync(join(dir, 'checkpoints')) : [])].filter(
    (n) => n.endsWith('.tmp') || n.endsWith('.stale'),
  );
}

describe('kill -9 and resume', () => {
  it('random kills, then resumes: byte-identical to an uninterrupted run, no stray files', async () => {
    const cfg = tmp.write('kill.yaml', config.replace('name: kill', 'name: kill'));
    const whole = join(tmp.dir, 'whole');
    expect((await dlf('train', cfg, '--out', whole, '--quiet')).code).toBe(0);
    const out = join(tmp.dir, 'killed');
    const rng = new Rng(20261206);
    let kills = 0;
    let started = false;
    for (let attempt = 0; attempt < 40; attempt++) {
      const args = started ? ['train', '--resume', out, '--quiet'] : ['train', cfg, '--out', out, '--quiet'];
      const run = spawnDlf(args);
      if (kills < 8) {
        // Kill once the run is training (a checkpoint or metrics line is there), after a random delay.
        try {
          await waitFor(() => existsSync(join(out, 'checkpoints', 'last.json')) || run.child.exitCode !== null, 20_000, 'training');
        } catch {
          // the run ended first
        }
        await new Promise((r) => setTimeout(r, Math.floor(rng.uniform() * 120)));
        if (run.child.exitCode === null) {
          run.child.kill('SIGKILL');
          kills++;
        }
      }
      const r = await run.done;
      if (existsSync(join(out, 'checkpoints', 'last.json'))) started = true;
      else if (r.signal === 'SIGKILL') {
        // Killed before its first checkpoint: the directory holds no trained state; start again.
        const { rmSync } = await import('node:fs');
        rmSync(out, { recursive: true, force: true });
        started = false;
        continue;
      }
      if (r.code === 0) break;
      expect(r.signal).toBe('SIGKILL');
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    const last = JSON.parse(readFileSync(join(out, 'checkpoints', 'last.json'), 'utf8'));
    expect(last.epoch).toBe(EPOCHS);
    for (const f of ['last.json', 'best.json']) {
      expect(readFileSync(join(out, 'checkpoints', f)).equals(readFileSync(join(whole, 'checkpoints', f)))).toBe(true);
    }
    expect(epochLines(join(out, 'metrics.jsonl'))).toEqual(epochLines(join(whole, 'metrics.jsonl')));
    expect(tempFiles(out)).toEqual([]);
    expect(existsSync(join(out, '.dlf.lock'))).toBe(false);
  }, 120_000);
});
