import { defineConfig } from 'vitest/config';

// `npm run test:security`: the security suite (test/security/). Not part of `npm test`: the fuzzing,
// sqlmap and Spectral runs are long. SECURITY_MODE=ci runs a reduced set (≤ 3 minutes); SECURITY_FULL=1
// or SECURITY_MODE=full runs everything (thousands of fuzz cases, the full sqlmap set).
// The summary table is printed and written into docs/reliability.md by the global teardown.
export default defineConfig({
  test: {
    include: ['test/security/**/*.test.ts'],
    globalSetup: ['./test/helpers/global-setup.ts', './test/security/summary.ts'],
    testTimeout: 900_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: './test-results/security-junit.xml' },
  },
});
