// A run directory has one writer: a second `train --out` or `--resume` into it is refused while the
// first runs, a dead process's lock is taken over with a warning, stale temporary files are cleared,
// and data that changed since the run started stops a resume. Processes of their own (child.ts),
// since a lock is held by a pid.
import { existsSync, readFileSync, readdirSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linesOf, runDlf, spawnDlf, waitFor } from './child.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const linear = repo('configs', 'linear.yaml');

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('one writer per run directory', () => {
  it('a second train into the same --out is refused at once, naming the holder', async () => {
    const out = join(tmp.dir, 'same');
    const first = spawnDlf(['train', linear, '--out', out, '--epochs', '100000', '--stop-after', '50000']);
    await waitFor(() => existsSync(join(out, 'metrics.jsonl')), 20_000, 'the first run to start');
    const second = await runDlf(['train', linear, '--out', out, '--epochs', '3']);
    expect(second.code).toBe(2);
    const lines = linesOf(second.stderr);
    expect(lines).toHaveLength(1);
    // (The directory is not empty either, which checkOutDir says first; the lock is what a resume meets.)
    expect(lines[0]).toMatch(/^error: /);
    const resume = await runDlf(['train', '--resume', out]);
    expect(resume.code).toBe(2);
    expect(linesOf(resume.stderr)).toHaveLength(1);
    expect(resume.stderr).toMatch(
      new RegExp(`is in use by dlf pid ${first.child.pid} on host ${hostname()} since \\d\\d:\\d\\d \\(wait for it or choose another --out\\)`),
    );
    first.child.kill('SIGTERM');
    const r = await first.done;
    expect(r.code).toBe(143);
    expect(existsSync(join(out, '.dlf.lock'))).toBe(false);
  });

  it('two runs racing for one empty --out: exactly one trains', async () => {
    const out = join(tmp.dir, 'race');
    mkdirSync(out);
    const [a, b] = await Promise.all([
      runDlf(['train', linear, '--out', out, '--epochs', '5', '--quiet']),
      runDlf(['train', linear, '--out', out, '--epochs', '5', '--quiet']),
    ]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
    const loser = a.code === 2 ? a : b;
    expect(linesOf(loser.stderr)).toHaveLength(1);
    expect(loser.stderr).toMatch(/in use by dlf pid|not empty/);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).epoch)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a dead process's lock is taken over with a warning; stale temporary files are removed", async () => {
    const out = join(tmp.dir, 'stale');
    expect((await dlf('train', linear, '--out', out, '--epochs', '2', '--quiet')).code).toBe(0);
    writeFileSync(join(out, '.dlf.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), started: new Date().toISOString(), command: 'dlf train' }));
    writeFileSync(join(out, 'checkpoints', '.last.json.4242.tmp'), '{"cut');
    writeFileSync(join(out, '.metrics.json.4242.tmp'), '');
    const r = await runDlf(['train', '--resume', out, '--epochs', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: took over the lock of .* from dlf pid \d+, which is no longer running/m);
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['best.json', 'last.json']);
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp') || n === '.dlf.lock')).toEqual([]);
  });

  it('a lock held on another host is not guessed at', async () => {
    const out = join(tmp.dir, 'remote');
    expect((await dlf('train', linear, '--out', out, '--epochs', '1', '--quiet')).code).toBe(0);
    writeFileSync(join(out, '.dlf.lock'), JSON.stringify({ pid: deadPid(), host: 'elsewhere', started: '2026-01-02T10:02:00.000Z', command: 'dlf train' }));
    const r = await dlf('train', '--resume', out, '--epochs', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /in use by dlf pid \d+ on host elsewhere since 2026-01-02 \d\d:\d\d \(wait for it or choose another --out; if that process is gone, remove .*\.dlf\.lock/,
    );
  });

  it('--out that is a file, or under a file, is a usage error', async () => {
    const file = tmp.write('plain.txt', 'x');
    for (const out of [file, join(file, 'run'), '/dev/null', linear]) {
      const r = await dlf('train', linear, '--out', out, '--epochs', '1');
      expect(r.code).toBe(2);
      expect(linesOf(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/is a file|not a directory|is not empty/);
    }
  });
});

describe('data fingerprints', () => {
  const csv = join(tmp.dir, 'iris.csv');
  writeFileSync(csv, readFileSync(repo('datasets', 'iris.csv')));
  const cfg = tmp.write(
    'fp.yaml',
    `name: fp\nseed: 1\ndata: {source: csv, path: ${csv}, label: species}\nmodel: {layers: [{type: dense, units: 3}]}\ntrain: {epochs: 4, batch_size: 16, optimizer: {type: adam, lr: 0.01}}\n`,
  );

  it('records every data file; --resume refuses changed data unless told; eval warns', async () => {
    const out = join(tmp.dir, 'fp-run');
    expect((await dlf('train', cfg, '--out', out, '--stop-after', '2', '--quiet')).code).toBe(0);
    const fp = JSON.parse(readFileSync(join(out, 'fingerprints.json'), 'utf8'));
    expect(fp.files).toHaveLength(1);
    expect(fp.files[0].path).toBe(csv);
    expect(fp.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // The same size, other contents: one value edited.
    const text = readFileSync(csv, 'utf8');
    writeFileSync(csv, text.replace('5.1,3.5', '5.2,3.5'));
    const r = await dlf('train', '--resume', out, '--quiet');
    expect(r.code).toBe(2);
    expect(linesOf(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`${csv}: data file changed contents`);
    expect(r.stderr).toContain('--allow-data-change');
    const ev = await dlf('eval', out);
    expect(ev.code).toBe(0);
    expect(ev.stderr).toMatch(/^warning: data file .*iris\.csv changed contents .* since the run trained/);
    appendFileSync(csv, '5.0,3.0,1.5,0.2,setosa\n');
    const grown = await dlf('train', '--resume', out, '--quiet');
    expect(grown.stderr).toMatch(/changed size \(\d+ -> \d+ bytes\)/);
    const ok = await dlf('train', '--resume', out, '--quiet', '--allow-data-change');
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'fingerprints.json'), 'utf8')).files[0].size).toBe(readFileSync(csv).length);
  });
});

describe('resuming a run that has no checkpoint', () => {
  it('says so and how to start again in that directory', async () => {
    const out = join(tmp.dir, 'nockpt');
    expect((await dlf('train', linear, '--out', out, '--epochs', '1', '--quiet')).code).toBe(0);
    const { rmSync } = await import('node:fs');
    rmSync(join(out, 'checkpoints'), { recursive: true });
    const r = await dlf('train', '--resume', out);
    expect(r.code).toBe(2);
    expect(linesOf(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/no checkpoint to resume from: it was stopped before its first checkpoint was written/);
    expect(r.stderr).toContain(`rm -r ${out} && dlf train <config> --out ${out}`);
  });

  it('with train.checkpoint: best the message names that setting', async () => {
    const out = join(tmp.dir, 'bestonly');
    expect((await dlf('train', linear, '--out', out, '--epochs', '1', '--quiet', '--set', 'train.checkpoint=best')).code).toBe(0);
    const r = await dlf('train', '--resume', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it was trained with train\.checkpoint: best/);
  });
});
