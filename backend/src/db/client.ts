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
import { type AppConfig, redactUrl } from '../config.ts';
import * as schema from './schema/index.ts';

export const APP_ROLE = 'atrium_app';

export type Schema = typeof schema;
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
}

export async function openDatabase(config: AppConfig, options: OpenOptions = {}): Promise<Database> {
  return config.database.url ? openPostgres(config) : openPglite(config, options);
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
  const db = drizzlePglite({ client, schema }) as unknown as AppDb;
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

async function openPostgres(config: AppConfig): Promise<Database> {
  const url = config.database.url as string;
  const pool = new pg.Pool({
    connectionString: url,
    max: config.database.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.database.statementTimeoutMs,
    application_name: 'atrium-api',
    // Every connection of the API pool runs as the application role, so RLS applies to it.
    onConnect: async (c: pg.ClientBase) => {
      await c.query(`SET ROLE ${APP_ROLE}`);
    },
  } as unknown as pg.PoolConfig);
  // An idle client that errors (database restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => {});

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
    db: drizzleNodePg({ client: pool, schema }) as unknown as AppDb,
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

export function describeConnectError(url: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const reason = e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err));
  return `Cannot connect to PostgreSQL at ${redactUrl(url)} (${reason}). Check DATABASE_URL and that the server is running.`;
}
