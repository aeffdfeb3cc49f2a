/**
 * Background jobs on pg-boss, in the same PostgreSQL database as the data (PGlite when embedded).
 *
 * - Every queue has retries with exponential backoff and a dead-letter queue (`<name>.dead`) that
 *   receives a job once its retries are spent, so nothing fails silently.
 * - `send(…, { tx })` enqueues inside the caller's transaction: if the change rolls back, the job was
 *   never created.
 * - Workers run in-process under `npm start` and alone under `npm run worker`.
 */
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { fromDrizzle, fromPglite, PgBoss } from 'pg-boss';
import type { AppConfig } from '../config.ts';
import { APP_ROLE, type Database, type Tx } from '../db/client.ts';
import { requestContext } from '../lib/request-context.ts';
import { inJobSpan } from '../lib/trace.ts';

export const QUEUE_SCHEMA = 'pgboss';

export interface JobContext {
  jobId: string;
  attempt: number;
  log: FastifyBaseLogger;
}

export interface JobDefinition<T = unknown> {
  name: string;
  handler: (data: T, ctx: JobContext) => Promise<void>;
  /** Retries after the first attempt. */
  retryLimit?: number;
  /** Seconds before the first retry; doubles on each following one. */
  retryDelaySeconds?: number;
  expireInSeconds?: number;
  /** Cron expression (UTC) to run this job on a schedule; one instance runs per tick across all workers. */
  schedule?: string;
}

export const deadLetterName = (name: string) => `${name}.dead`;

export class JobQueue {
  readonly boss: PgBoss;
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private started = false;
  private working = false;
  private readonly observers: ((queue: string, ok: boolean, seconds: number) => void)[] = [];

  private readonly database: Database;
  private readonly config: AppConfig;
  private readonly log: FastifyBaseLogger;

  constructor(database: Database, config: AppConfig, log: FastifyBaseLogger) {
    this.database = database;
    this.config = config;
    this.log = log;
    this.boss =
      database.kind === 'pglite' && database.pglite
        ? new PgBoss({ db: fromPglite(database.pglite), backend: 'pglite', schema: QUEUE_SCHEMA })
        : new PgBoss({
            connectionString: config.database.migrationUrl ?? config.database.url,
            schema: QUEUE_SCHEMA,
            max: 4,
            application_name: 'atrium-jobs',
            // How soon a crashed worker's active jobs are found expired and retried.
            superviseIntervalSeconds: config.worker.superviseIntervalSeconds,
            monitorIntervalSeconds: config.worker.superviseIntervalSeconds,
          });
    this.boss.on('error', (err: Error) => this.log.error({ err }, 'job queue error'));
  }

  /** Called after every job run in this process (metrics). */
  observe(fn: (queue: string, ok: boolean, seconds: number) => void): void {
    this.observers.push(fn);
  }

  /** Names of every defined queue (and its dead-letter queue). */
  queueNames(): string[] {
    return [...this.definitions.keys()].flatMap((n) => [n, deadLetterName(n)]);
  }

  define<T>(definition: JobDefinition<T>): void {
    if (this.started) throw new Error(`define(${definition.name}) must come before start()`);
    this.definitions.set(definition.name, definition as JobDefinition<never>);
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  /** Installs or upgrades the queue schema (as the owner role) and creates every defined queue. */
  async start(): Promise<void> {
    await this.database.withOwner(async (owner) => {
      await this.boss.start();
      for (const def of this.definitions.values()) {
        const dead = deadLetterName(def.name);
        await this.boss.createQueue(dead, { retentionSeconds: 14 * 24 * 3600 });
        const policy = {
          retryLimit: def.retryLimit ?? 5,
          retryDelay: def.retryDelaySeconds ?? 5,
          retryBackoff: true,
          expireInSeconds: def.expireInSeconds ?? 15 * 60,
        };
        await this.boss.createQueue(def.name, { ...policy, retryDelayMax: 3600, deadLetter: dead });
        // An existing queue keeps the options it was created with: apply today's (configuration may have changed).
        await this.boss.updateQueue(def.name, policy);
        if (def.schedule) await this.boss.schedule(def.name, def.schedule, {}, { tz: 'UTC' });
      }
      // The API enqueues inside its own transactions, as the application role.
      await owner.exec(`
        GRANT USAGE ON SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
      `);
    });
    this.started = true;
  }

  /** Starts consuming every defined queue in this process. */
  async work(): Promise<void> {
    if (!this.started) throw new Error('start() the queue before work()');
    for (const def of this.definitions.values()) {
      await this.boss.work(
        def.name,
        { batchSize: 1, localConcurrency: this.config.worker.concurrency, pollingIntervalSeconds: this.config.appEnv === 'test' ? 0.5 : 2 },
        async ([job]) => {
          if (!job) return;
          const log = this.log.child({ jobId: job.id, queue: def.name, attempt: job.retryCount + 1 });
          const started = Date.now();
          // One span per run (lib/trace.ts): with tracing on, its log lines carry the trace id.
          await inJobSpan(def.name, job.id, job.retryCount + 1, async () => {
            try {
              await requestContext.run({ requestId: job.id, onFirstTransaction: [], firstTransactionSeen: true, jobs: this }, () =>
                def.handler(job.data as never, { jobId: job.id, attempt: job.retryCount + 1, log }),
              );
              log.info({ durationMs: Date.now() - started }, 'job completed');
              for (const fn of this.observers) fn(def.name, true, (Date.now() - started) / 1000);
            } catch (err) {
              log.warn({ err, durationMs: Date.now() - started }, 'job failed');
              for (const fn of this.observers) fn(def.name, false, (Date.now() - started) / 1000);
              throw err;
            }
          });
        },
      );
    }
    this.working = true;
  }

  /**
   * Enqueues a job. With `tx` the insert is part of that transaction (committed or rolled back with it).
   * Returns the job id.
   */
  async send<T extends object>(name: string, data: T, options: { tx?: Tx; startAfterSeconds?: number; singletonKey?: string } = {}) {
    if (!this.definitions.has(name)) throw new Error(`Unknown job "${name}"`);
    return this.boss.send(name, data, {
      ...(options.tx ? { db: fromDrizzle(options.tx as unknown as Parameters<typeof fromDrizzle>[0], sql) } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    });
  }

  get isWorking(): boolean {
    return this.working;
  }

  /** Stops polling, lets running handlers finish (up to `timeoutMs`), then stops the queue. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.working = false;
    await this.boss.stop({ graceful: true, close: this.database.kind !== 'pglite', timeout: timeoutMs });
  }
}
