// What `npm pack` puts in the published package: the CLI once (the bundle that bin/dlf.js runs,
// not also the CLI as tsc compiled it), a library entry whose imports are all in the package, and
// a tarball whose bin/dlf.js trains when unpacked next to the dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Packed {
  filename: string;
  files: { path: string }[];
}

/** npm pack --json (without the prepare script: dist/ is built by the test run already). */
function pack(...args: string[]): Packed {
  const r = spawnSync('npm', ['pack', '--json', '--ignore-scripts', ...args], { cwd: repo(), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Packed[])[0];
}

let packed: Packed;
let paths: Set<string>;
beforeAll(() => {
  packed = pack('--dry-run');
  paths = new Set(packed.files.map((f) => f.path));
});

describe('the published package', () => {
  it('holds the CLI once: the bundle, with the files bin/dlf.js loads it by', () => {
    const pkg = JSON.parse(readFileSync(repo('package.json'), 'utf8')) as { bin: Record<string, string> };
    for (const f of [pkg.bin.dlf, 'bin/load-bundle.js', 'bin/package.json', 'dist/bundle/main.cjs']) expect(paths.has(f), f).toBe(true);
    // Every copy of the CLI defines the train command; only the bundle's may be packed.
    const defining = [...paths].filter((p) => /\.(c|m)?js$/.test(p) && /\.command\(["']train["']\)/.test(readFileSync(repo(p), 'utf8')));
    expect(defining).toHaveLength(1);
    expect(defining[0]).toMatch(/^dist\/bundle\//);
    expect([...paths].filter((p) => p.startsWith('dist/cli/'))).toEqual([]);
  });

  it('holds every module the library entry imports', () => {
    const pkg = JSON.parse(readFileSync(repo('package.json'), 'utf8')) as { main: string; types: string; exports: Record<string, string> };
    for (const f of [pkg.main, pkg.types, ...Object.values(pkg.exports)]) expect(paths.has(normalize(f)), f).toBe(true);
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      expect(paths.has(file), `${file} is imported by the library but not packed`).toBe(true);
      for (const m of readFileSync(repo(file), 'utf8').matchAll(/(?:from|import\(?)\s*'(\.{1,2}\/[^']+)'/g)) visit(join(dirname(file), m[1]));
    };
    visit(normalize(pkg.main));
    expect(seen.size).toBeGreaterThan(50);
  });

  it('trains from the unpacked tarball', () => {
    const { filename } = pack('--pack-destination', tmp.dir);
    const r = spawnSync('tar', ['xzf', join(tmp.dir, filename), '-C', tmp.dir]);
    expect(r.status).toBe(0);
    const pkgDir = join(tmp.dir, 'package');
    // As after an install: the dependencies beside it (the native addon is built by the install
    // script, so absent here: the default backend, whatever DLF_BACKEND the suite runs with).
    symlinkSync(repo('node_modules'), join(pkgDir, 'node_modules'));
    const env = { ...process.env, DLF_BACKEND: undefined };
    const bin = (...args: string[]) => spawnSync(process.execPath, [join(pkgDir, 'bin', 'dlf.js'), ...args], { cwd: tmp.dir, encoding: 'utf8', env });
    const help = bin('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: dlf');
    mkdirSync(join(tmp.dir, 'runs'));
    const out = join(tmp.dir, 'runs', 'linear');
    const t = bin('train', join(pkgDir, 'configs', 'linear.yaml'), '--epochs', '2', '--out', out, '--quiet');
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(existsSync(join(out, 'checkpoints', 'last.json'))).toBe(true);
    expect(JSON.parse(bin('info', '--json').stdout).backends).toEqual(['ts']);
  });
});
