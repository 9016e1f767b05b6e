// The code cache of the CLI bundle (bin/load-bundle.js): a run writes V8's compiled code of the
// chunks it loaded, the next run uses it (and so does not write it again), and a damaged,
// unwritable or disabled cache changes nothing that dlf prints or writes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const build = /^\/\/dlf-build ([0-9a-f]+)\n/.exec(readFileSync(repo('dist', 'bundle', 'main.cjs'), 'utf8'))![1];
const perNode = (root: string) => join(root, 'code', `${process.version}-${process.arch}`);

let runs = 0;
/** dlf train on the linear config for 2 epochs, with `env`; its output, exit code and the run's checkpoint. */
function train(env: Record<string, string | undefined>) {
  const out = join(tmp.dir, `run-${runs++}`);
  const r = spawnSync(process.execPath, [repo('bin', 'dlf.js'), 'train', repo('configs', 'linear.yaml'), '--epochs', '2', '--out', out, '--json'], {
    encoding: 'utf8',
    cwd: tmp.dir,
    env: { ...process.env, DLF_CACHE_DIR: undefined, XDG_CACHE_HOME: undefined, ...env },
  });
  // Run directory and timings aside, the output is the same from run to run.
  const stdout = r.stdout.replaceAll(out, '<out>').replace(/"seconds(PerEpoch)?":[0-9.e-]+/g, '"seconds":0');
  const stderr = r.stderr.replaceAll(out, '<out>').replace(/[0-9.]+s\b/g, '<t>s');
  return { status: r.status, stderr, stdout, checkpoint: readFileSync(join(out, 'checkpoints', 'last.json'), 'utf8') };
}

/** The cache files of this build: name → modification time. */
function cached(root: string): Map<string, number> {
  const dir = join(perNode(root), build);
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
}

describe('the code cache of the CLI bundle', () => {
  let reference: ReturnType<typeof train>;
  beforeAll(() => {
    reference = train({ DLF_CACHE_DIR: '' });
  });

  it('is written by the first run, used by the next, and changes nothing dlf prints or writes', () => {
    expect(reference.status).toBe(0);
    const root = join(tmp.dir, 'cache');
    const first = train({ DLF_CACHE_DIR: root });
    expect(first).toEqual(reference);
    const files = cached(root);
    expect([...files.keys()]).toContain('main.cjs.v8');
    expect([...files.keys()].some((f) => f.startsWith('train-'))).toBe(true);
    // A cache V8 accepts is not written again.
    expect(train({ DLF_CACHE_DIR: root })).toEqual(reference);
    expect(cached(root)).toEqual(files);
  });

  it('is rewritten when damaged, and the run is the same', () => {
    const root = join(tmp.dir, 'damaged');
    train({ DLF_CACHE_DIR: root });
    const dir = join(perNode(root), build);
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'not compiled code');
    expect(train({ DLF_CACHE_DIR: root })).toEqual(reference);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8')).not.toBe('not compiled code');
  });

  it('is skipped when its folder cannot be made, or when DLF_CACHE_DIR is empty', () => {
    const blocked = tmp.write('a-file', 'not a folder');
    expect(train({ DLF_CACHE_DIR: blocked })).toEqual(reference);
    const xdg = join(tmp.dir, 'xdg-off');
    expect(train({ DLF_CACHE_DIR: '', XDG_CACHE_HOME: xdg })).toEqual(reference);
    expect(existsSync(xdg)).toBe(false);
  });

  it('lives under $XDG_CACHE_HOME/dlf without DLF_CACHE_DIR, and clears builds unused for a day', () => {
    const xdg = join(tmp.dir, 'xdg');
    const old = join(perNode(join(xdg, 'dlf')), 'an-old-build');
    const recent = join(perNode(join(xdg, 'dlf')), 'a-recent-build');
    mkdirSync(old, { recursive: true });
    mkdirSync(recent, { recursive: true });
    const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    expect(train({ XDG_CACHE_HOME: xdg })).toEqual(reference);
    expect(cached(join(xdg, 'dlf')).has('main.cjs.v8')).toBe(true);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });
});
