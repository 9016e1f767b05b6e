// Signals from the first instruction: an interrupt before training writes anything exits 130
// (SIGINT) or 143 (SIGTERM) with one true line and leaves no run directory; one during the first
// epoch says no checkpoint was written and removes the new run's directory; messages name exactly
// the checkpoints that exist.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linesOf, spawnDlf, waitFor } from './child.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('an interrupt before training', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} while the config is read and the data loads: nothing written, exit ${sig === 'SIGINT' ? 130 : 143}`, async () => {
      const out = join(tmp.dir, `early-${sig}`);
      const running = dlf('train', repo('configs', 'digits-mlp.yaml'), '--out', out);
      // main() has installed its handlers before its first await.
      process.emit(sig, sig);
      const r = await running;
      expect(r.code).toBe(sig === 'SIGINT' ? 130 : 143);
      expect(linesOf(r.stderr)).toEqual([`error: interrupted by ${sig}; nothing was written`]);
      // The command stops at its next stage; give it the time to get there.
      await new Promise((res) => setTimeout(res, 500));
      expect(existsSync(out)).toBe(false);
    });
  }

  it('any other command is stopped too', async () => {
    const running = dlf('validate', repo('configs', 'digits-mlp.yaml'));
    process.emit('SIGINT', 'SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(linesOf(r.stderr)).toHaveLength(1);
  });
});

describe('an interrupt in the first epoch', () => {
  it('says that no checkpoint was written and removes the new run directory', async () => {
    // Batches of one over a million samples: the first epoch lasts far longer than the time the
    // signal takes to arrive, on either backend and on any machine.
    const cfg = tmp.write(
      'slow.yaml',
      `name: slow\nseed: 1\ndata: {source: moons, samples: 1000000}\nmodel: {layers: [{type: dense, units: 64, activation: relu}, {type: dense, units: 2}]}\ntrain: {epochs: 2, batch_size: 1, optimizer: {type: sgd, lr: 0.01}}\n`,
    );
    const out = join(tmp.dir, 'slow');
    const run = spawnDlf(['train', cfg, '--out', out]);
    await waitFor(() => existsSync(join(out, 'config.json')), 20_000, 'the run to start');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    const errors = linesOf(r.stderr).filter((l) => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/interrupted by SIGINT at epoch 1, step \d+; no epoch had finished, so no checkpoint was written; .*slow was removed/);
    expect(existsSync(out)).toBe(false);
  });
});
