// The images every framework trains on, prepared once per benchmark run as raw IDX files in a
// temporary folder, so that all of them read the same bytes and none pays for gzip in a timing:
// the real Fashion-MNIST training set (../shared/datasets/fashion-mnist relative to the project
// root) when it is there, else the bundled 2,000-image subset repeated to the needed count.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** An IDX file (raw or gzip): its dimensions and uint8 data. */
export function readIdx(path) {
  let raw = readFileSync(path);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  const dims = raw[3];
  const shape = [];
  for (let i = 0; i < dims; i++) shape.push(raw.readUInt32BE(4 + 4 * i));
  return { shape, data: raw.subarray(4 + 4 * dims) };
}

function writeIdx(path, magic, shape, data) {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt32BE(magic, 0);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  writeFileSync(path, Buffer.concat([header, data]));
}

/** `count` samples: the first `count` of the source, or the source repeated in order. */
function take(src, count, per) {
  const out = Buffer.alloc(count * per);
  const have = src.length / per;
  for (let i = 0; i < count; i += have) {
    const n = Math.min(have, count - i);
    src.copy(out, i * per, 0, n * per);
  }
  return out;
}

/**
 * Writes `<name>-images.idx` and `<name>-labels.idx` for each `{name: count}` into `dir` and says
 * where the data came from.
 */
export function prepareData(root, dir, counts) {
  const real = resolve(root, '..', 'shared', 'datasets', 'fashion-mnist');
  const small = resolve(root, 'datasets', 'fashion-mnist-small');
  const useReal = existsSync(join(real, 'train-images-idx3-ubyte.gz')) && existsSync(join(real, 'train-labels-idx1-ubyte.gz'));
  const srcDir = useReal ? real : small;
  const images = readIdx(join(srcDir, 'train-images-idx3-ubyte.gz'));
  const labels = readIdx(join(srcDir, 'train-labels-idx1-ubyte.gz'));
  const [have, rows, cols] = images.shape;
  const files = {};
  for (const [name, count] of Object.entries(counts)) {
    const img = join(dir, `${name}-images.idx`);
    const lab = join(dir, `${name}-labels.idx`);
    writeIdx(img, 0x803, [count, rows, cols], take(images.data, count, rows * cols));
    writeIdx(lab, 0x801, [count], take(labels.data, count, 1));
    files[name] = { images: img, labels: lab, count, repeated: count > have };
  }
  return {
    source: useReal ? 'real' : 'small',
    dir: srcDir,
    available: have,
    description: useReal
      ? `real Fashion-MNIST training set (${have.toLocaleString('en-US')} images, ${srcDir})`
      : `bundled subset of ${have.toLocaleString('en-US')} images (${srcDir}), repeated in order to the sample counts (the real set was not found at ${real})`,
    files,
  };
}
