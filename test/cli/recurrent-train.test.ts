// The recurrent layers trained from YAML, end to end: the parity of a bit sequence of random length
// (padded at the end) needs the state at each sample's last real token, which the layers carry
// through the padding; a GRU and an LSTM reading it with return_sequences: false learn it to a
// held-out accuracy of at least 0.95 (chance is 0.5).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, epochLines, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('recurrent layers trained from YAML', () => {
  for (const type of ['gru', 'lstm']) {
    it(`a ${type} learns the parity of padded bit sequences`, async () => {
      const cfg = tmp.write(
        `${type}.yaml`,
        `name: parity-${type}
seed: 1
data: {source: parity, samples: 2000, length: 8}
model:
  layers:
    - {type: embedding, dim: 8}
    - {type: ${type}, units: 16, return_sequences: false}
    - {type: dense, units: classes}
train:
  epochs: 20
  batch_size: 32
  optimizer: {type: adam, lr: 0.02}
`,
      );
      const out = join(tmp.dir, type);
      const r = await dlf('train', cfg, '--out', out, '--quiet');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const last = epochLines(join(out, 'metrics.jsonl')).at(-1) as { val: { accuracy: number } };
      expect(last.val.accuracy).toBeGreaterThanOrEqual(0.95);
    });
  }
});
