// dlf info: versions, the backends that can run here, the default (which DLF_BACKEND sets, as the
// test setup does), and what the native addon reports; and --backend checking in train.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeStatus } from '../../src/kernels/native.js';
import { BACKEND } from '../backend.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const version = (JSON.parse(readFileSync(repo('package.json'), 'utf8')) as { version: string }).version;
const native = nativeStatus();

describe('dlf info', () => {
  it('--json: versions, backends, the default and the native addon', async () => {
    const r = await dlf('info', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const info = JSON.parse(r.stdout);
    expect(info.dlf).toBe(version);
    expect(info.node).toBe(process.version);
    expect(info.backends).toEqual(native.available ? ['native', 'ts'] : ['ts']);
    expect(info.default).toEqual({ requested: BACKEND, from: 'DLF_BACKEND', resolved: BACKEND, auto: info.backends[0] });
    expect(info.native.available).toBe(native.available);
    if (info.native.available) {
      expect(typeof info.native.avx512f).toBe('boolean');
      expect(typeof info.native.avx2).toBe('boolean');
      expect(typeof info.native.fma).toBe('boolean');
      expect(info.native.gemmKernel).toMatch(/\d+x\d+$/);
      if (info.native.arch === 'x86_64') expect([info.native.ftz, info.native.daz]).toEqual([true, true]);
      expect(info.native.hardwareThreads).toBeGreaterThanOrEqual(1);
      expect(info.native.threads).toBeGreaterThanOrEqual(1);
      expect(info.native.threads).toBeLessThanOrEqual(16);
    } else {
      expect(info.native.reason).toMatch(/not built|failed to load|out of date/);
    }
  });

  it('prints the same as lines', async () => {
    const r = await dlf('info');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dlf ${version}\n`);
    expect(r.stdout).toContain(`node ${process.version}`);
    expect(r.stdout).toMatch(/^backends: (native, ts|ts)$/m);
    expect(r.stdout).toContain(`default backend: ${BACKEND} (DLF_BACKEND)`);
    if (native.available) {
      expect(r.stdout).toMatch(/^ {2}cpu: .*avx512f (yes|no), avx512vl (yes|no), avx2 (yes|no), fma (yes|no)$/m);
      expect(r.stdout).toMatch(/^ {2}kernels: (avx512|avx2|portable) \(gemm micro-kernel .+\)$/m);
      expect(r.stdout).toMatch(/^ {2}denormals: flush-to-zero (on|off), denormals-are-zero (on|off)/m);
      expect(r.stdout).toMatch(/^ {2}threads: \d+ of \d+ hardware threads \((DLF_THREADS|all; DLF_THREADS=n sets it)\)$/m);
    } else {
      expect(r.stdout).toMatch(/^native addon: unavailable: /m);
    }
  });
});

describe('--backend', () => {
  it('an unknown backend is a usage error', async () => {
    const r = await dlf('train', repo('configs/linear.yaml'), '--backend', 'gpu', '--out', tmp.dir + '/x', '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend 'gpu' \(available: auto, ts, native\)/);
  });

  it.each(['ts', 'auto', ...(native.available ? ['native'] : [])])('train reports the backend it ran on (%s)', async (name) => {
    const r = await dlf('train', repo('configs/linear.yaml'), '--backend', name, '--epochs', '1', '--out', `${tmp.dir}/run-${name}`, '--json');
    expect(r.code).toBe(0);
    const start = JSON.parse(r.stdout.split('\n')[0]);
    expect(start.type).toBe('start');
    expect(start.backend).toBe(name === 'auto' ? (native.available ? 'native' : 'ts') : name);
  });

  it.skipIf(native.available)('native is a usage error naming the reason when the addon is missing', async () => {
    const r = await dlf('train', repo('configs/linear.yaml'), '--backend', 'native', '--out', tmp.dir + '/y', '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the native backend is unavailable: /);
  });
});
