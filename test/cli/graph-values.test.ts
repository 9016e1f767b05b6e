// dlf graph --values: the listing names every value and gradient and the VJP behind each backward
// node; --svg draws the same as a picture, one node group per node shown; a run directory uses
// its checkpoint's weights; every bundled config runs; bad input is a usage error.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { dlf, repo, tempDir } from './helpers.js';
import { parseXml, textWithin } from './xml.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const linear = repo('configs', 'linear.yaml');
const small = ['--set', 'train.batch_size=4'];

/** The node names of a --values listing (lines that do not start with spaces, between the header and the footer). */
const listedNodes = (stdout: string) =>
  stdout
    .split('\n\n')[1]
    .split('\n')
    .filter((l) => l && !l.startsWith(' '))
    .map((l) => l.split(/\s+/)[0]);

describe('dlf graph --values', () => {
  it('lists the value and gradient of every forward node of linear.yaml, and the VJP behind each backward node with --backward', async () => {
    const fwd = await dlf('graph', linear, '--values', ...small);
    expect(fwd.stderr).toBe('');
    expect(fwd.code).toBe(0);
    expect(fwd.stdout).toMatch(/^one training step of .*linear\.yaml, initial weights \(seed 7\)\n/);
    expect(fwd.stdout).toMatch(/\nbatch: the first 4 of 800 training samples as epoch 1 feeds them \(training-split indices \d+, \d+, \d+, \d+\)\n/);
    expect(fwd.stdout).toMatch(/\nloss \(mse\) [\d.]+\n/);
    expect(listedNodes(fwd.stdout)).toEqual(['x', 'w', 'b', 'xw', 'y', 'loss/y', 'loss/reshape:0', 'loss/mse:0', 'loss/mean:0']);
    expect(fwd.stdout).toMatch(/\nw +param +\[1, 1\]\n {4}value \[0\]\n {4}dL\/dw \[-?[\d.]+\]\n/);
    expect(fwd.stdout).toMatch(/\n {4}dL\/dL \[1\]\n/);
    // The target has a value and no gradient: nothing depends on it that a parameter needs.
    expect(fwd.stdout).toMatch(/\nloss\/y +input +\[4\]\n {4}value \[[^\]]+\]\nloss\/reshape/);

    const bwd = await dlf('graph', linear, '--values', '--backward', ...small);
    expect(bwd.code).toBe(0);
    const names = listedNodes(bwd.stdout);
    expect(names.slice(0, 9)).toEqual(listedNodes(fwd.stdout));
    expect(names).toContain('grad/xw/matmul:1');
    // Each parameter's gradient: the node the listing says it is, made by the VJP of the op that used it.
    const dw = /\n {4}dL\/dw \[(-?[\d.]+)\]/.exec(bwd.stdout)![1];
    expect(bwd.stdout).toMatch(
      new RegExp(`\\ngrad/xw/matmul:1 +matmul +\\[1, 1\\] +x, grad/loss/mse:0/mul:1\\n {4}VJP of matmul \\(xw\\)\\n {4}value \\[${dw}\\] = dL/dw\\n`),
    );
    expect(bwd.stdout).toMatch(/\n {4}VJP of add \(y\)\n {4}value \[-?[\d.]+\] = dL\/db\n/);
    expect(bwd.stdout).toMatch(/\n {4}the seed: dL\/dL = 1\n {4}value \[1\] = dL\/dL\n/);
    // add passes its gradient through: dL/dy is dL/dxw.
    expect(bwd.stdout).toMatch(/= dL\/dy = dL\/dxw\n/);
    expect(bwd.stdout).toMatch(/\nnot shown: 2 nodes of the graph that the step does not run/);
  });

  it('shows a large tensor by its mean, std, min and max', async () => {
    const r = await dlf('graph', repo('configs', 'iris.yaml'), '--values');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nlayer0\/dense\/w +param +\[4, 16\]\n {4}value mean -?[\d.e-]+, std [\d.e-]+, min -?[\d.e-]+, max -?[\d.e-]+\n {4}dL\/dw mean /);
  });

  it('--svg draws the step: one node group per node listed, values and VJPs in the labels, the step in the title', async () => {
    for (const backward of [false, true]) {
      const flags = ['--values', ...small, ...(backward ? ['--backward'] : [])];
      const listing = await dlf('graph', linear, ...flags);
      const svg = await dlf('graph', linear, ...flags, '--svg');
      expect(svg.stderr).toBe('');
      expect(svg.code).toBe(0);
      const els = parseXml(svg.stdout);
      const nodes = els.filter((e) => e.name === 'g' && e.attrs.class === 'node');
      expect(nodes.length).toBe(listedNodes(listing.stdout).length);
      const text = nodes.map((g) => textWithin(els, g)).join('\n');
      for (const line of listing.stdout.split('\n').filter((l) => l.startsWith('    '))) expect(text).toContain(line.trim());
      expect(textWithin(els, els[0])).toContain('loss (mse)');
    }
  });

  it('of a run directory uses its best checkpoint, or the one --checkpoint names', async () => {
    const run = join(tmp.dir, 'linear-run');
    expect((await dlf('train', linear, '--out', run, '--epochs', '3', '--quiet')).code).toBe(0);
    const best = loadCheckpoint(join(run, 'checkpoints', 'best.json'));
    const r = await dlf('graph', run, '--values');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^one training step of .*linear-run, weights of .*best\\.json \\(epoch ${best.epoch}\\)\\n`));
    const w = Number(/\nw +param.*\n {4}value \[(-?[\d.]+)\]/.exec(r.stdout)![1]);
    expect(w).toBeCloseTo(best.params.get('w')!.data[0], 4);
    expect(w).not.toBe(0);

    const last = await dlf('graph', run, '--values', '--checkpoint', join(run, 'checkpoints', 'last.json'));
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/weights of .*last\.json \(epoch 3\)/);
  });

  it('runs on every bundled config', async () => {
    const configs = ['diabetes', 'digits-mlp', 'fashion-cnn', 'fashion-mlp', 'fashion-small', 'iris', 'linear', 'penguins', 'xor'];
    for (const c of configs) {
      const extra = /^fashion-(mlp|cnn)/.test(c) ? ['--set', 'data.dir=../datasets/fashion-mnist-small'] : [];
      const r = await dlf('graph', repo('configs', `${c}.yaml`), '--values', '--backward', ...extra);
      expect(r.stderr, c).toBe('');
      expect(r.code, c).toBe(0);
      const loss = Number(/\nloss \([a-z_]+\) (\S+)\n/.exec(r.stdout)![1]);
      expect(Number.isFinite(loss), c).toBe(true);
      expect(r.stdout, c).toMatch(/VJP of /);
    }
  });

  it('--out writes the listing to a file', async () => {
    const file = join(tmp.dir, 'values.txt');
    const r = await dlf('graph', linear, '--values', ...small, '--out', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe((await dlf('graph', linear, '--values', ...small)).stdout);
  });
});

describe('dlf graph --values on bad input', () => {
  let notARun: string;
  beforeAll(() => {
    notARun = join(tmp.dir, 'empty-dir');
    mkdirSync(notARun, { recursive: true });
  });

  const cases: [string, () => string[], number, RegExp][] = [
    ['a directory that is not a run', () => [notARun, '--values'], 2, /not a run directory \(no config\.json\)/],
    [
      '--set on a run directory',
      () => [notARun, '--values', '--set', 'seed=1'],
      2,
      /--set changes a config file; a run directory is drawn with the config it trained with/,
    ],
    ['a config file that does not exist', () => [join(tmp.dir, 'nope.yaml'), '--values'], 2, /nope\.yaml/],
    ['a config whose data is missing', () => [repo('configs', 'iris.yaml'), '--values', '--set', 'data.path=../datasets/nope.csv'], 2, /nope\.csv/],
    ['--values with --optimized', () => [linear, '--values', '--optimized'], 2, /--optimized cannot go with it/],
    ['--svg with --ops', () => ['--ops', '--svg'], 2, /--ops lists the primitive ops and cannot go with --svg/],
  ];
  for (const [what, args, code, message] of cases) {
    it(what, async () => {
      const r = await dlf('graph', ...args());
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    });
  }
});
