// The kernel backend the whole suite runs on, read from DLF_BACKEND in this one place: unset, the
// TypeScript reference (`ts`); `DLF_BACKEND=native npx vitest run` runs every test on the native
// addon (and fails at once if it is not built). Loaded first by vitest (setupFiles), it also pins
// DLF_BACKEND so that the CLI tests, which call main() in-process, use the same backend.
import { afterAll } from 'vitest';
import type { Kernels } from '../src/kernels/kernels.js';
import { kernelsFor } from '../src/kernels/select.js';
import { removeConfigFixtures } from './config/tmp.js';

export const BACKEND: string = process.env.DLF_BACKEND?.trim() || 'ts';
process.env.DLF_BACKEND = BACKEND;

/** The kernels under test. */
export const K: Kernels = kernelsFor(BACKEND);

// The config fixtures a test file wrote (test/config/tmp.ts) go when the file is done.
afterAll(removeConfigFixtures);
