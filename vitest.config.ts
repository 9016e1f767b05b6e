// The test suite in one `npm test`: every test once on the primary backend (native when the addon
// is built and loads, else ts), and the tests whose assertions are numbers computed by the kernels
// (values, gradients, bit-for-bit reproducibility) again on the other backend. DLF_BACKEND=ts or
// =native in the environment runs every test on that backend only, as one project.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { nativeStatus } from './src/kernels/native.js';

/**
 * What reaches a kernel and is judged by its numbers: the kernels against references and each
 * other, gradient checks of every op, compiled plans and the executor, the optimizer and penalty
 * updates, a training step's values, and training end to end (targets reached, eval reproducing
 * the best epoch, resume and checkpoint intervals giving the same bytes). The native-only kernel
 * tests (native*.test.ts) call the addon directly, whatever the backend, so they run once, as
 * does the test of the comparison helpers (close.test.ts).
 */
export const BOTH_BACKENDS = [
  'test/kernels/**/*.test.ts',
  'test/graph/gradcheck.test.ts',
  'test/graph/prepare-bytes.test.ts',
  'test/compile/**/*.test.ts',
  'test/exec/**/*.test.ts',
  'test/train/optimizers.test.ts',
  'test/train/regularize.test.ts',
  'test/train/step-values.test.ts',
  'test/train/writer.test.ts',
  'test/cli/train.test.ts',
  'test/cli/resume.test.ts',
];
const ONCE = ['test/kernels/native*.test.ts', 'test/kernels/close.test.ts'];

const chosen = process.env.DLF_BACKEND?.trim();
const primary = chosen || (nativeStatus().available ? 'native' : 'ts');
const secondary = chosen || primary === 'ts' ? undefined : 'ts';

export default defineConfig({
  test: {
    // Picks the kernels (test/backend.ts reads DLF_BACKEND, which each project sets) before any test runs.
    setupFiles: ['test/backend.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Vitest's default in a run is one worker fewer than the cores: a single one on two.
    maxWorkers: Math.max(2, availableParallelism()),
    // A worker runs file after file in one module graph, instead of loading dlf's modules again
    // for each file (which took more than half the time of the unit tests). So a test file must
    // leave the process as it found it: it restores what it patches (console, emitWarning, the
    // addon's thread count and level) and stops the children it starts.
    isolate: false,
    projects: [
      { extends: true, test: { name: primary, include: ['test/**/*.test.ts'], env: { DLF_BACKEND: primary } } },
      ...(secondary ? [{ extends: true, test: { name: secondary, include: BOTH_BACKENDS, exclude: ONCE, env: { DLF_BACKEND: secondary } } }] : []),
    ],
  },
});
