// A full disk, for real: training into a small tmpfs that fills up ends with exit 3 and one line
// naming the file that could not be written, and the checkpoint written before is still whole,
// loads and verifies. At start-up a full disk leaves no run directory behind; a read-only file
// system likewise. Mounting needs root (CI is root); elsewhere the tests skip saying so.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { linesOf, runDlf } from './child.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
const mounts: string[] = [];

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = join(tmp.dir, 'probe');
  mkdirSync(probe);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function mountTmpfs(name: string, bytes: number, readOnly = false): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}${readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const mountable = canMount();
afterAll(() => {
  for (const m of mounts) execFileSync('umount', [m], { stdio: 'ignore' });
  tmp.cleanup();
});

// A model whose checkpoint is some tens of KB, so a few of them fill the file system.
const config = `name: full
seed: 2
data: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species}
model:
  layers:
    - {type: dense, units: 400, activation: relu}
    - {type: dense, units: 3}
train:
  epochs: 6
  batch_size: 32
  optimizer: {type: adam, lr: 0.01}
  checkpoint_interval: 0
`;

describe.skipIf(!mountable)('a full disk (tmpfs; needs root and mount)', () => {
  const cfg = tmp.write('full.yaml', config);
  let ckptBytes = 0;
  let otherBytes = 0;

  beforeAll(async () => {
    const probe = join(tmp.dir, 'size-probe');
    expect((await dlf('train', cfg, '--out', probe, '--epochs', '1', '--quiet')).code).toBe(0);
    ckptBytes = statSync(join(probe, 'checkpoints', 'last.json')).size;
    otherBytes = ['config.json', 'preprocessing.json', 'fingerprints.json', 'metrics.jsonl'].reduce((s, f) => s + statSync(join(probe, f)).size, 0);
  });

  it('ends with exit 3 naming the file; the previous checkpoint stays whole and verifies', async () => {
    // Room for the first epoch's two checkpoints and a little more, not for a third copy during the
    // second epoch's write (tmpfs counts whole 4 KiB pages).
    const page = 4096;
    const pages = (n: number) => Math.ceil(n / page) * page;
    const size = pages(otherBytes) + 4 * page + 2 * pages(ckptBytes) + Math.floor(pages(ckptBytes) / 2);
    const fs = mountTmpfs('full', Math.ceil(size / page) * page);
    const out = join(fs, 'run');
    const r = await runDlf(['train', cfg, '--out', out]);
    expect(r.code).toBe(3);
    const errors = linesOf(r.stderr).filter((l) => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: cannot write .*checkpoints\/(last|best)\.json: no space left on device \(checkpoints\/last\.json holds epoch \d+/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const last = loadCheckpoint(join(out, 'checkpoints', 'last.json'));
    expect(last.epoch).toBeGreaterThanOrEqual(1);
    loadCheckpoint(join(out, 'checkpoints', 'best.json'));
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['best.json', 'last.json']);
    // metrics.jsonl never ends in a partial line.
    const text = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const l of text.trim().split('\n')) JSON.parse(l);
    expect(existsSync(join(out, '.dlf.lock'))).toBe(false);
  });

  it('a disk full at start-up leaves no run directory behind', async () => {
    const fs = mountTmpfs('tiny', 8192);
    writeFileSync(join(fs, 'filler'), Buffer.alloc(4096));
    const out = join(fs, 'run');
    const r = await runDlf(['train', cfg, '--out', out]);
    expect(r.code).toBe(3);
    expect(linesOf(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: cannot (write|create).*: no space left on device/);
    expect(existsSync(out)).toBe(false);
  });

  it('a read-only file system is one line, exit 3, nothing left', async () => {
    const fs = mountTmpfs('ro', 65536, true);
    const r = await runDlf(['train', cfg, '--out', join(fs, 'run')]);
    expect(r.code).toBe(3);
    expect(linesOf(r.stderr)).toEqual([expect.stringMatching(/^error: cannot create directory .*run: read-only file system$/)]);
    expect(readdirSync(fs)).toEqual([]);
  });
});

describe.skipIf(mountable)('a full disk', () => {
  it.skip('needs root and a mountable tmpfs (Linux); not available here', () => {});
});
