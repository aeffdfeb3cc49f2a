/**
 * The runtime: database (migrated), job queue, mailer and the HTTP app, started in the right order
 * and stopped in the reverse one. `npm start` (server.ts), `npm run worker` (worker.ts) and the tests
 * all go through here.
 */
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { AppConfig } from './config.ts';
import { type Database, type OpenOptions, openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { jobDefinitions } from './jobs/definitions.ts';
import { type JobDefinition, JobQueue } from './jobs/queue.ts';
import { type Cache, cacheKeys, createCache, installCache, uninstallCache } from './lib/cache.ts';
import { type Ai, createAi, seedAiModels } from './modules/ai/ai.runtime.ts';
import { type Auth, createAuth } from './modules/auth/auth.ts';
import { type Billing, createBilling, seedPlans } from './modules/billing/billing.runtime.ts';
import { EventHub } from './modules/events/event-hub.ts';
import { createMailer, type Mailer } from './modules/mail/mailer.ts';
import type { AppInstance } from './types.ts';

export interface RuntimeOptions {
  config: AppConfig;
  logger: Logger;
  database?: OpenOptions;
  /** Run job handlers in this process. */
  work: boolean;
  /** Build the HTTP app (false for the standalone worker). */
  http: boolean;
  extraJobs?: JobDefinition<never>[];
  extraRoutes?: (app: AppInstance) => Promise<void>;
}

export interface Runtime {
  config: AppConfig;
  database: Database;
  jobs: JobQueue;
  mailer: Mailer;
  auth: Auth;
  events: EventHub;
  billing: Billing;
  ai: Ai;
  /** Membership/entitlement/plan cache (lib/cache.ts): Redis when REDIS_URL is set, else in-process. */
  cache: Cache;
  app: AppInstance | undefined;
  /** Stops accepting requests, waits for in-flight ones and running jobs, closes the database. */
  close(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger } = options;
  const database = await openDatabase(config, { ...options.database, logger });
  const cache = await createCache({ redisUrl: config.redisUrl, logger, singleProcess: database.kind === 'pglite' });
  installCache(cache);
  try {
    const { applied } = await runMigrations(database);
    if (applied > 0) logger.info({ applied }, 'database migrations applied');
    await seedPlans(database, config);
    await cache.invalidatePrefix(cacheKeys.plans);
    await seedAiModels(database, config);

    const mailer = createMailer(config, database);
    const jobs = new JobQueue(database, config, logger);
    const billing = createBilling({ config, db: database.db, jobs, log: logger });
    const ai = createAi({ config, db: database.db, jobs, log: logger });
    for (const def of jobDefinitions({ mailer, db: database.db, config, billing, ai })) jobs.define(def);
    for (const def of options.extraJobs ?? []) jobs.define(def);
    await jobs.start();
    await database.enterAppRole();

    const auth = createAuth(config, database, jobs);
    const events = new EventHub(database, config, logger);
    const app = options.http
      ? await buildApp({ config, database, jobs, mailer, auth, events, logger, extraRoutes: options.extraRoutes })
      : undefined;
    if (app) {
      app.decorate('billing', billing);
      app.decorate('ai', ai);
      billing.attachApp(app);
      await app.ready();
      await events.start();
    }
    if (options.work) await jobs.work();

    let closing: Promise<void> | undefined;
    return {
      config,
      database,
      jobs,
      mailer,
      auth,
      events,
      billing,
      ai,
      cache,
      app,
      close() {
        closing ??= (async () => {
          if (app) await app.close();
          await events.stop();
          await jobs.stop(config.shutdownTimeoutMs);
          await database.close();
          uninstallCache(cache);
          await cache.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await database.close().catch(() => {});
    uninstallCache(cache);
    await cache.close();
    throw err;
  }
}
