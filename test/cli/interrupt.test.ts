// Stopping dlf train by a signal: it stops after the current batch, exits with 130 and writes the
// checkpoint of the last finished epoch (checkpoints are otherwise written every 30 s), from which
// --resume continues to the same bytes as a run that was never stopped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('a signal', () => {
  it('SIGTERM writes the last finished epoch and exits 143; --resume continues bit for bit', async () => {
    const cfg = repo('configs', 'linear.yaml');
    const out = join(tmp.dir, 'term');
    let done = false;
    // (--stop-after only bounds the test should the signal be ignored.)
    const running = dlf('train', cfg, '--out', out, '--epochs', '100000', '--stop-after', '5000').finally(() => (done = true));
    // The command listens for signals only while it trains; once an epoch has ended, signal it.
    while (!done) {
      await new Promise((r) => setTimeout(r, 20));
      if (existsSync(join(out, 'metrics.jsonl'))) process.emit('SIGTERM', 'SIGTERM');
    }
    const r = await running;
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/interrupted by SIGTERM at epoch (\d+)/);
    const stoppedIn = Number(/interrupted by SIGTERM at epoch (\d+)/.exec(r.stderr)![1]);
    const last = JSON.parse(readFileSync(join(out, 'checkpoints', 'last.json'), 'utf8'));
    expect(last.epoch).toBe(stoppedIn - 1);

    const epochs = String(last.epoch + 2);
    expect((await dlf('train', '--resume', out, '--epochs', epochs, '--quiet')).code).toBe(0);
    const whole = join(tmp.dir, 'whole');
    expect((await dlf('train', cfg, '--out', whole, '--epochs', epochs, '--quiet')).code).toBe(0);
    for (const f of ['last.json', 'best.json']) {
      expect(readFileSync(join(out, 'checkpoints', f)).equals(readFileSync(join(whole, 'checkpoints', f)))).toBe(true);
    }
  });
});
