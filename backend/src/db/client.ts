/**
 * Database connection: embedded PGlite (default, persisted under DATA_DIR) or a PostgreSQL server
 * (DATABASE_URL, including Neon's pooled URL). Both speak the same SQL and run the same migrations.
 *
 * Roles: migrations and the job-queue schema run as the connecting (owner) role; every query the API
 * makes runs as `atrium_app`, a role that is neither superuser, table owner nor BYPASSRLS, so row-level
 * security applies. On PostgreSQL each pooled connection switches to it when opened; PGlite has a
 * single session, which switches once start-up work is done (`enterAppRole`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import { type AppConfig, redactUrl } from '../config.ts';
import type * as schema from './schema/index.ts';
import { watchSlowQueries } from './slow-queries.ts';

export const APP_ROLE = 'atrium_app';

export type Schema = typeof schema;
// The Drizzle handles are created without `schema`: nothing uses the relational query API (`db.query.*`),
// and with a schema Drizzle builds a query builder per table for every transaction it opens.
export type AppDb = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the root handle or a transaction. */
export type Executor = AppDb | Tx;

export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(text: string): Promise<void>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  /** Drizzle handle; its queries run as the application role. */
  db: AppDb;
  /** The embedded instance, when kind = 'pglite'. */
  pglite?: PGlite;
  /** The application pool, when kind = 'postgres'. */
  pool?: pg.Pool;
  /** Runs `fn` with an owner connection (migrations, queue schema). On PGlite: the one session, before enterAppRole. */
  withOwner<T>(fn: (runner: SqlRunner) => Promise<T>): Promise<T>;
  /** PGlite: switch the single session to the application role. PostgreSQL: no-op (done per connection). */
  enterAppRole(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DatabaseConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseConnectError';
  }
}

export interface OpenOptions {
  /** PGlite only: start from a dumped data directory (tests load a migrated snapshot) instead of DATA_DIR. */
  pgliteLoadDataDir?: Blob | File;
  /** PGlite only: keep the database in memory. */
  inMemory?: boolean;
  /** Where queries slower than config.database.slowQueryMs are reported (warn). */
  logger?: Logger;
}

export async function openDatabase(config: AppConfig, options: OpenOptions = {}): Promise<Database> {
  return config.database.url ? openPostgres(config, options) : openPglite(config, options);
}

async function openPglite(config: AppConfig, options: OpenOptions): Promise<Database> {
  let dataDir: string | undefined;
  if (!options.inMemory && !options.pgliteLoadDataDir) {
    dataDir = path.join(config.dataDir, 'pglite');
    fs.mkdirSync(dataDir, { recursive: true });
  }
  let client: PGlite;
  try {
    client = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(options.pgliteLoadDataDir ? { loadDataDir: options.pgliteLoadDataDir } : {}),
    });
  } catch (err) {
    throw new DatabaseConnectError(
      `Cannot open the embedded database in ${dataDir ?? 'memory'}: ${(err as Error).message}. ` +
        'Is another Atrium process using the same DATA_DIR?',
      { cause: err },
    );
  }
  if (options.logger) watchSlowQueries(client, config.database.slowQueryMs, options.logger);
  const db = drizzlePglite({ client }) as unknown as AppDb;
  let inAppRole = false;
  const runner: SqlRunner = {
    query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)) as { rows: T[] },
    exec: async (text: string) => {
      await client.exec(text);
    },
  };
  return {
    kind: 'pglite',
    db,
    pglite: client,
    async withOwner(fn) {
      if (inAppRole) await client.exec('RESET ROLE');
      try {
        return await fn(runner);
      } finally {
        if (inAppRole) await client.exec(`SET ROLE ${APP_ROLE}`);
      }
    },
    async enterAppRole() {
      await client.exec(`SET ROLE ${APP_ROLE}`);
      inAppRole = true;
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(config: AppConfig, options: OpenOptions): Promise<Database> {
  const url = config.database.url as string;
  const pool = new pg.Pool({
    connectionString: url,
    max: config.database.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.database.statementTimeoutMs,
    application_name: 'atrium-api',
    // node-postgres' pipeline mode: a query is written at once, not after the previous one's answer (the
    // server still runs them in order). batchScopedBegin uses it to send a transaction's scope statement
    // and its first query in one round trip.
    pipeline: true,
    // Every connection of the API pool runs as the application role, so RLS applies to it.
    onConnect: async (c: pg.ClientBase) => {
      await c.query(`SET ROLE ${APP_ROLE}`);
    },
  } as unknown as pg.PoolConfig);
  // An idle client that errors (database restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const { logger } = options;
  if (logger) {
    watchSlowQueries(pool, config.database.slowQueryMs, logger, { callbacks: true });
    pool.on('connect', (c) => watchSlowQueries(c, config.database.slowQueryMs, logger));
  }
  // pg-pool takes its idle 'error' listener off a client while it is checked out: a socket that dies
  // then (database restarted mid-transaction) would be an unhandled 'error' event and kill the
  // process. The query in flight fails on its own and the pool discards the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  pool.on('connect', (client) => batchScopedBegin(client));

  const ownerUrl = config.database.migrationUrl ?? url;
  const withOwner = async <T>(fn: (runner: SqlRunner) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 5_000, application_name: 'atrium-migrate' });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (err) {
      throw new DatabaseConnectError(describeConnectError(ownerUrl, err), { cause: err });
    }
    try {
      return await fn({
        query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)) as unknown as { rows: T[] },
        exec: async (text: string) => {
          await client.query(text);
        },
      });
    } finally {
      await client.end().catch(() => {});
    }
  };

  return {
    kind: 'postgres',
    db: drizzleNodePg({ client: pool }) as unknown as AppDb,
    pool,
    withOwner,
    async enterAppRole() {
      // Verifies, on a real pooled connection, that the switch to the application role works.
      try {
        await pool.query('select 1');
      } catch (err) {
        throw new DatabaseConnectError(describeConnectError(url, err), { cause: err });
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end().catch(() => {});
    },
  };
}

/**
 * The first statement of every scoped transaction (db/tenant.ts): `select set_config('role', …)` with its
 * values inlined as escaped literals, so that it can travel in the same simple-query message as BEGIN.
 */
export const SCOPE_STATEMENT_PREFIX = "select set_config('role', ";

type QueryFn = (...args: unknown[]) => Promise<unknown>;
const EMPTY_RESULT = { command: 'BEGIN', rowCount: null, oid: 0, rows: [], fields: [] };

const READ_ONLY = /^\s*select\b/i;
// `atrium_…`: our own functions write (atrium_take_usage, migration 0018) though called from a SELECT.
const SIDE_EFFECTS =
  /\b(pg_notify|nextval|setval|pg_advisory_lock|pg_advisory_unlock|dblink|lo_|atrium_)\w*|\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i;

/**
 * A statement that only reads: a plain SELECT with nothing in it that acts outside the transaction's
 * snapshot or writes (row locks, sequences, notifications, advisory locks, our own functions). A
 * transaction of such statements alone does not wait for its COMMIT (batchScopedBegin).
 */
export function isReadOnlyStatement(text: unknown): boolean {
  return typeof text === 'string' && READ_ONLY.test(text) && !SIDE_EFFECTS.test(text);
}

/**
 * Fewer round trips per transaction on node-postgres, which sends one statement per round trip:
 *
 * - Drizzle's `begin` is held back and sent together with the scope statement that always follows it
 *   (`begin; select set_config(…)`: one simple-query message, one round trip, the same two statements
 *   in the same order). Any other first statement gets its `begin` sent first, as before; a transaction
 *   that sends nothing at all sends no `begin` and no `commit`/`rollback` either.
 * - The `commit` of a transaction that only read (plain SELECTs) is sent but not waited for: the
 *   caller carries on with its rows while the connection, back in the pool, finishes the COMMIT before
 *   anything else it is given (node-postgres runs a client's queries strictly in order), so the next
 *   transaction on it starts after this one ended and nothing set locally can leak into it. A
 *   transaction that wrote anything waits for its COMMIT as before: no write is acknowledged before it
 *   is durable.
 * - With the pool in pipeline mode, the `begin; select set_config(…)` message is not waited for either:
 *   it is written at once (corked until the end of this turn of the event loop) and the transaction's
 *   next statement is written right behind it, so both travel in one write and cost one round trip.
 *   The server runs them in order inside the transaction, so that statement cannot run unscoped: if the
 *   scope statement failed, the transaction is aborted and everything after it fails too. Its outcome
 *   is still awaited: the next statement's promise (and a COMMIT's) settles only after it, and rejects
 *   with its error.
 */
function streamOf(client: pg.PoolClient): { cork(): void; uncork(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { cork(): void; uncork(): void } } }).connection?.stream;
}

export function batchScopedBegin(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  const pipelined = (client as unknown as { pipeline?: boolean }).pipeline === true;
  let pendingBegin = false;
  let readOnly = false;
  /** The scope statement sent and not yet waited for (pipeline mode). */
  let pendingScope: Promise<unknown> | undefined;
  // Every statement written in one turn of the event loop leaves in one write (pipeline mode): the
  // socket is corked at the first and uncorked when the turn ends. Each write to another local process
  // is a system call and a wake-up on cores shared with it; a transaction's independent statements
  // (Promise.all), a COMMIT and the next transaction's BEGIN then share one.
  let corked = false;
  const corkTurn = (): void => {
    if (corked || !pipelined) return;
    const stream = streamOf(client);
    if (!stream) return;
    corked = true;
    stream.cork();
    setImmediate(() => {
      corked = false;
      stream.uncork();
    });
  };
  const send = (...args: unknown[]): Promise<unknown> => {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    const params = (config as { values?: unknown[] } | null)?.values ?? values;
    const plain = typeof text === 'string' && !args.some((a) => typeof a === 'function') && (!Array.isArray(params) || params.length === 0);
    if (plain && text === 'begin' && !pendingBegin) {
      pendingBegin = true;
      readOnly = true;
      return Promise.resolve({ ...EMPTY_RESULT });
    }
    if (!pendingBegin) {
      if (plain && text === 'commit' && readOnly) {
        readOnly = false;
        // Held in the socket until the end of this turn of the event loop (corkTurn): the connection goes
        // back to the pool now, and when a waiting request takes it in this same turn (the usual case
        // under load), that request's `begin; select set_config(…)` and first query leave in the same
        // write as this COMMIT.
        query('commit').catch(() => {}); // a failed COMMIT of a read changes nothing; the pool drops a broken client
        return Promise.resolve({ ...EMPTY_RESULT, command: 'COMMIT' });
      }
      if (readOnly && !isReadOnlyStatement(text)) readOnly = false;
      return query(...args);
    }
    pendingBegin = false;
    if (plain && text.startsWith(SCOPE_STATEMENT_PREFIX)) {
      if (pipelined && streamOf(client)) {
        const sent = query(`begin; ${text}`);
        sent.catch(() => {}); // observed through the next statement (wrapped above)
        pendingScope = sent;
        return Promise.resolve({ ...EMPTY_RESULT, command: 'SELECT' });
      }
      return query(`begin; ${text}`).then((r) => (Array.isArray(r) ? r[r.length - 1] : r));
    }
    readOnly = false;
    if (plain && (text === 'commit' || text === 'rollback')) return Promise.resolve({ ...EMPTY_RESULT, command: text.toUpperCase() });
    return query('begin').then(() => query(...args));
  };
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    corkTurn();
    const scope = pendingScope;
    const result = send(...args);
    if (!scope || pendingScope !== scope) return result;
    pendingScope = undefined;
    // A rollback goes ahead whatever happened; anything else reports the scope statement's failure first.
    const config = args[0];
    if ((typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text) === 'rollback') return result;
    return Promise.all([scope, result]).then(([, r]) => r);
  };
}

export function describeConnectError(url: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const reason = e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err));
  return `Cannot connect to PostgreSQL at ${redactUrl(url)} (${reason}). Check DATABASE_URL and that the server is running.`;
}
