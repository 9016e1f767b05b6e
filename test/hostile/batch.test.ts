// The batch runner of the hostile corpus (batch.ts) on a stand-in for the CLI's main: a run's exit
// code, stdout, stderr and warnings are its own; the run a child dies in (process.exit, a crash)
// or hangs in, and a batch whose child wrote past the capture, are run again each in a process of
// its own, where bin/dlf.js gives their real outcome (here: an unknown command, exit code 2).
import { afterAll, describe, expect, it } from 'vitest';
import { dlfMany } from './batch.js';
import { scratch } from './make.js';

const s = scratch('dlf-batch-');
afterAll(() => s.cleanup());

/** main(argv) by its first argument: prints, warns, exits, hangs, or writes to fd 2 behind the capture. */
const main = s.write(
  'main.mjs',
  `import { writeSync } from 'node:fs';
export async function main(argv) {
  const [what, arg] = argv.slice(2);
  if (what === 'print') { process.stdout.write('out ' + arg + '\\n'); console.error('err ' + arg); return Number(arg); }
  if (what === 'warn') { process.emitWarning('careful'); return 0; }
  if (what === 'exit') process.exit(7);
  if (what === 'hang') for (;;);
  if (what === 'stray') { writeSync(2, 'behind the capture\\n'); return 0; }
  return 3;
}
`,
);

describe('dlfMany', () => {
  it("gives each run its own code and output, and warnings as the process's stderr would show them", async () => {
    const got = await dlfMany([['print', '0'], ['print', '2'], ['warn'], ['other']], s, { main });
    expect(got.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
      [0, 'out 0\n', 'err 0\n'],
      [2, 'out 2\n', 'err 2\n'],
      [0, '', expect.stringMatching(/^\(node\) Warning: careful\n$/)],
      [3, '', ''],
    ]);
  });

  it('runs the case a child exited or hung in on its own, and goes on with the rest in a new child', async () => {
    const got = await dlfMany([['print', '1'], ['exit'], ['print', '4'], ['hang'], ['print', '5']], s, { main, timeoutMs: 2000 });
    expect(got.map((r) => r.code)).toEqual([1, 2, 4, 2, 5]);
    expect(got[1].stderr).toMatch(/^error: .*'exit'/);
    expect(got[3].stderr).toMatch(/^error: .*'hang'/);
  });

  it('runs every case of a batch on its own when its child wrote behind the capture', async () => {
    const got = await dlfMany([['print', '1'], ['stray']], s, { main });
    expect(got.map((r) => r.code)).toEqual([2, 2]);
    expect(got[0].stderr).toMatch(/^error: .*print/);
  });
});
