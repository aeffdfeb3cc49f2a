import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: fault injection against real processes (a private PostgreSQL cluster, a private
// Redis, the API as a child process). Not part of `npm test`: the files end in `.chaos.ts`, which the
// default config does not include. One file at a time: the scenarios measure latency and memory.
// CHAOS_MODE=ci shortens the loops; CHAOS_SOAK=1 adds the soak (CHAOS_SOAK_MINUTES, default 5).
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['./test/helpers/global-setup.ts', './test/chaos/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: './test-results/junit-chaos.xml' },
  },
});
