// Checkpoint save and load times for large models: node bench/checkpoint.mjs [millions...]
// (after npm run build; default 10 and 50 million parameters). Each model is 10 tensors with
// Adam's two slots, so a checkpoint holds three float32 values per parameter. "save" is
// saveCheckpoint (check, digest, JSON bytes, durable write with fsync); "load" is loadCheckpoint
// (capped read, parse, base64, digest, checks), from the page cache. Each size is timed three
// times in a fresh process; the median is printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const child = process.argv[2] === '--child';

if (child) {
  const { saveCheckpoint, loadCheckpoint } = await import('../dist/train/checkpoint.js');
  const { sha256Hex } = await import('../dist/config/hash.js');
  const [n, path] = [Number(process.argv[3]), process.argv[4]];
  const per = Math.ceil(n / 10);
  const params = new Map();
  const m = {};
  const v = {};
  for (let t = 0; t < 10; t++) {
    const name = `layer${t}/dense/w`;
    const w = new Float32Array(per);
    for (let i = 0; i < per; i++) w[i] = Math.sin(i * 0.37 + t);
    params.set(name, { shape: [per], data: w });
    m[name] = w.map((x) => x * 0.01);
    v[name] = w.map((x) => x * x);
  }
  const ckpt = {
    configHash: sha256Hex('bench'),
    epoch: 1,
    step: 100,
    params,
    state: new Map(),
    optimizer: { type: 'adam', state: { step: 100, slots: { m, v } } },
    rng: { shuffle: [1, 2, 3, 4], dropout: [5, 6, 7, 8] },
    progress: { best: { best: 0.5, bestEpoch: 1, wait: 0 }, early: { best: null, bestEpoch: 0, wait: 0 }, plateau: { factor: 1, best: null, wait: 0 } },
    preprocessing: { kind: 'table', features: ['a'], mean: [0], std: [1], task: 'regression' },
    metrics: { train: { loss: 1 } },
  };
  let t0 = performance.now();
  saveCheckpoint(path, ckpt);
  const save = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const back = loadCheckpoint(path);
  const load = (performance.now() - t0) / 1000;
  if (back.params.size !== 10) throw new Error('bad load');
  console.log(JSON.stringify({ save, load, bytes: statSync(path).size, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const sizes = process.argv.slice(2).map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'dlf-ckpt-bench-'));
  try {
    for (const millions of sizes.length ? sizes : [10, 50]) {
      const runs = [];
      for (let r = 0; r < 3; r++) {
        const p = spawnSync(process.execPath, [import.meta.filename, '--child', String(millions * 1e6), join(dir, 'c.json')], { encoding: 'utf8' });
        if (p.status !== 0) {
          const why = /^\w*Error.*$/m.exec(p.stderr)?.[0] ?? p.stderr.trim().split('\n').at(-1);
          console.log(`${millions}M parameters + Adam: failed: ${why}`);
          break;
        }
        runs.push(JSON.parse(p.stdout));
      }
      if (runs.length < 3) continue;
      const med = (k) => runs.map((x) => x[k]).sort((a, b) => a - b)[1];
      console.log(
        `${millions}M parameters + Adam: file ${(runs[0].bytes / 2 ** 20).toFixed(0)} MiB, save ${med('save').toFixed(2)} s, load ${med('load').toFixed(2)} s, peak RSS ${med('maxRssMB').toFixed(0)} MB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
