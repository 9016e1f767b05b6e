// TensorFlow.js side of `npm run bench` (see bench/README.md). Run by bench/run.mjs, once per
// workload and backend:
//
//   node bench/tfjs-bench.mjs --workload w1|w2|gemm|w3 --backend wasm|cpu
//        [--images F --labels F --samples N --epochs K --runs R --shapes 128x784x256,...]
//
// Prints one JSON object on stdout: timings of every run, the backend and the peak RSS of the
// process. A workload the backend cannot run (the WASM backend has no Conv2DBackpropFilter, so
// W2 cannot train there) is reported as {"unsupported": message}; exit code 0 either way.
// Exits 3 with {"skipped": ...} when TensorFlow.js cannot be imported.
import { parseArgs } from 'node:util';
import { readIdx } from './lib/data.mjs';

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const peakRssKb = () => process.resourceUsage().maxRSS; // kilobytes

const { values: args } = parseArgs({
  options: {
    workload: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    images: { type: 'string' },
    labels: { type: 'string' },
    samples: { type: 'string', default: '60000' },
    epochs: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
    shapes: { type: 'string', default: '128x784x256,128x256x128,512x512x512' },
  },
});

let tf;
let wasm;
try {
  tf = await import('@tensorflow/tfjs');
  if (args.backend === 'wasm') wasm = await import('@tensorflow/tfjs-backend-wasm');
} catch (e) {
  emit({ skipped: `import @tensorflow/tfjs failed: ${e.message}` });
  process.exit(3);
}
// tfjs prints a hint about @tensorflow/tfjs-node on import; progress and hints go to stderr anyway.
await tf.setBackend(args.backend);
await tf.ready();
if (tf.getBackend() !== args.backend) throw new Error(`backend ${args.backend} did not initialise`);

/** A small seeded generator (mulberry32), so every run shuffles the same way. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n, rand) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

function loadImages(flatten) {
  const n0 = Number(args.samples);
  const im = readIdx(args.images);
  const lb = readIdx(args.labels);
  const n = Math.min(n0, im.shape[0]);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = im.data[i] / 255;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = lb.data[i];
  return { n, x: tf.tensor(x, flatten ? [n, 784] : [n, 28, 28, 1]), y: tf.tensor1d(y, 'int32') };
}

function mlp() {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function cnn() {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** Adam on softmax cross-entropy; every epoch timed whole (shuffle, gather, step, loss read). */
function trainEpochs(model, data, batch, epochs) {
  const opt = tf.train.adam(1e-3);
  const rand = rng(1);
  const seconds = [];
  const losses = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const order = shuffled(data.n, rand);
    let total = 0;
    for (let start = 0; start < data.n; start += batch) {
      const idx = order.subarray(start, Math.min(start + batch, data.n));
      const lossT = tf.tidy(() => {
        const ids = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(data.x, ids);
        const yb = tf.oneHot(tf.gather(data.y, ids), 10);
        return opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb)), true);
      });
      total += lossT.dataSync()[0] * idx.length;
      lossT.dispose();
    }
    seconds.push((performance.now() - t0) / 1000);
    losses.push(total / data.n);
  }
  return { seconds, loss: losses };
}

function runTraining(flatten, net, batch) {
  tf.util.assert(args.images && args.labels, () => '--images and --labels are needed');
  const data = loadImages(flatten);
  const model = net();
  try {
    const r = trainEpochs(model, data, batch, Number(args.epochs));
    return { samples: data.n, batch, ...r };
  } catch (e) {
    return { unsupported: String(e.message ?? e).split('\n')[0], samples: data.n, batch };
  }
}

function runGemm() {
  const out = [];
  const runs = Number(args.runs);
  for (const shape of args.shapes.split(',')) {
    const [m, k, n] = shape.split('x').map(Number);
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2);
    const flop = 2 * m * n * k;
    const call = () => {
      const c = tf.matMul(a, b);
      c.dataSync(); // the WASM and cpu backends are synchronous; this only makes sure
      c.dispose();
    };
    for (let i = 0; i < 3; i++) call();
    let t0 = performance.now();
    call();
    const one = Math.max((performance.now() - t0) / 1000, 1e-6);
    const reps = Math.max(1, Math.floor(0.25 / one));
    const gflops = [];
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let r = 0; r < runs; r++) {
      t0 = performance.now();
      for (let i = 0; i < reps; i++) call();
      gflops.push((flop * reps) / ((performance.now() - t0) / 1000) / 1e9);
    }
    const cpu = process.cpuUsage(cpu0);
    // CPU time over wall time: about 1 on one core, about 2 when two cores worked.
    const cpuPerWall = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    out.push({ m, k, n, reps, gflops, cpu_per_wall: cpuPerWall });
    a.dispose();
    b.dispose();
  }
  return { shapes: out };
}

/** W3: y = 2x + 3 + 0.1·noise, 1,000 samples, w·x + b from zeros, SGD lr 0.1, MSE, batch 32, 100 epochs. */
function runLinear() {
  const n = 1000;
  const rand = rng(7);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = 2 * rand() - 1;
    // Box-Muller for the noise.
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    xs[i] = x;
    ys[i] = 2 * x + 3 + 0.1 * z;
  }
  const x = tf.tensor2d(xs, [n, 1]);
  const y = tf.tensor2d(ys, [n, 1]);
  const w = tf.variable(tf.zeros([1, 1]));
  const b = tf.variable(tf.zeros([1]));
  const opt = tf.train.sgd(0.1);
  const t0 = performance.now();
  for (let e = 0; e < 100; e++) {
    const order = shuffled(n, rand);
    for (let start = 0; start < n; start += 32) {
      const idx = order.subarray(start, Math.min(start + 32, n));
      const lossT = tf.tidy(() => {
        const ids = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(x, ids);
        const yb = tf.gather(y, ids);
        return opt.minimize(() => tf.losses.meanSquaredError(yb, tf.add(tf.matMul(xb, w), b)), true);
      });
      lossT.dataSync();
      lossT.dispose();
    }
  }
  return { train_seconds: (performance.now() - t0) / 1000, w: w.dataSync()[0], b: b.dataSync()[0] };
}

let result;
switch (args.workload) {
  case 'w1':
    result = runTraining(true, mlp, 128);
    break;
  case 'w2':
    result = runTraining(false, cnn, 64);
    break;
  case 'gemm':
    result = runGemm();
    break;
  case 'w3':
    result = runLinear();
    break;
  default:
    throw new Error(`unknown --workload ${args.workload}`);
}
emit({
  framework: 'tfjs',
  version: tf.version.tfjs,
  backend: tf.getBackend(),
  wasmThreads: wasm ? wasm.getThreadsCount() : undefined,
  node: process.version,
  workload: args.workload,
  result,
  peak_rss_kb: peakRssKb(),
});
