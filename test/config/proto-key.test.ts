// A `__proto__` key in a config would set an object's prototype instead of naming a member (a
// graph parameter called __proto__ used to vanish): it is refused at its line, in files and --set.
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const graph = `name: proto
seed: 7
data: {source: linear, samples: 100}
model:
  graph:
    params:
      __proto__: {shape: [1, 1], init: zeros}
    nodes:
      - {name: y, op: matmul, inputs: [x, __proto__]}
    output: y
loss: mse
`;

describe('__proto__ keys', () => {
  it('are refused at their line in a config file', async () => {
    const r = await dlf('validate', tmp.write('p.yaml', graph));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: .*p\.yaml:7:7: '__proto__' cannot be a key/);
  });

  it('and in a --set value', async () => {
    const ok = tmp.write('ok.yaml', graph.replace(/__proto__/g, 'w'));
    expect((await dlf('validate', ok)).code).toBe(0);
    const r = await dlf('validate', ok, '--set', 'model.graph.params={__proto__: {shape: [1, 1]}}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'__proto__' cannot be a key/);
  });
});
