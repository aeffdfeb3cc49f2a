import { defineConfig } from 'vitest/config';

// TEST_DB=pglite (default) runs every test file on its own embedded database loaded from a migrated
// snapshot; TEST_DB=postgres gives each file its own database created from a migrated template.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The security suite has its own config and command (`npm run test:security`).
    exclude: ['test/security/**', '**/node_modules/**'],
    globalSetup: ['./test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: './test-results/junit.xml' },
  },
});
