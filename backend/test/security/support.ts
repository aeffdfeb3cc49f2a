/**
 * Shared by the security suite: the run mode, a test app in production configuration, and the
 * per-check results that the global teardown (summary.ts) turns into the summary table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import type { AppInstance } from '../../src/types.ts';
import type { TestApp } from '../helpers/app.ts';

/** `ci`: the reduced, fast set; `full`: everything (SECURITY_FULL=1 or SECURITY_MODE=full). */
export const MODE: 'ci' | 'full' = process.env.SECURITY_MODE === 'ci' && process.env.SECURITY_FULL !== '1' ? 'ci' : 'full';
export const RESULTS_DIR = path.resolve(import.meta.dirname, '../../test-results/security');

export interface CheckResult {
  check: string;
  cases: number;
  failures: number;
  figures: string;
  order: number;
}

/** Records one check's outcome for the summary table (written even when the check fails). */
export function record(result: CheckResult) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${result.order}-${result.check.replace(/\W+/g, '-')}.json`), JSON.stringify(result));
}

export const PROD_SECRET = 'prod-secret-for-the-security-suite-0123456789abcdef';
export const PROD_WEB_URL = 'https://app.atrium.test';

/**
 * The app with the configuration APP_ENV=production loads (every production check applies: https
 * WEB_URL, strong secret, SMTP, metrics token, rate limits on), on the test's embedded database: the
 * only thing swapped is where the data lives.
 */
export async function startProductionApp(env: Record<string, string> = {}): Promise<TestApp> {
  const testDb = inject('testDb');
  if (testDb.kind !== 'pglite') throw new Error('startProductionApp runs on the PGlite snapshot (TEST_DB=pglite)');
  const loaded = loadConfig({
    APP_ENV: 'production',
    LOG_LEVEL: 'silent',
    AUTH_SECRET: PROD_SECRET,
    DATABASE_URL: 'postgres://unused.invalid/atrium',
    SMTP_URL: 'smtp://127.0.0.1:1',
    METRICS_TOKEN: 'metrics-token-0123456789',
    WEB_URL: PROD_WEB_URL,
    ...env,
  });
  const config = { ...loaded, database: { ...loaded.database, url: undefined, migrationUrl: undefined } };
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
  const runtime = await createRuntime({
    config,
    logger: createLogger(config, sink),
    database: { pgliteLoadDataDir: new Blob([fs.readFileSync(testDb.snapshot)]) },
    work: false,
    http: true,
  });
  return { ...runtime, app: runtime.app as AppInstance, logs, close: () => runtime.close() };
}
