// dlf's library-API side of `npm run bench` (see bench/README.md); W1, W2 and W3 run through the
// CLI (`node bin/dlf.js train ...`), driven by bench/run.mjs. This script answers two things:
//
//   node bench/dlf-bench.mjs --backends
//       which kernel sets `kernelsFor` provides here: {"backends": [...], "unavailable": {...}}
//   node bench/dlf-bench.mjs --gemm --backend ts [--runs 5 --shapes 128x784x256,...]
//       single-core GFLOP/s of the backend's matmul kernel, several runs per shape
//
// It imports the built library (dist/), so `npm run build` must have run (npm run bench does).
import { parseArgs } from 'node:util';
import { kernelsFor } from '../dist/index.js';

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const { values: args } = parseArgs({
  options: {
    backends: { type: 'boolean', default: false },
    gemm: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'ts' },
    runs: { type: 'string', default: '5' },
    shapes: { type: 'string', default: '128x784x256,128x256x128,512x512x512' },
  },
});

/** Backends to try; `kernelsFor` throws for one that is not built or not known here. */
const CANDIDATES = ['ts', 'native'];

if (args.backends) {
  const backends = [];
  const unavailable = {};
  for (const name of CANDIDATES) {
    try {
      const k = kernelsFor(name);
      backends.push(name);
      if (k.name !== name) unavailable[`${name}-note`] = `kernelsFor('${name}') returned kernels named '${k.name}'`;
    } catch (e) {
      unavailable[name] = String(e.message ?? e);
    }
  }
  emit({ backends, unavailable });
} else if (args.gemm) {
  const kernels = kernelsFor(args.backend);
  // A fixed fill (no Math.random): values in [-1, 1).
  const fill = (buf, seed) => {
    let s = seed >>> 0;
    for (let i = 0; i < buf.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      buf[i] = s / 2147483648 - 1;
    }
  };
  const shapes = [];
  for (const shape of args.shapes.split(',')) {
    const [m, k, n] = shape.split('x').map(Number);
    const a = new Float32Array(m * k);
    const b = new Float32Array(k * n);
    const c = new Float32Array(m * n);
    fill(a, 1);
    fill(b, 2);
    const dims = { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 };
    const flop = 2 * m * n * k;
    for (let i = 0; i < 3; i++) kernels.matmul(a, b, c, dims);
    let t0 = performance.now();
    kernels.matmul(a, b, c, dims);
    const one = Math.max((performance.now() - t0) / 1000, 1e-6);
    const reps = Math.max(1, Math.floor(0.25 / one));
    const gflops = [];
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let r = 0; r < Number(args.runs); r++) {
      t0 = performance.now();
      for (let i = 0; i < reps; i++) kernels.matmul(a, b, c, dims);
      gflops.push((flop * reps) / ((performance.now() - t0) / 1000) / 1e9);
    }
    const cpu = process.cpuUsage(cpu0);
    // CPU time over wall time: about 1 on one core, about 2 when two cores worked.
    const cpuPerWall = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    // A spot check that the kernel computed a product at all (guards a no-op kernel).
    let ref = 0;
    for (let p = 0; p < k; p++) ref += a[p] * b[p * n];
    const err = Math.abs(ref - c[0]) / Math.max(1, Math.abs(ref));
    shapes.push({ m, k, n, reps, gflops, cpu_per_wall: cpuPerWall, check: err < 1e-3 ? 'ok' : `c[0,0] off by ${err}` });
  }
  emit({ framework: 'dlf', backend: kernels.name, result: { shapes }, peak_rss_kb: process.resourceUsage().maxRSS });
} else {
  process.stderr.write('usage: node bench/dlf-bench.mjs --backends | --gemm --backend NAME\n');
  process.exit(2);
}
