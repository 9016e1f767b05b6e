import { it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';
it('scratch', async () => {
  const t = tempDir();
  const conv = t.write('conv.yaml', `name: conv\nseed: 2\ndata:\n  source: idx\n  dir: ${repo('datasets/fashion-mnist-small')}\n  limit: 200\nmodel:\n  layers:\n    - {type: conv2d, filters: 4, kernel_size: 3, activation: relu}\n    - {type: maxpool2d}\n    - {type: batchnorm}\n    - {type: flatten}\n    - {type: dropout, rate: 0.2}\n    - {type: dense, units: 10}\ntrain:\n  epochs: 1\n  batch_size: 16\n  optimizer: {type: adam, lr: 0.01}\n`);
  for (const args of [
    ['gradcheck', conv, '--samples', '2'],
    ['gradcheck', conv, '--samples', '8', '--max-elements', '100'],
    ['gradcheck', repo('configs/iris.yaml')],
  ]) {
    const r = await dlf(...args);
    console.log(args.join(' '), r.code, '\n' + r.stdout.slice(0, 2500) + r.stderr);
  }
  t.cleanup();
}, 120000);
