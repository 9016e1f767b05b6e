import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Picks the kernel backend (DLF_BACKEND) before any test runs.
    setupFiles: ['test/backend.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
