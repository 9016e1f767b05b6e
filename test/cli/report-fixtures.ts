// Runs the report tests look at: iris with hostile names (columns, label, classes and the data
// folder named like HTML tags and entities), trained for a few epochs in a temporary folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { dlf, repo } from './helpers.js';

/** Names written to break out of HTML text or attributes if they were not escaped. */
export const HOSTILE = {
  column: '<script>alert("col")</script>',
  label: 'spe&amp;cies"\'<i>',
  classes: { setosa: '<img src=x onerror=alert(1)>', versicolor: '</pre><script>alert(2)</script>', virginica: '"><svg onload=alert(3)>' },
  folder: 'data<b>&x',
};

/** Iris with its petal_length column, label and species renamed to HOSTILE's names; returns the config file. */
export function hostileIrisConfig(dir: string, epochs = 5): string {
  const [header, ...rows] = readFileSync(repo('datasets', 'iris.csv'), 'utf8').trim().split('\n');
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const head = header.replace('petal_length', q(HOSTILE.column)).replace('species', q(HOSTILE.label));
  const body = rows.map((r) => {
    const cells = r.split(',');
    const cls = cells.pop() as keyof typeof HOSTILE.classes;
    return [...cells, q(HOSTILE.classes[cls])].join(',');
  });
  const folder = join(dir, HOSTILE.folder);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'iris.csv'), [head, ...body].join('\n') + '\n');
  const config = join(dir, 'hostile.yaml');
  writeFileSync(
    config,
    `name: hostile
seed: 3
data: {source: csv, path: ${JSON.stringify(join(folder, 'iris.csv'))}, label: ${JSON.stringify(HOSTILE.label)}, split: {validation: 0.2}}
model:
  layers:
    - {type: dense, units: 8, activation: relu}
    - {type: dense, units: 3}
train: {epochs: ${epochs}, batch_size: 16, optimizer: {type: adam, lr: 0.02}}
`,
  );
  return config;
}

/** Trains `config` (a path, or a bundled config's file name) into `out` with extra flags. */
export async function trainRun(config: string, out: string, ...extra: string[]): Promise<string> {
  const file = config.includes('/') ? config : repo('configs', config);
  const r = await dlf('train', file, '--out', out, '--quiet', ...extra);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
}
