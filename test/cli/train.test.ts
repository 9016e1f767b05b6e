// The bundled configs train to their targets end to end through the CLI, and the run directory
// holds what the README promises.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const readJsonl = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

async function trainConfig(name: string, ...extra: string[]) {
  const out = join(tmp.dir, name);
  const r = await dlf('train', repo('configs', `${name}.yaml`), '--out', out, '--quiet', ...extra);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
}

describe('bundled configs', () => {
  it('linear: the graph-form y = w·x + b fits y = 2x + 3', async () => {
    const out = await trainConfig('linear');
    const c = loadCheckpoint(join(out, 'checkpoints', 'last.json'));
    expect(Math.abs(c.params.get('w')!.data[0] - 2)).toBeLessThan(0.05);
    expect(Math.abs(c.params.get('b')!.data[0] - 3)).toBeLessThan(0.05);
  });

  it('xor reaches 90% validation accuracy', async () => {
    const out = await trainConfig('xor');
    expect(readJson(join(out, 'metrics.json')).final.val.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('iris reaches 95% validation accuracy', async () => {
    const out = await trainConfig('iris');
    expect(readJson(join(out, 'metrics.json')).final.val.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('digits-mlp reaches 95% validation accuracy, and eval reproduces the best epoch exactly', async () => {
    const out = await trainConfig('digits-mlp');
    const metrics = readJson(join(out, 'metrics.json'));
    expect(metrics.final.val.accuracy).toBeGreaterThanOrEqual(0.95);
    const history = readJsonl(join(out, 'metrics.jsonl'));
    expect(history).toHaveLength(30);
    const bestEpoch = history.find((h) => h.epoch === metrics.best.epoch);
    const r = await dlf('eval', out, '--json');
    expect(r.code).toBe(0);
    const ev = JSON.parse(r.stdout);
    expect(ev.epoch).toBe(metrics.best.epoch);
    expect(ev.checkpoint).toMatch(/best\.json$/);
    // Parameters round-trip bit-exactly, so evaluation gives the very numbers training logged.
    expect(ev.metrics).toEqual(bestEpoch.val);
  });
});

describe('run directory and events', () => {
  it('--json writes NDJSON events start, epoch, checkpoint, end to stdout', async () => {
    const out = join(tmp.dir, 'json');
    const r = await dlf('train', repo('configs', 'xor.yaml'), '--out', out, '--json', '--epochs', '3');
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0].type).toBe('start');
    expect(events[0].memory.plannedBytes).toBeGreaterThan(0);
    expect(events.at(-1).type).toBe('end');
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(events.some((e) => e.type === 'checkpoint' && e.kind === 'last')).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['checkpoints', 'config.json', 'fingerprints.json', 'metrics.json', 'metrics.jsonl', 'preprocessing.json']);
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['best.json', 'last.json']);
  });

  it('plain mode prints one line per epoch to stderr and nothing to stdout', async () => {
    const r = await dlf('train', repo('configs', 'xor.yaml'), '--out', join(tmp.dir, 'plain'), '--epochs', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('epoch '))).toHaveLength(2);
  });

  it('the same seed and config give byte-identical checkpoints', async () => {
    const a = join(tmp.dir, 'det-a');
    const b = join(tmp.dir, 'det-b');
    await dlf('train', repo('configs', 'iris.yaml'), '--out', a, '--quiet', '--epochs', '5');
    await dlf('train', repo('configs', 'iris.yaml'), '--out', b, '--quiet', '--epochs', '5');
    const ca = readFileSync(join(a, 'checkpoints', 'last.json'));
    expect(ca.equals(readFileSync(join(b, 'checkpoints', 'last.json')))).toBe(true);
    const c = join(tmp.dir, 'det-c');
    await dlf('train', repo('configs', 'iris.yaml'), '--out', c, '--quiet', '--epochs', '5', '--seed', '99');
    expect(ca.equals(readFileSync(join(c, 'checkpoints', 'last.json')))).toBe(false);
  });

  it('refuses an output directory that already holds a run', async () => {
    const out = join(tmp.dir, 'det-a');
    const r = await dlf('train', repo('configs', 'iris.yaml'), '--out', out, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
  });
});

describe('graph, validate, schema', () => {
  it('graph --dot draws the forward graph, --backward adds the gradient nodes', async () => {
    const fwd = await dlf('graph', repo('configs', 'linear.yaml'), '--dot');
    expect(fwd.code).toBe(0);
    expect(fwd.stdout).toMatch(/^digraph dlf \{/);
    expect(fwd.stdout).toContain('xw\\nmatmul [32, 1]');
    expect(fwd.stdout).not.toContain('grad/');
    const bwd = await dlf('graph', repo('configs', 'linear.yaml'), '--dot', '--backward');
    expect(bwd.stdout).toContain('grad/xw/matmul');
  });

  it('validate reports the model and data', async () => {
    const r = await dlf('validate', repo('configs', 'digits-mlp.yaml'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sampleShape: [64], classes: 10, trainSamples: 1438, valSamples: 359 });
  });

  it('schema prints the JSON Schema generated from the config schema', async () => {
    const r = await dlf('schema');
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['name', 'seed', 'data', 'model', 'loss', 'train']));
  });

  it('usage errors exit with 2', async () => {
    expect((await dlf('train')).code).toBe(2);
    expect((await dlf('train', 'x.yaml', '--epochs', 'ten')).code).toBe(2);
    expect((await dlf('frobnicate')).code).toBe(2);
    expect((await dlf('--help')).code).toBe(0);
  });
});
