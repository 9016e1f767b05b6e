// `npm run bench`: dlf beside PyTorch and TensorFlow.js, one after another in one session, on the
// workloads of bench/README.md (W1 MLP, W2 CNN, W3 whole-process linear regression, GEMM), and
// dlf's inference beside ONNX Runtime on the model dlf exports (W5).
// Prints a table of medians, peak RSS and dlf's speed ratios on stdout (progress on stderr) and
// writes every raw number to bench/results/<ISO date>-<hostname>.json.
//
//   node bench/run.mjs [--quick] [--only w1,w2,w3,gemm,w4,w5]
//
// --quick shortens every run (smaller time budgets, fewer repeats) for a smoke test of the harness;
// its numbers are noisier and the output says it was quick.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareData } from './lib/data.mjs';
import { HAS_TIME, failure, ndjson, runProcess } from './lib/proc.mjs';
import { DISTURBED_BELOW, MIN_EARLIER, loadHistory, markDisturbed } from './lib/history.mjs';
import { formatValue, median, renderTable } from './lib/report.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const PYTHON = '/usr/bin/python3'; // Debian's python3, where python3-torch installs
const NODE = process.execPath;

const { values: cli } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'w1,w2,w3,gemm,w4,w5' },
  },
});
const only = new Set(cli.only.split(',').map((s) => s.trim().toLowerCase()));

// How much work each measurement gets. Slow implementations (dlf and TF.js, whose speed is not
// known in advance) are probed first on a few batches and then given as many samples as fit the
// budget per run, up to the full count; the output marks every reduced run.
const P = cli.quick
  ? { epochs: 2, w1Budget: 4, w2Budget: 4, w3Reps: 2, gemmRuns: 3, w4Steps: 2, w4Runs: 2, w5Budget: 0.1, w5Runs: 3 }
  : { epochs: 3, w1Budget: 30, w2Budget: 20, w3Reps: 5, gemmRuns: 5, w4Steps: 10, w4Runs: 5, w5Budget: 0.5, w5Runs: 5 };
const W = {
  w1: { full: 60_000, batch: 128, probe: 6_400, budget: P.w1Budget, config: 'bench/configs/w1-mlp.yaml' },
  w2: { full: 10_000, batch: 64, probe: 640, budget: P.w2Budget, config: 'bench/configs/w2-cnn.yaml' },
};
const SHAPES = ['128x784x256', '128x256x128', '512x512x512'];

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const notes = [];
const records = [];
const started = Date.now();

// ---------------------------------------------------------------- environment of the peers

/**
 * Environment for PyTorch: its best configuration at `threads` threads, or the machine's defaults
 * ("as installed"). OpenBLAS gets its own thread count: as many as torch for W1, whose time is in
 * single large matrix products, and 1 for W2, where torch runs its threads over the convolution's
 * samples and each calls OpenBLAS (the faster of the two there). W3 and GEMM run on one thread.
 */
function torchEnv(mode, workload, threads = workload === 'w2' ? 2 : 1) {
  const env = { ...process.env };
  for (const k of ['OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) delete env[k];
  if (mode === 'best') {
    env.OPENBLAS_CORETYPE = 'SkylakeX';
    env.OPENBLAS_NUM_THREADS = workload === 'w2' ? '1' : String(threads);
  }
  return env;
}

const TORCH_MODES = [
  { mode: 'best', label: (w) => `PyTorch best (${w === 'w2' ? '2 threads, OpenBLAS 1' : '1 thread'})` },
  { mode: 'installed', label: () => 'PyTorch as installed' },
];

/**
 * The thread counts W1 and W2 are measured at, for dlf's native kernels (DLF_THREADS) and for
 * PyTorch in its best configuration: 1 and 2 (1 alone on a one-core machine), so that dlf and
 * PyTorch are also compared on equal cores.
 */
const TRAIN_THREADS = cpus().length >= 2 ? [1, 2] : [1];
const plural = (n) => `${n} thread${n === 1 ? '' : 's'}`;

function probeTorch() {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install -y python3-torch libopenblas0-pthread)`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
    return null;
  } catch (e) {
    const err = String(e.stderr ?? e.message)
      .trim()
      .split('\n')
      .pop();
    return `import torch failed with ${PYTHON}: ${err} (apt-get install -y python3-torch libopenblas0-pthread)`;
  }
}

function probeTfjs() {
  try {
    execFileSync(NODE, ['-e', "import('@tensorflow/tfjs').then(()=>import('@tensorflow/tfjs-backend-wasm'))"], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    return null;
  } catch (e) {
    return `TensorFlow.js cannot be imported: ${
      String(e.stderr ?? e.message)
        .trim()
        .split('\n')
        .find((l) => l.includes('Error')) ?? 'unknown error'
    } (npm install)`;
  }
}

function dlfBackends() {
  const r = runProcess(NODE, [join(BENCH, 'dlf-bench.mjs'), '--backends'], { cwd: ROOT });
  if (r.code !== 0 || !r.json) throw new Error(`cannot load dlf (did npm run build run?): ${failure(r)}`);
  for (const [name, why] of Object.entries(r.json.unavailable)) notes.push(`dlf backend '${name}' not run: ${why}`);
  return r.json.backends;
}

// ---------------------------------------------------------------- W1 and W2

/** One training process of `epochs` timed epochs on the first `samples` samples; `threads` sets DLF_THREADS for the native kernels. */
function trainDlf(w, backend, files, samples, epochs, threads) {
  const out = mkdtempSync(join(tmpdir(), 'dlf-bench-run-'));
  const dir = dirname(files.images);
  const args = [
    'bin/dlf.js',
    'train',
    W[w].config,
    '--backend',
    backend,
    '--epochs',
    String(epochs),
    '--json',
    '--quiet',
    '--out',
    out,
    '--set',
    `data.dir=${dir}`,
    '--set',
    `data.train_images=${relative(dir, files.images)}`,
    '--set',
    `data.train_labels=${relative(dir, files.labels)}`,
    '--set',
    `data.limit=${samples}`,
  ];
  const env = { ...process.env };
  if (threads) env.DLF_THREADS = String(threads);
  const r = runProcess(NODE, args, { cwd: ROOT, env, timeoutSeconds: 900 });
  rmSync(out, { recursive: true, force: true });
  const events = ndjson(r.stdout);
  const start = events.find((e) => e.type === 'start');
  const epochsDone = events.filter((e) => e.type === 'epoch');
  if (r.code !== 0 || !start || epochsDone.length === 0) return { status: 'failed', message: failure(r), peakRssKb: r.peakRssKb };
  const n = start.trainSamples;
  return {
    status: 'ok',
    samples: n,
    values: epochsDone.map((e) => n / e.seconds),
    seconds: epochsDone.map((e) => e.seconds),
    loss: epochsDone.map((e) => e.train.loss),
    peakRssKb: r.peakRssKb,
    othersCores: r.othersCores,
    wallSeconds: r.wallSeconds,
    cpuSeconds: r.cpuSeconds,
    command: `${threads ? `DLF_THREADS=${threads} ` : ''}node ${args.join(' ')}`,
  };
}

/** The arguments both peers' scripts take for a training workload: the workload, its data and counts. */
function peerArgs(script, w, files, samples, epochs, extra) {
  return [
    join(BENCH, script),
    '--workload',
    w,
    ...extra,
    '--images',
    files.images,
    '--labels',
    files.labels,
    '--samples',
    String(samples),
    '--epochs',
    String(epochs),
  ];
}

/** A peer's run that printed no result: skipped (it said so) or failed. */
function notTrained(r) {
  return { status: r.json?.skipped ? 'skipped' : 'failed', message: failure(r), peakRssKb: r.peakRssKb };
}

function trainTorch(w, mode, files, samples, epochs, threads) {
  const args = peerArgs('torch_bench.py', w, files, samples, epochs, ['--mode', mode]);
  if (threads) args.push('--threads', String(threads));
  const r = runProcess(PYTHON, args, { env: torchEnv(mode, w, threads), timeoutSeconds: 900 });
  if (r.code !== 0 || !r.json?.result) return notTrained(r);
  return trained(r, { settings: r.json.settings, version: r.json.version, python: r.json.python });
}

function trainTfjs(w, backend, files, samples, epochs) {
  const r = runProcess(NODE, peerArgs('tfjs-bench.mjs', w, files, samples, epochs, ['--backend', backend]), { cwd: ROOT, timeoutSeconds: 900 });
  if (r.code !== 0 || !r.json?.result) return notTrained(r);
  const res = r.json.result;
  if (res.unsupported) return { status: 'unsupported', message: res.unsupported, peakRssKb: r.peakRssKb, version: r.json.version };
  return trained(r, { version: r.json.version, wasmThreads: r.json.wasmThreads });
}

function trained(r, extra) {
  const res = r.json.result;
  return {
    status: 'ok',
    samples: res.samples,
    values: res.seconds.map((s) => res.samples / s),
    seconds: res.seconds,
    loss: res.loss,
    peakRssKb: r.peakRssKb,
    othersCores: r.othersCores,
    wallSeconds: r.wallSeconds,
    cpuSeconds: r.cpuSeconds,
    ...extra,
  };
}

/**
 * Probes a slow implementation on a few batches, then runs it on as many samples as fit the
 * budget (a multiple of the batch size, at least 10 batches, at most the full count).
 */
function sized(w, run) {
  const { full, batch, probe, budget } = W[w];
  const p = run(Math.min(probe, full), 1);
  if (p.status !== 'ok') return p;
  const rate = median(p.values);
  const fit = Math.floor((rate * budget) / batch) * batch;
  const samples = Math.min(full, Math.max(10 * batch, fit));
  const r = run(samples, P.epochs);
  const reducedWhy = `time budget ${budget} s per run, after a probe of ${p.samples} samples at ${rate.toFixed(1)} samples/s`;
  return { ...r, ...(samples < full ? { reducedWhy } : {}), probe: { samples: p.samples, samplesPerSecond: p.values, peakRssKb: p.peakRssKb } };
}

function record(base, r, full) {
  const rec = { ...base, ...r };
  // Say how many threads PyTorch really used.
  if (base.framework === 'torch' && r.settings && base.mode === 'installed') {
    rec.label = `${base.label} (${plural(r.settings.threads)})`;
    if (rec.threads === undefined && base.unit === 'samples/s') rec.threads = r.settings.threads;
  }
  if (r.status === 'ok') {
    rec.median = median(r.values);
    rec.runs = r.values.length;
    rec.fullSamples = full;
    rec.reduced = r.samples < full;
  }
  records.push(rec);
  const what =
    r.status === 'ok'
      ? `${rec.median.toFixed(2)} ${base.unit} (median of ${rec.runs}${r.samples ? ` runs of ${r.samples} samples` : ''})`
      : `${r.status}: ${r.message}`;
  const which = base.model ? ` ${base.model} batch ${base.batch}, ${base.threads} thread(s),` : '';
  log(`${base.workload}${which} ${base.label}: ${what}`);
  return rec;
}

function training(w, data, backends, torchSkip, tfjsSkip) {
  const files = data.files[w];
  const full = W[w].full;
  const unit = 'samples/s';
  for (const b of backends) {
    // The TypeScript kernels use one thread whatever DLF_THREADS says: measured once.
    for (const threads of b === 'ts' ? [1] : TRAIN_THREADS) {
      log(`${w} dlf ${b} ${plural(threads)} ...`);
      const base = { workload: w, framework: 'dlf', backend: b, threads, label: `dlf ${b} (CLI, ${plural(threads)})`, unit };
      record(
        base,
        sized(w, (n, e) => trainDlf(w, b, files, n, e, b === 'ts' ? undefined : threads)),
        full,
      );
    }
  }
  const torchRuns = [
    ...TRAIN_THREADS.map((threads) => ({ mode: 'best', threads, label: `PyTorch best config, ${plural(threads)}${w === 'w2' ? ', OpenBLAS 1' : ''}` })),
    { mode: 'installed', label: 'PyTorch as installed' },
  ];
  for (const { mode, threads, label } of torchRuns) {
    const base = { workload: w, framework: 'torch', mode, ...(threads ? { threads } : {}), label, unit };
    if (torchSkip) {
      record(base, { status: 'skipped', message: torchSkip }, full);
      continue;
    }
    log(`${w} torch ${mode}${threads ? ` ${plural(threads)}` : ''} ...`);
    record(base, trainTorch(w, mode, files, full, P.epochs, threads), full);
  }
  const tfBackends = w === 'w2' ? ['wasm', 'cpu'] : ['wasm'];
  for (const b of tfBackends) {
    const base = { workload: w, framework: 'tfjs', backend: b, label: `TF.js ${b}`, unit };
    if (tfjsSkip) {
      record(base, { status: 'skipped', message: tfjsSkip }, full);
      continue;
    }
    log(`${w} tfjs ${b} ...`);
    if (b === 'cpu') {
      // The pure-JS backend trains a CNN at a few samples per second: one batch per run.
      const r = trainTfjs(w, b, files, W[w].batch, P.epochs);
      record(base, { ...r, reducedWhy: 'short run of one batch: the pure-JS backend is too slow for more' }, full);
    } else
      record(
        base,
        sized(w, (n, e) => trainTfjs(w, b, files, n, e)),
        full,
      );
  }
}

// ---------------------------------------------------------------- W3

function linearRuns(base, cmd, args, opts, parse) {
  const wall = [];
  const rss = [];
  const others = [];
  const extra = [];
  let settings;
  let versions;
  for (let i = 0; i < P.w3Reps; i++) {
    const r = runProcess(cmd, args, opts);
    if (r.code !== 0) return record(base, { status: r.json?.skipped ? 'skipped' : 'failed', message: failure(r), peakRssKb: r.peakRssKb });
    wall.push(r.wallSeconds);
    rss.push(r.peakRssKb);
    others.push(r.othersCores);
    extra.push(parse(r));
    settings = r.json?.settings;
    versions = { version: r.json?.version, python: r.json?.python };
  }
  return record(base, {
    status: 'ok',
    values: wall,
    peakRssKb: median(rss),
    peakRssKbRuns: rss,
    othersCores: median(others),
    othersCoresRuns: others,
    results: extra,
    settings,
    ...versions,
    command: [cmd, ...args].join(' '),
  });
}

function w3(backends, torchSkip, tfjsSkip) {
  const unit = 's';
  for (const b of backends) {
    log(`w3 dlf ${b} ...`);
    const outs = [];
    const base = { workload: 'w3', framework: 'dlf', backend: b, label: `dlf ${b} (node bin/dlf.js)`, unit };
    // --out must be new or empty: a fresh folder per process.
    const wall = [];
    const rss = [];
    const others = [];
    const results = [];
    let failed;
    for (let i = 0; i < P.w3Reps && !failed; i++) {
      const out = mkdtempSync(join(tmpdir(), 'dlf-bench-w3-'));
      outs.push(out);
      const args = [
        'bin/dlf.js',
        'train',
        'configs/linear.yaml',
        '--backend',
        b,
        '--quiet',
        '--out',
        out,
        '--set',
        'data.samples=1000',
        '--set',
        'data.split.validation=0',
        '--set',
        'train.epochs=100',
        '--set',
        'train.batch_size=32',
        '--set',
        'train.optimizer={type: sgd, lr: 0.1}',
      ];
      const r = runProcess(NODE, args, { cwd: ROOT });
      if (r.code !== 0) failed = { status: 'failed', message: failure(r), peakRssKb: r.peakRssKb };
      else {
        wall.push(r.wallSeconds);
        rss.push(r.peakRssKb);
        others.push(r.othersCores);
        const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
        results.push({ train_loss: m.final?.train?.loss, train_seconds: m.seconds });
      }
      base.command = `node ${args.join(' ')}`;
    }
    for (const o of outs) rmSync(o, { recursive: true, force: true });
    record(
      base,
      failed ?? { status: 'ok', values: wall, peakRssKb: median(rss), peakRssKbRuns: rss, othersCores: median(others), othersCoresRuns: others, results },
    );
  }
  for (const { mode, label } of TORCH_MODES) {
    const base = { workload: 'w3', framework: 'torch', mode, label: `${label('w3')}`, unit };
    if (torchSkip) {
      record(base, { status: 'skipped', message: torchSkip });
      continue;
    }
    log(`w3 torch ${mode} ...`);
    linearRuns(base, PYTHON, [join(BENCH, 'torch_bench.py'), '--workload', 'w3', '--mode', mode], { env: torchEnv(mode, 'w3') }, (r) => r.json?.result);
  }
  for (const b of ['wasm', 'cpu']) {
    const base = { workload: 'w3', framework: 'tfjs', backend: b, label: `TF.js ${b} (node)`, unit };
    if (tfjsSkip) {
      record(base, { status: 'skipped', message: tfjsSkip });
      continue;
    }
    log(`w3 tfjs ${b} ...`);
    linearRuns(base, NODE, [join(BENCH, 'tfjs-bench.mjs'), '--workload', 'w3', '--backend', b], { cwd: ROOT }, (r) => r.json?.result);
  }
}

// ---------------------------------------------------------------- GEMM

function gemmRecords(base, r) {
  if (r.code !== 0 || !r.json?.result) {
    const status = r.json?.skipped ? 'skipped' : 'failed';
    for (const s of SHAPES) record({ ...base, workload: 'gemm', shape: s }, { status, message: failure(r), peakRssKb: r.peakRssKb });
    return;
  }
  for (const s of r.json.result.shapes) {
    const shape = `${s.m}x${s.k}x${s.n}`;
    record(
      { ...base, workload: 'gemm', shape },
      {
        status: 'ok',
        values: s.gflops,
        reps: s.reps,
        check: s.check,
        cpuPerWall: s.cpu_per_wall,
        gflopsPerCpuSecond: median(s.gflops) / s.cpu_per_wall,
        peakRssKb: r.peakRssKb,
        othersCores: r.othersCores,
        settings: r.json.settings,
        wasmThreads: r.json.wasmThreads,
        version: r.json.version,
        python: r.json.python,
      },
    );
  }
}

function gemm(backends, torchSkip, tfjsSkip) {
  const unit = 'GFLOP/s';
  const common = ['--runs', String(P.gemmRuns), '--shapes', SHAPES.join(',')];
  for (const b of backends) {
    log(`gemm dlf ${b} ...`);
    // One thread: the target is one core's rate (dlf's native matmul splits large products over every core).
    const env = { ...process.env, DLF_THREADS: '1' };
    gemmRecords(
      { framework: 'dlf', backend: b, label: `dlf ${b} kernels.matmul (1 thread)`, unit },
      runProcess(NODE, [join(BENCH, 'dlf-bench.mjs'), '--gemm', '--backend', b, ...common], { cwd: ROOT, env }),
    );
  }
  for (const { mode } of TORCH_MODES) {
    const base = { framework: 'torch', mode, label: mode === 'best' ? 'torch.mm best (1 thread)' : 'torch.mm as installed', unit };
    if (torchSkip) {
      gemmRecords(base, { code: 3, json: { skipped: torchSkip }, stderrTail: '' });
      continue;
    }
    log(`gemm torch ${mode} ...`);
    gemmRecords(base, runProcess(PYTHON, [join(BENCH, 'torch_bench.py'), '--workload', 'gemm', '--mode', mode, ...common], { env: torchEnv(mode, 'gemm') }));
  }
  const base = { framework: 'tfjs', backend: 'wasm', label: 'tf.matMul wasm', unit };
  if (tfjsSkip) gemmRecords(base, { code: 3, json: { skipped: tfjsSkip }, stderrTail: '' });
  else {
    log('gemm tfjs wasm ...');
    gemmRecords(base, runProcess(NODE, [join(BENCH, 'tfjs-bench.mjs'), '--workload', 'gemm', '--backend', 'wasm', ...common], { cwd: ROOT }));
  }
}

// ---------------------------------------------------------------- W4

const W4_MODELS = [
  { key: 'lstm', title: 'character LSTM: embedding 65→128, 2-layer LSTM 256, dense 65' },
  { key: 'transformer', title: 'causal transformer: embedding 65→128 + learned positions, 2 blocks (4 heads, MLP 512), dense 65' },
];

/**
 * Sequence models in training, tokens per second (batch 32 × 64 random tokens, Adam): dlf's native
 * kernels (bench/w4-seq.mjs) and PyTorch's best configuration (torch_bench.py --workload w4), each
 * at every thread count of TRAIN_THREADS, one process per measurement.
 */
function w4(backends, torchSkip) {
  const unit = 'tokens/s';
  const steps = ['--steps', String(P.w4Steps), '--runs', String(P.w4Runs)];
  if (backends.includes('ts')) notes.push('w4: the TypeScript kernels are not timed (a step of these models takes them seconds)');
  for (const m of W4_MODELS) {
    const full = P.w4Steps * 32 * 64;
    if (backends.includes('native'))
      for (const threads of TRAIN_THREADS) {
        const base = { workload: 'w4', model: m.key, batch: 32, framework: 'dlf', backend: 'native', threads, label: `dlf native (${plural(threads)})`, unit };
        log(`w4 ${m.key} dlf native ${plural(threads)} ...`);
        const args = [join(BENCH, 'w4-seq.mjs'), '--model', m.key, '--backend', 'native', ...steps];
        const r = runProcess(NODE, args, { cwd: ROOT, env: { ...process.env, DLF_THREADS: String(threads) }, timeoutSeconds: 1800 });
        const ok = r.code === 0 && r.json?.values;
        record(
          base,
          ok
            ? {
                status: 'ok',
                values: r.json.values,
                samples: full,
                loss: r.json.loss,
                peakRssKb: r.peakRssKb,
                othersCores: r.othersCores,
                cpuSeconds: r.cpuSeconds,
              }
            : { status: r.json?.skipped ? 'skipped' : 'failed', message: r.json?.skipped ?? failure(r) },
          full,
        );
      }
    for (const threads of TRAIN_THREADS) {
      const base = {
        workload: 'w4',
        model: m.key,
        batch: 32,
        framework: 'torch',
        mode: 'best',
        threads,
        label: `PyTorch best config, ${plural(threads)}`,
        unit,
      };
      if (torchSkip) {
        record(base, { status: 'skipped', message: torchSkip }, full);
        continue;
      }
      log(`w4 ${m.key} torch best ${plural(threads)} ...`);
      const args = [join(BENCH, 'torch_bench.py'), '--workload', 'w4', '--mode', 'best', '--threads', String(threads), '--model', m.key, ...steps];
      const r = runProcess(PYTHON, args, { env: torchEnv('best', 'w4', threads), timeoutSeconds: 1800 });
      if (r.code !== 0 || !r.json?.result) record(base, notTrained(r), full);
      else
        record(
          base,
          {
            status: 'ok',
            values: r.json.result.values,
            samples: full,
            loss: r.json.result.loss,
            peakRssKb: r.peakRssKb,
            othersCores: r.othersCores,
            settings: r.json.settings,
            version: r.json.version,
            python: r.json.python,
          },
          full,
        );
    }
  }
}

// ---------------------------------------------------------------- W5

const W5_MODELS = [
  { key: 'mlp', config: 'configs/fashion-mlp.yaml', title: 'Fashion-MNIST MLP 784-256-128-10 (configs/fashion-mlp.yaml)' },
  { key: 'cnn', config: 'configs/fashion-cnn.yaml', title: 'Fashion-MNIST CNN conv5x5x16-pool-conv5x5x32-pool-dense128-dense10 (configs/fashion-cnn.yaml)' },
];
const W5_BATCHES = [1, 256];

/** W5's thread counts: one, and every core (at most 16, as the native kernels). */
const w5Threads = () => [...new Set([1, Math.min(cpus().length, 16)])];

/**
 * Inference of the Fashion-MNIST MLP and CNN: each config trained one short epoch on the bundled
 * subset and exported with `dlf export --format onnx`, then one process per thread count runs
 * dlf's predict path and ONNX Runtime side by side (bench/w5-infer.mjs).
 */
function w5(backends, work) {
  const subset = join(ROOT, 'datasets', 'fashion-mnist-small');
  const images = join(subset, 't10k-images-idx3-ubyte.gz');
  const models = [];
  const ready = [];
  model: for (const m of W5_MODELS) {
    const run = join(work, `w5-${m.key}`);
    const file = join(work, `w5-${m.key}.onnx`);
    log(`w5 preparing ${m.key}: a short training run on the bundled subset, then dlf export ...`);
    const steps = [
      [
        'bin/dlf.js',
        'train',
        m.config,
        '--out',
        run,
        '--quiet',
        '--epochs',
        '1',
        '--set',
        `data.dir=${subset}`,
        '--set',
        'data.limit=512',
        '--set',
        'train.evaluate_test=false',
      ],
      ['bin/dlf.js', 'export', run, '--format', 'onnx', '--out', file],
    ];
    for (const args of steps) {
      const r = runProcess(NODE, args, { cwd: ROOT, timeoutSeconds: 900 });
      if (r.code !== 0) {
        for (const batch of W5_BATCHES)
          for (const threads of w5Threads())
            record(
              { workload: 'w5', model: m.key, batch, threads, framework: 'dlf', label: 'dlf', unit: 'samples/s' },
              { status: 'failed', message: failure(r) },
            );
        continue model; // the other model is still measured
      }
    }
    models.push(`${m.key}=${run},${file}`);
    ready.push(m);
  }
  if (ready.length === 0) return;
  for (const threads of w5Threads()) {
    // The TypeScript kernels use one thread whatever DLF_THREADS says: measured once.
    const bs = threads === 1 ? backends : backends.filter((b) => b !== 'ts');
    log(`w5 ${threads} thread(s): dlf ${bs.join(', ')} and ONNX Runtime ...`);
    const args = [
      join(BENCH, 'w5-infer.mjs'),
      '--threads',
      String(threads),
      '--backends',
      bs.join(','),
      '--images',
      images,
      '--budget',
      String(P.w5Budget),
      '--runs',
      String(P.w5Runs),
      ...models.flatMap((m) => ['--model', m]),
    ];
    const r = runProcess(NODE, args, { cwd: ROOT, env: { ...process.env, DLF_THREADS: String(threads) }, timeoutSeconds: 1800 });
    if (r.code !== 0 || !r.json?.result) {
      const status = r.json?.skipped ? 'skipped' : 'failed';
      for (const m of ready)
        for (const batch of W5_BATCHES)
          record(
            { workload: 'w5', model: m.key, batch, threads, framework: 'onnxruntime', label: 'ONNX Runtime', unit: 'samples/s' },
            { status, message: r.json?.skipped ?? failure(r) },
          );
      continue;
    }
    const t = `${threads} thread${threads === 1 ? '' : 's'}`;
    for (const res of r.json.result) {
      const dlf = res.framework === 'dlf';
      const label = dlf ? `dlf ${res.backend} (ModelRuntime eval, ${res.backend === 'ts' ? '1 thread' : t})` : `ONNX Runtime (${t} intra-op)`;
      record(
        {
          workload: 'w5',
          model: res.model,
          batch: res.batch,
          threads,
          framework: res.framework,
          ...(dlf ? { backend: res.backend } : {}),
          label,
          unit: 'samples/s',
        },
        {
          status: 'ok',
          values: res.values,
          latencyMs: res.latencyMs,
          callsPerRun: res.callsPerRun,
          peakRssKb: r.peakRssKb,
          othersCores: r.othersCores,
          command: `DLF_THREADS=${threads} node ${args.map((a) => relative(ROOT, a) || a).join(' ')}`,
        },
      );
    }
  }
}

// ---------------------------------------------------------------- machine and versions

function machine() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  let flags = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? cpu;
    const f = /^flags\s*:\s*(.*)$/m.exec(info)?.[1]?.split(' ') ?? [];
    flags = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_tile'].filter((x) => f.includes(x));
  } catch {
    // not Linux
  }
  return { cpu, cores: cpus().length, simd: flags, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), kernel: release(), hostname: hostname() };
}

function dlfVersion() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  let commit = null;
  let dirty = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    // not a git checkout
  }
  return { version: pkg.version, commit, dirty };
}

function tfjsVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function onnxruntimeVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- main

const work = mkdtempSync(join(tmpdir(), 'dlf-bench-data-'));
let exitCode = 0;
try {
  const mach = machine();
  log(`${mach.cpu}, ${mach.cores} cores; ${cli.quick ? 'QUICK mode' : 'full mode'}`);
  if (!HAS_TIME) notes.push('/usr/bin/time not found: peak RSS is what each process reports about itself (n/a for the dlf CLI)');
  const backends = dlfBackends();
  const torchSkip = probeTorch();
  if (torchSkip) notes.push(`PyTorch skipped: ${torchSkip}`);
  const tfjsSkip = probeTfjs();
  if (tfjsSkip) notes.push(`TensorFlow.js skipped: ${tfjsSkip}`);

  // Only W1 and W2 read these images (W5 reads the bundled test images itself).
  const trains = only.has('w1') || only.has('w2');
  const data = trains
    ? prepareData(ROOT, work, { w1: W.w1.full, w2: W.w2.full })
    : { source: 'none', dir: null, available: null, files: {}, description: 'not prepared: W1 and W2 were not run' };
  if (trains) {
    log(`data: ${data.description}`);
    notes.unshift(`data (W1, W2): ${data.description}`);
  }

  if (only.has('w1')) training('w1', data, backends, torchSkip, tfjsSkip);
  if (only.has('w2')) training('w2', data, backends, torchSkip, tfjsSkip);
  if (only.has('w3')) w3(backends, torchSkip, tfjsSkip);
  if (only.has('gemm')) gemm(backends, torchSkip, tfjsSkip);
  if (only.has('w4')) w4(backends, torchSkip);
  if (only.has('w5')) w5(backends, work);

  // Notes: reduced runs, unsupported and failed measurements.
  for (const r of records) {
    const where = `${r.workload}${r.shape ? ` ${r.shape}` : ''}${r.model ? ` ${r.model} batch ${r.batch}, ${r.threads} thread(s),` : ''} ${r.label}`;
    if (r.status === 'ok' && r.reduced)
      notes.push(
        `* ${where}: ran ${r.samples.toLocaleString('en-US')} of ${r.fullSamples.toLocaleString('en-US')} samples per run (${r.reducedWhy}); the throughput is measured on those samples, not extrapolated`,
      );
    else if (r.status !== 'ok') notes.push(`${where}: ${r.status}: ${r.message}`);
  }
  // Medians far below this machine's earlier ones (a quick run's are not compared: they are short and noisy).
  const resultsDir = join(BENCH, 'results');
  const disturbed = cli.quick ? [] : markDisturbed(records, loadHistory(resultsDir, mach.hostname), mach.cores);
  for (const r of disturbed) {
    const where = `${r.workload}${r.shape ? ` ${r.shape}` : ''}${r.model ? ` ${r.model} batch ${r.batch}, ${r.threads} thread(s),` : ''} ${r.label}`;
    const d = r.disturbed;
    notes.push(
      `! ${where}: median ${formatValue(r.median, r.unit)} ${r.unit} is ${d.fraction.toFixed(2)} of its earlier median on this machine ` +
        `(${formatValue(d.earlierMedian, r.unit)} over ${d.earlierRuns} full runs; flagged below ${DISTURBED_BELOW}): probably disturbed by other processes ` +
        `(others ${Number.isFinite(r.othersCores) ? r.othersCores.toFixed(2) : 'n/a'})${r.framework === 'dlf' ? ', or slower code' : ''}`,
    );
  }
  const busy = records.filter((r) => r.othersCores > 0.2);
  if (busy.length) {
    notes.push(
      `other processes kept ${busy.length} measurement(s) company on this ${mach.cores}-core machine (column 'others': cores busy with them on average; the worst ${Math.max(...busy.map((r) => r.othersCores)).toFixed(2)}); those numbers are lower than on a quiet machine`,
    );
  }

  const torchRec = records.find((r) => r.framework === 'torch' && r.version);
  const versions = {
    node: process.version,
    dlf: dlfVersion(),
    torch: torchRec?.version ?? null,
    python: torchRec?.python ?? null,
    tfjs: records.find((r) => r.framework === 'tfjs' && r.version)?.version ?? tfjsVersion(),
    onnxruntime: onnxruntimeVersion(),
  };
  const dataLabel = data.source === 'real' ? 'real data' : 'bundled subset repeated';
  const sections = [
    {
      key: 'w1',
      title: `W1  Fashion-MNIST MLP 784-256-128-10 ReLU, Adam 1e-3, batch 128, ${W.w1.full.toLocaleString('en-US')} samples/run (${dataLabel}); throughput`,
      unit: 'samples/s',
      samplesColumn: true,
      threadsColumn: true,
      summary: true,
    },
    {
      key: 'w2',
      title: `W2  CNN conv5x5x16-pool-conv5x5x32-pool-dense10, Adam, batch 64, ${W.w2.full.toLocaleString('en-US')} samples/run (${dataLabel}); throughput`,
      unit: 'samples/s',
      samplesColumn: true,
      threadsColumn: true,
      summary: true,
    },
    { key: 'w3', title: 'W3  y = 2x + 3, 1,000 samples, batch 32, 100 epochs of SGD; wall time of the whole process (ratio: peer time / dlf time)', unit: 's' },
    ...SHAPES.map((s) => ({
      key: 'gemm',
      shape: s,
      title: `GEMM ${s.replace(/x/g, ' x ')} (m x k x n), single core; GFLOP/CPU-s = GFLOP per second of the process's own CPU time`,
      unit: 'GFLOP/s',
      extra: { head: 'GFLOP/CPU-s', value: (r) => (Number.isFinite(r.gflopsPerCpuSecond) ? formatValue(r.gflopsPerCpuSecond, 'GFLOP/s') : '') },
    })),
    ...W4_MODELS.map((m) => ({
      key: 'w4',
      match: (r) => r.model === m.key,
      title: `W4  ${m.title}; training on batches of 32 × 64 random tokens, Adam 1e-3, ${P.w4Steps} steps/run; throughput`,
      unit: 'tokens/s',
      threadsColumn: true,
      summary: true,
    })),
    ...W5_MODELS.flatMap((m) =>
      W5_BATCHES.flatMap((batch) =>
        w5Threads().map((threads) => ({
          key: 'w5',
          match: (r) => r.model === m.key && r.batch === batch && r.threads === threads,
          title: `W5  ${m.title}, inference at batch ${batch}, ${threads} thread${threads === 1 ? '' : 's'}: raw pixels to probabilities and class; latency = median time of one call`,
          unit: 'samples/s',
          extra: { head: 'latency ms', value: (r) => (Number.isFinite(r.latencyMs) ? r.latencyMs.toFixed(r.latencyMs < 1 ? 3 : 2) : '') },
        })),
      ),
    ),
  ]
    .map((s) => ({ ...s, records: records.filter((r) => r.workload === s.key && (!s.shape || r.shape === s.shape) && (!s.match || s.match(r))) }))
    .filter((s) => s.records.length > 0);

  const header = [
    `dlf benchmark ${new Date(started).toISOString()}${cli.quick ? '  (QUICK mode: short runs, noisy numbers)' : ''}`,
    `machine: ${mach.cpu}, ${mach.cores} cores, ${mach.memoryGiB} GiB; ${mach.hostname}`,
    `versions: node ${versions.node}; dlf ${versions.dlf.version} (${versions.dlf.commit ?? 'no git'}${versions.dlf.dirty ? ', uncommitted changes' : ''}); ` +
      `torch ${versions.torch ?? 'n/a'}; tfjs ${versions.tfjs ?? 'n/a'}; onnxruntime-node ${versions.onnxruntime ?? 'n/a'}`,
    `medians of the runs; ratio = dlf speed / peer speed (above 1: dlf is faster), dlf at the peer's thread count when it ran at it;`,
    `peak RSS of the whole process; others = cores kept busy by other processes during the measurement (0 on a quiet machine);`,
    `! = median below ${DISTURBED_BELOW} of the earlier median of the same measurement on this machine (at least ${MIN_EARLIER} earlier full runs): probably disturbed`,
  ];
  const text = [...header, renderTable(sections, backends), '', 'notes:', ...notes.map((n) => `  - ${n}`)].join('\n');
  process.stdout.write(text + '\n');

  const stamp = new Date(started)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}-${mach.hostname}${cli.quick ? '-quick' : ''}.json`);
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date(started).toISOString(),
        seconds,
        quick: cli.quick,
        machine: mach,
        versions,
        data: { source: data.source, dir: data.dir, available: data.available, description: data.description },
        parameters: {
          ...P,
          workloads: W,
          trainThreads: TRAIN_THREADS,
          gemmShapes: SHAPES,
          w4: { models: W4_MODELS.map((m) => m.key), batch: 32, length: 64 },
          w5: { batches: W5_BATCHES, threads: w5Threads() },
          peakRss: HAS_TIME ? '/usr/bin/time -f %M' : 'self-reported',
          disturbed: { below: DISTURBED_BELOW, minEarlier: MIN_EARLIER },
        },
        dlfBackends: backends,
        records,
        notes,
        table: text,
      },
      null,
      2,
    ) + '\n',
  );
  log(`wrote ${relative(process.cwd(), file)} (${seconds.toFixed(0)} s in all)`);
} catch (e) {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
