// The dlf command as a user runs it: bin/dlf.js in a child process, which loads the CLI bundle that
// `npm run build` makes (dist/bundle/). The other CLI tests call main() in-process on the sources;
// this one checks that the bundle exists and behaves as they do: version, info, a bad config's
// exit code, a short training run that writes its checkpoints, and a reader that closes the pipe.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const bin = (...args: string[]) => spawnSync(process.execPath, [repo('bin', 'dlf.js'), ...args], { encoding: 'utf8', cwd: tmp.dir });

describe('bin/dlf.js', () => {
  it('runs the bundle that npm run build makes', () => {
    expect(existsSync(repo('dist', 'bundle', 'main.js'))).toBe(true);
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
});
