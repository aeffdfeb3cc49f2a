/**
 * startTestApp: the real runtime (database, migrations, job queue, HTTP app) on a fresh database of
 * its own, for `app.inject` or a real socket. Nothing of ours is stubbed.
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { JobDefinition } from '../../src/jobs/queue.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { AppInstance } from '../../src/types.ts';
import { createPostgresTestDatabase, databaseUrl, dropPostgresTestDatabase } from './db-fixtures.ts';

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Run job handlers in this process (default false). */
  work?: boolean;
  extraJobs?: JobDefinition<never>[];
  extraRoutes?: (app: AppInstance) => Promise<void>;
  /** Collect log lines (parsed JSON) instead of discarding them. */
  captureLogs?: boolean;
  /** PostgreSQL only: use the database of another test app (a second API process on the same data). */
  shareDatabaseWith?: TestApp;
}

export interface TestApp extends Runtime {
  app: AppInstance;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testDb = inject('testDb');
  let dbName: string | undefined;
  const env: Record<string, string> = { APP_ENV: 'test', LOG_LEVEL: options.captureLogs ? 'info' : 'silent', ...options.env };
  let pgliteLoadDataDir: Blob | undefined;
  if (testDb.kind === 'postgres' && options.shareDatabaseWith) {
    env.DATABASE_URL = options.shareDatabaseWith.config.database.url as string;
  } else if (testDb.kind === 'postgres') {
    dbName = await createPostgresTestDatabase(testDb.template);
    env.DATABASE_URL = databaseUrl(dbName);
  } else {
    pgliteLoadDataDir = new Blob([fs.readFileSync(testDb.snapshot)]);
  }
  const config = loadConfig(env);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = createLogger(config, sink);
  const runtime = await createRuntime({
    config,
    logger,
    database: pgliteLoadDataDir ? { pgliteLoadDataDir } : {},
    work: options.work ?? false,
    http: true,
    extraJobs: options.extraJobs,
    extraRoutes: options.extraRoutes,
  });
  return {
    ...runtime,
    app: runtime.app as AppInstance,
    logs,
    async close() {
      await runtime.close();
      if (dbName) await dropPostgresTestDatabase(dbName);
    },
  };
}
