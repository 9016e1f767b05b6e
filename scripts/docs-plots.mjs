#!/usr/bin/env node
// Draws the pictures of the README's sections "Plotting a run" and "A report of a run" with the
// built CLI (npm run build first): iris trained twice in a temporary folder, with a constant
// learning rate and with a warmed-up cosine schedule, as runs/iris/constant and runs/iris/cosine;
// then docs/plot-iris.svg (the first run), docs/plot-iris-schedules.svg (both overlaid) and
// docs/report-iris.html (the report of the first). The config is written here rather than taken
// from configs/, so that tuning a bundled config does not change these pictures. Usage:
// node scripts/docs-plots.mjs [dir], where dir (default docs/) is where the three files go; a test
// draws them into a temporary folder and compares the SVGs with those committed, which this draws
// byte for byte again on either kernel backend (the report holds timings and this machine's
// environment, so it is not compared).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docs = process.argv[2] ?? join(root, 'docs');
const work = mkdtempSync(join(tmpdir(), 'dlf-docs-'));

/** Runs bin/dlf.js in the temporary folder; stops at the first failure. */
function dlf(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dlf.js'), ...args], { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`dlf ${args.join(' ')} exited with ${r.status}`);
  }
}

// Fisher's iris: 4 measurements, 3 species; one hidden layer of 16 units, Adam, 60 epochs. The
// data are copied beside the config, so that the report's paths name the temporary folder the
// runs were made in rather than this checkout.
copyFileSync(join(root, 'datasets', 'iris.csv'), join(work, 'iris.csv'));
const iris = join(work, 'iris.yaml');
writeFileSync(
  iris,
  `name: iris
seed: 3
data: {source: csv, path: iris.csv, label: species, split: {validation: 0.2}}
model:
  layers:
    - {type: dense, units: 16, activation: relu}
    - {type: dense, units: 3}
train: {epochs: 60, batch_size: 16, optimizer: {type: adam, lr: 0.01}}
`,
);
dlf('train', iris, '--out', 'runs/iris/constant', '--quiet');
dlf('train', iris, '--out', 'runs/iris/cosine', '--quiet', '--set', 'train.schedule={type: cosine, warmup_steps: 48}');
dlf('plot', 'runs/iris/constant', '--out', join(docs, 'plot-iris.svg'));
dlf('plot', 'runs/iris/constant', 'runs/iris/cosine', '--out', join(docs, 'plot-iris-schedules.svg'));
dlf('report', 'runs/iris/constant', '--out', join(docs, 'report-iris.html'));
rmSync(work, { recursive: true, force: true });
