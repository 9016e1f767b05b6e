// W5 of `npm run bench` (see bench/README.md): inference latency and throughput of a trained run,
// dlf's predict path against ONNX Runtime on the model `dlf export --format onnx` wrote, in this
// one process, at one thread count. run.mjs prepares the runs and their ONNX files and starts
// one process per thread count with DLF_THREADS set; ONNX Runtime gets the same count of
// intra-op threads.
//
//   node bench/w5-infer.mjs --threads N --backends ts,native --images t10k.idx \
//        --model mlp=<run-dir>,<file.onnx> --model cnn=<run-dir>,<file.onnx> [--batches 1,256] [--budget S] [--runs R]
//
// Both sides start from the same raw pixels (0..255) and end with each sample's probabilities and
// class: dlf scales the pixels into the bound input of its evaluation program (ModelRuntime,
// src/train/runtime.ts, as dlf predict does), runs it and takes the softmax and the most probable
// class of each row in JavaScript; ONNX Runtime runs the exported graph, which does all of that.
// It imports the built library (dist/), so `npm run build` must have run (npm run bench does).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kernelsFor } from '../dist/kernels/select.js';
import { loadRun } from '../dist/train/evaluate.js';
import { ModelRuntime, feed } from '../dist/train/runtime.js';
import { readPredictInput } from '../dist/train/predict.js';
import { applyPreprocessing } from '../dist/data/standardize.js';
import { readIdxImages } from '../dist/data/idx.js';

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    backends: { type: 'string', default: 'native' },
    images: { type: 'string' },
    model: { type: 'string', multiple: true, default: [] },
    batches: { type: 'string', default: '1,256' },
    budget: { type: 'string', default: '0.4' },
    runs: { type: 'string', default: '5' },
  },
});
const threads = Number(args.threads);
const budget = Number(args.budget);
const runs = Number(args.runs);
const batches = args.batches.split(',').map(Number);

let ort;
try {
  ort = (await import('onnxruntime-node')).default;
} catch (e) {
  emit({ skipped: `onnxruntime-node cannot be loaded: ${String(e.message ?? e).split('\n')[0]} (npm install)` });
  process.exit(3);
}

/**
 * Times `call` (one batch): a warm-up, then `runs` runs of as many calls as fill `budget`
 * seconds (at least one). Returns the samples/s of each run and the median time of one call.
 */
async function measure(call, batch) {
  let t0 = performance.now();
  await call();
  let calls = 0;
  while (performance.now() - t0 < 200 || calls < 3) {
    await call();
    calls++;
  }
  const per = (performance.now() - t0) / (calls + 1) / 1000;
  const reps = Math.max(1, Math.round(budget / per));
  const values = [];
  const latencies = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) {
      t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
    values.push((batch * reps) / ((performance.now() - start) / 1000));
  }
  latencies.sort((a, b) => a - b);
  return { values, callsPerRun: reps, latencyMs: latencies[latencies.length >> 1] };
}

/** Softmax and the most probable class of each row of `out` (rows × cols), as dlf predict computes them. */
function classify(out, rows, cols, probs, best) {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (out[o + c] > max) max = out[o + c];
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += probs[o + c] = Math.exp(out[o + c] - max);
    let k = 0;
    for (let c = 0; c < cols; c++) {
      probs[o + c] /= sum;
      if (probs[o + c] > probs[o + k]) k = c;
    }
    best[r] = k;
  }
}

const images = readIdxImages(args.images);
const raw = Float32Array.from(images.pixels); // ONNX Runtime's input: raw pixel values
const size = images.rows * images.cols;
const results = [];

for (const spec of args.model) {
  const [name, paths] = spec.split('=');
  const [runDir, onnxFile] = paths.split(',');
  const session = await ort.InferenceSession.create(onnxFile, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const { model, params, prep } = loadRun(runDir);
  const ds = applyPreprocessing(readPredictInput(args.images, prep), prep);
  for (const batch of batches) {
    if (batch > images.count) throw new Error(`batch ${batch} is more than the ${images.count} images`);
    // Batch 1 walks through the images; a larger batch is always the first `batch` of them.
    let next = 0;
    const startOf = () => {
      const s = batch === 1 ? next : 0;
      next = (next + 1) % images.count;
      return s;
    };
    for (const backend of args.backends.split(',')) {
      const rt = new ModelRuntime(model, kernelsFor(backend), params);
      const b = rt.bind(batch, 'eval');
      const probs = new Float32Array(batch * b.cols);
      const best = new Int32Array(batch);
      const m = await measure(() => {
        feed(b, ds, null, startOf(), batch);
        b.ex.run();
        classify(b.output, batch, b.cols, probs, best);
      }, batch);
      results.push({ model: name, batch, framework: 'dlf', backend, threads, ...m });
    }
    const shape = [batch, ...prep.shape];
    const m = await measure(async () => {
      const s = startOf();
      const out = await session.run({ pixels: new ort.Tensor('float32', raw.subarray(s * size, (s + batch) * size), shape) });
      if (out.prediction.data.length !== batch) throw new Error('ONNX Runtime returned another number of predictions');
    }, batch);
    results.push({ model: name, batch, framework: 'onnxruntime', threads, ...m });
  }
  await session.release();
}

let version = null;
try {
  version = JSON.parse(readFileSync(new URL('../node_modules/onnxruntime-node/package.json', import.meta.url), 'utf8')).version;
} catch {
  // installed elsewhere: the table says n/a
}
emit({ framework: 'dlf+onnxruntime', onnxruntime: version, threads, result: results, peak_rss_kb: process.resourceUsage().maxRSS });
