// Fixture configs written into a fresh temporary directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const VALID = `name: digits-mlp
seed: 1
data:
  source: csv
  path: ../datasets/digits.csv
  label: digit
model:
  layers:
    - {type: dense, units: 64, activation: relu}
    - {type: dense, units: 10}
train:
  epochs: 20
  batch_size: 32
  optimizer: {type: adam, lr: 0.001}
`;

/** Write `text` as `name` in a new temporary directory; returns its path. */
export function writeConfig(text: string, name = 'config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlf-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
