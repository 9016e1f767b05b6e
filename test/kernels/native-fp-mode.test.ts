// The floating-point mode around the native kernels: they flush denormals (FTZ/DAZ) on every
// thread that runs them, the addon's workers and, for the length of each call, the calling thread,
// so that results do not depend on the thread count; but the thread that loads dlf and calls them
// keeps its own mode, so a program that imports dlf still prints String(3e-310) as '3e-310'.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeStatus } from '../../src/kernels/native.js';
import { packageRoot } from '../../src/package-root.js';

const status = nativeStatus();
const why = status.available ? '' : ` (skipped: ${status.reason})`;

describe.skipIf(!status.available)(`the floating-point mode${why}`, () => {
  it("loading dlf and calling its kernels leaves the calling thread's mode as it was: 3e-310 still prints", () => {
    // A program that imports dlf from dist (as a user's would), loads the addon through dlf's own
    // loader and calls kernels: single- and multi-threaded ones, and one that throws.
    const dist = join(packageRoot(), 'dist');
    if (!existsSync(join(dist, 'index.js'))) throw new Error(`${dist} is not built: run npm run build`);
    const script = `
      const dlf = await import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)});
      const { nativeStatus } = await import(${JSON.stringify(pathToFileURL(join(dist, 'kernels', 'native.js')).href)});
      const seen = () => [String(3e-310), 3e-310 * 1 !== 0, Math.fround(1e-40) !== 0];
      const report = { before: seen() };
      const k = dlf.kernelsFor('native');
      report.afterLoad = seen();
      const { addon } = nativeStatus();
      addon.setThreads(2);
      const n = 1 << 18;
      const x = new Float32Array(n).fill(1e-20), out = new Float32Array(n);
      k.binary('mul', x, x, out, { kind: 'same', n });
      addon.sgdStep(x, x, 0.5);
      k.matmul(x, x, out, { batch: 1, m: 64, n: 64, k: 64, transA: false, transB: false, strideA: 4096, strideB: 4096 });
      report.afterCalls = seen();
      try { addon.sgdStep(x, new Float32Array(3), 0.5); } catch (e) { report.threw = e.constructor.name; }
      report.afterThrow = seen();
      report.info = addon.info();
      console.log(JSON.stringify(report));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    const ieee = ['3e-310', true, true];
    expect(report.before).toEqual(ieee);
    expect(report.afterLoad).toEqual(ieee);
    expect(report.afterCalls).toEqual(ieee);
    expect(report.threw).toBe('RangeError');
    expect(report.afterThrow).toEqual(ieee);
    // info: the kernels' mode, and the calling thread's own, which the addon leaves alone.
    expect([report.info.callerFtz, report.info.callerDaz]).toEqual([false, false]);
    if (report.info.arch === 'x86_64') expect([report.info.ftz, report.info.daz]).toEqual([true, true]);
  });

  it('kernel calls flush denormals alike on one thread and on several (the calling thread runs part of the work)', () => {
    if (!status.available) return;
    const { addon } = status;
    const threads = addon.info().threads;
    // Long enough to be split over the threads; 1e-20 · 1e-20 is a float32 denormal, and so is 1e-40.
    const n = 1 << 18;
    const tiny = new Float32Array(n).fill(1e-20);
    const denormal = new Float32Array(n).fill(1e-40);
    const results = [1, 2].map((t) => {
      addon.setThreads(t);
      const product = new Float32Array(n).fill(7);
      const sum = new Float32Array(n).fill(7);
      addon.binary(2, tiny, tiny, product, n, 1, 1, 0, 0);
      addon.binary(0, denormal, denormal, sum, n, 1, 1, 0, 0);
      return [product, sum].map((f) => new Uint32Array(f.buffer).every((bits) => bits === 0));
    });
    addon.setThreads(threads);
    const flushes = addon.info().ftz;
    expect(results).toEqual([
      [flushes, flushes],
      [flushes, flushes],
    ]);
  });
});
