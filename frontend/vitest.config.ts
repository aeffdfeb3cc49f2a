import { defineConfig } from 'vitest/config';

// Browser tests against the whole app: e2e/global-setup.ts starts `scripts/start.mjs start` once (free
// ports, a temporary data directory) and stops it afterwards. One worker, one file at a time: the
// files share that app and a 2-core machine.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['./e2e/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: './test-results/junit.xml' },
  },
});
