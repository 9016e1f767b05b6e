// The memory bound at the command line: dlf validate, train and summary refuse a model that does
// not fit with one line naming the key and its line (exit code 2), before reading data and without
// leaving a run directory; --max-memory changes the bound; dlf graph prints any model without
// allocating its buffers. Every large case here is refused before anything large is allocated.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** An MLP on generated XOR data; hidden layer i is on line 6 + i. */
const mlp = (units: number[], batch = 16) => `name: big
seed: 1
data: {source: xor, samples: 64}
model:
  layers:
${units.map((u) => `    - {type: dense, units: ${u}, activation: relu}`).join('\n')}
    - {type: dense, units: 2}
train:
  epochs: 1
  batch_size: ${batch}
`;

const huge = () => tmp.write('huge.yaml', mlp([100_000, 100_000]));
const small = () => tmp.write('small.yaml', mlp([8]));

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines.length).toBe(1);
  return lines[0];
}

describe('a model too large for one buffer', () => {
  it('dlf validate: exit code 2, one line naming the key and its line', async () => {
    const r = await dlf('validate', huge());
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /huge\.yaml:7:\d+: model\.layers\.1\.units: the parameter 'layer1\/dense\/w' needs 10,000,000,000 elements \(37\.3 GiB\) in one buffer/,
    );
  });

  it('dlf train: the same line, and no run directory', async () => {
    const out = join(tmp.dir, 'run-huge');
    const r = await dlf('train', huge(), '--out', out);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/huge\.yaml:7:\d+: model\.layers\.1\.units: /);
    expect(existsSync(out)).toBe(false);
  });

  it('dlf summary: the same line', async () => {
    const r = await dlf('summary', huge());
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/huge\.yaml:7:\d+: model\.layers\.1\.units: /);
  });

  it('dlf graph still prints it, allocating none of its buffers', async () => {
    const r = await dlf('graph', huge());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/layer1\/dense\/w\s+param\s+\[100000, 100000\]/);
  });
});

describe('--max-memory', () => {
  it('a bound the batch does not fit in: train.batch_size, and no run directory', async () => {
    const out = join(tmp.dir, 'run-small');
    const r = await dlf('train', small(), '--out', out, '--max-memory', '2K');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /small\.yaml:10:\d+: train\.batch_size: the model needs [\d.]+ KiB at batch 16 \(.*\) but the memory bound is 2\.00 KiB \(a train\.batch_size of at most \d+ fits; or use --max-memory to change the bound\)$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a bound the model fits in', async () => {
    const r = await dlf('validate', small(), '--max-memory', '1G');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('dlf summary reports the need against the bound', async () => {
    const r = await dlf('summary', small(), '--max-memory', '512M');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/training needs [\d.]+ KiB in all \(parameters, optimizer state, plan and tables\); the memory bound is 512 MiB/);
    const j = JSON.parse((await dlf('summary', small(), '--max-memory', '512M', '--json')).stdout);
    expect(j.memory.boundBytes).toBe(512 * 2 ** 20);
    expect(j.memory.totalBytes).toBeGreaterThan(j.memory.parameterBytes);
  });

  it('dlf eval takes the bound too: a run trained under a raised bound is scored under it', async () => {
    const out = join(tmp.dir, 'eval-run');
    expect((await dlf('train', small(), '--out', out, '--quiet')).code).toBe(0);
    expect((await dlf('eval', out, '--max-memory', '1G')).code).toBe(0);
    const r = await dlf('eval', out, '--max-memory', '1K');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/config\.json: .*the memory bound is 1\.00 KiB/);
  });

  it('dlf predict takes the bound too', async () => {
    const out = join(tmp.dir, 'predict-run');
    expect((await dlf('train', small(), '--out', out, '--quiet')).code).toBe(0);
    const input = tmp.write('xor.csv', 'x1,x2\n0.5,-0.5\n-0.5,-0.5\n');
    const ok = await dlf('predict', out, '--input', input, '--max-memory', '1G');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(3);
    const r = await dlf('predict', out, '--input', input, '--max-memory', '1K');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(/config\.json: .*the memory bound is 1\.00 KiB/);
    const bad = await dlf('predict', out, '--input', input, '--max-memory', 'lots');
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/--max-memory must be a size in bytes such as 512M, 4G or 2GiB, got 'lots'/);
  });

  it.each(['lots', '0', '-5G', '4X', ''])('%j is a usage error', async (value) => {
    for (const cmd of ['train', 'validate', 'summary']) {
      const r = await dlf(cmd, small(), '--max-memory', value);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(/--max-memory must be a size in bytes such as 512M, 4G or 2GiB, got '.*'/);
    }
  });
});
