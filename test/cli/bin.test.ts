// The dlf command as a user runs it: bin/dlf.js in a child process, which loads the CLI bundle that
// `npm run build` makes (dist/bundle/). The other CLI tests call main() in-process on the sources;
// this one checks that the bundle exists and behaves as they do: version, info, a bad config's
// exit code, a short training run that writes its checkpoints, a reader that closes the pipe, and
// an SVG drawn by the Graphviz WebAssembly that the bundle holds in a chunk of its own, which
// none of the files `dlf --help` loads imports.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const bin = (...args: string[]) => spawnSync(process.execPath, [repo('bin', 'dlf.js'), ...args], { encoding: 'utf8', cwd: tmp.dir });

describe('bin/dlf.js', () => {
  it('runs the bundle that npm run build makes', () => {
    expect(existsSync(repo('dist', 'bundle', 'main.cjs'))).toBe(true);
    const pkg = JSON.parse(readFileSync(repo('package.json'), 'utf8')) as { version: string };
    const v = bin('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const info = bin('info', '--json');
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout).dlf).toBe(pkg.version);
  });

  it('trains, writes checkpoints, and exits 2 on a bad config', () => {
    const out = join(tmp.dir, 'run');
    const r = bin('train', repo('configs', 'linear.yaml'), '--epochs', '3', '--out', out, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints', 'last.json'), 'utf8')).epoch).toBe(3);
    const bad = tmp.write('bad.yaml', 'name: x\nseed: one\n');
    const b = bin('validate', bad);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/bad\.yaml:2:7/);
  });

  it('stops writing, without an error, when the reader closes stdout early (dlf graph … | head -1)', async () => {
    const child = spawn(process.execPath, [repo('bin', 'dlf.js'), 'graph', repo('configs', 'fashion-small.yaml'), '--backward'], { cwd: tmp.dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Close our end after the first chunk, as head does after its line.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('draws an SVG with the Graphviz WebAssembly in the bundle', () => {
    const r = bin('graph', repo('configs', 'iris.yaml'), '--svg', '--backward');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml/);
    expect(r.stdout).toContain('class="cluster"');
    expect(r.stdout.trimEnd()).toMatch(/<\/svg>$/);
  });

  it('loads Graphviz only for --svg: no chunk that dlf --help loads imports it', () => {
    const dir = repo('dist', 'bundle');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    const graphviz = readdirSync(dir).filter((f) => f.endsWith('.cjs') && read(f).includes('Graphviz.load'));
    expect(graphviz.length).toBeGreaterThan(0);
    // --help loads main.cjs, every command's chunk (main imports them to list them) and what those require statically.
    // A chunk's dynamic import is a require inside Promise.resolve().then(...) (scripts/bundle.mjs).
    const dynamic = /Promise\.resolve\(\)\.then\(\(\)=>(?:__toESM\()?require\("\.\/([^"]+)"\)/g;
    const loaded = new Set<string>();
    const visit = (f: string) => {
      if (loaded.has(f)) return;
      loaded.add(f);
      for (const m of read(f)
        .replace(dynamic, '')
        .matchAll(/require\("\.\/([^"]+)"\)/g))
        visit(m[1]);
    };
    visit('main.cjs');
    for (const m of read('main.cjs').matchAll(dynamic)) visit(m[1]);
    expect(loaded.size).toBeGreaterThan(10);
    // Graphviz.load itself sits in the small module that imports the package dynamically; the package is not loaded.
    for (const f of loaded) expect(read(f), f).not.toMatch(/WebAssembly\.instantiate|@hpcc-js/);
  });
});
