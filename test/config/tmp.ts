// Fixture configs written into a fresh temporary directory, removed after the test file that made
// it (removeConfigFixtures, called after every file by the setup file test/backend.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const made: string[] = [];

/** Removes the directories writeConfig has made so far. */
export function removeConfigFixtures(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Write `text` as `name` in a new temporary directory; returns its path. */
export function writeConfig(text: string, name = 'config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlf-config-'));
  made.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
