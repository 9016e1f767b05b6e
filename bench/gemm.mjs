#!/usr/bin/env node
// Matrix-multiply micro-benchmark: median GFLOP/s of the native and the TypeScript matmul kernels
// at the shapes of an MNIST-sized MLP and a square one, for every transpose combination, on one
// core (both kernels are single-threaded). Not part of `npm test`.
//
//   npm run build && node bench/gemm.mjs [--reps N] [--level 0|1|2] [--no-ts] [--wall] [--json]
//
// Shapes are m×k×n: out[m, n] = op(A)[m, k] · op(B)[k, n]. --level lowers the native dispatch
// level (2 AVX-512, 1 AVX2+FMA, 0 portable C) to measure the other micro-kernels. Timings are the
// process's CPU time (so that other work on a shared machine does not count against the kernels);
// --wall uses wall-clock time instead, which is the same on an idle machine.
import { nativeStatus } from '../dist/kernels/native.js';
import { tsKernels } from '../dist/kernels/ts/index.js';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const reps = value('--reps', 9);
const json = flag('--json');
const wall = flag('--wall');
/** Milliseconds of wall-clock or of this process's CPU time. */
const clock = wall
  ? () => performance.now()
  : () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e3;
    };

const SHAPES = [
  [128, 784, 256],
  [128, 256, 128],
  [512, 512, 512],
];
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

const status = nativeStatus();
if (!status.available) console.error(`native: unavailable: ${status.reason}`);
else if (args.includes('--level')) status.addon.setLevel(value('--level', 2));
const info = status.available ? status.addon.info() : undefined;

function random(n, seed) {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

/** Median GFLOP/s over `reps` timings, each of enough calls to take ≥ 20 ms (after a warm-up). */
function measure(kernels, a, b, out, d, budgetMs) {
  const flops = 2 * d.batch * d.m * d.n * d.k;
  kernels.matmul(a, b, out, d);
  let t0 = clock();
  kernels.matmul(a, b, out, d);
  const once = Math.max(clock() - t0, 1e-3);
  const calls = Math.max(1, Math.round(20 / once));
  const n = Math.max(3, Math.min(reps, Math.floor(budgetMs / (once * calls))));
  const rates = [];
  for (let r = 0; r < n; r++) {
    t0 = clock();
    for (let c = 0; c < calls; c++) kernels.matmul(a, b, out, d);
    rates.push((flops * calls) / ((clock() - t0) / 1e3) / 1e9);
  }
  rates.sort((x, y) => x - y);
  return rates[Math.floor(rates.length / 2)];
}

const rows = [];
for (const [m, k, n] of SHAPES) {
  for (const [transA, transB] of TRANSPOSES) {
    const d = { batch: 1, m, n, k, transA, transB, strideA: m * k, strideB: k * n };
    const a = random(m * k, 1);
    const b = random(k * n, 2);
    const out = new Float32Array(m * n);
    const row = { shape: `${m}x${k}x${n}`, transA, transB };
    if (status.available) row.native = measure(status.kernels, a, b, out, d, 3000);
    if (!flag('--no-ts')) row.ts = measure(tsKernels, a, b, out, d, 3000);
    rows.push(row);
    if (!json) {
      const f = (v) => (v === undefined ? '-' : v.toFixed(1)).padStart(7);
      const ratio = row.native && row.ts ? `${(row.native / row.ts).toFixed(0)}x`.padStart(6) : '';
      console.log(`${row.shape.padEnd(12)} ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}  native ${f(row.native)}  ts ${f(row.ts)}  GFLOP/s ${ratio}`);
    }
  }
}
if (json) console.log(JSON.stringify({ kernel: info?.gemmKernel ?? null, clock: wall ? 'wall' : 'cpu', rows }));
else if (info)
  console.log(`native micro-kernel: ${info.gemmKernel} (${info.levelName}); median of up to ${reps} timings of ${wall ? 'wall-clock' : 'CPU'} time; one core`);
