// dlf plot, dlf report and dlf graph --svg / --values on every bundled config: each trained for an
// epoch (the Fashion-MNIST configs that need the full data set on the bundled subset, limited to a
// hundred images), then drawn. Each picture is SVG, each report one HTML page with its
// sections; nothing fails on any model dlf ships.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const subset = ['--set', 'data.dir=../datasets/fashion-mnist-small', '--set', 'data.limit=100'];
/** Extra flags per config: the image configs on few images (fashion-mlp and fashion-cnn on the bundled subset). */
const EXTRA: Record<string, string[]> = {
  'fashion-small': ['--set', 'data.limit=100'],
  'fashion-mlp': subset,
  'fashion-cnn': subset,
};
const CONFIGS = readdirSync(repo('configs')).filter((f) => f.endsWith('.yaml') && f !== 'iris-sweep.yaml');

describe('drawing every bundled config', () => {
  it('lists the configs it draws', () => {
    expect(CONFIGS).toEqual(expect.arrayContaining(['linear.yaml', 'iris.yaml', 'penguins.yaml', 'fashion-cnn.yaml']));
    expect(CONFIGS.length).toBeGreaterThanOrEqual(9);
  });

  it.each(CONFIGS)('%s: train an epoch, then plot, report, graph --svg and graph --values', async (file) => {
    const name = file.replace(/\.yaml$/, '');
    const config = repo('configs', file);
    const extra = EXTRA[name] ?? [];
    const run = join(tmp.dir, name);
    const t = await dlf('train', config, '--out', run, '--quiet', '--epochs', '1', ...extra);
    expect(t.code, t.stderr).toBe(0);

    const plot = await dlf('plot', run, '--out', join(tmp.dir, `${name}.svg`));
    expect(plot.code, plot.stderr).toBe(0);
    const report = await dlf('report', run);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^<!DOCTYPE html>/i);
    expect(report.stdout).toContain('<svg');
    expect(report.stdout.trimEnd()).toMatch(/<\/html>$/);

    const svg = await dlf('graph', config, '--svg', ...extra);
    expect(svg.code, svg.stderr).toBe(0);
    expect(svg.stdout).toContain('<svg');
    const values = await dlf('graph', run, '--values');
    expect(values.code, values.stderr).toBe(0);
    expect(values.stdout).toMatch(/^one training step of /);
  });
});
