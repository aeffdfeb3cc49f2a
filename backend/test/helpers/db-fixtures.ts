/**
 * Test databases: a migrated snapshot (PGlite) or template database (PostgreSQL), built once per run,
 * and a fresh copy of it for every test file.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrationsFolder, runMigrations } from '../../src/db/migrate.ts';
import { jobDefinitions } from '../../src/jobs/definitions.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createMailer } from '../../src/modules/mail/mailer.ts';

export type TestDbKind = 'pglite' | 'postgres';
export const testDbKind = (): TestDbKind => (process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite');
export const adminUrl = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = path.join(backendDir, '.test-cache');

/** Changes whenever the schema or the queue library changes, so a stale snapshot is never used. */
export function schemaFingerprint(): string {
  const h = createHash('sha256');
  for (const f of fs
    .readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    h.update(f).update(fs.readFileSync(path.join(migrationsFolder, f)));
  }
  const pkg = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(backendDir, '..', 'node_modules', name, 'package.json'), 'utf8')).version;
  h.update(pkg('pg-boss')).update(pkg('@electric-sql/pglite'));
  h.update(fs.readFileSync(path.join(backendDir, 'src', 'jobs', 'queue.ts')));
  return h.digest('hex').slice(0, 12);
}

function baseConfig(extra: Record<string, string> = {}) {
  return loadConfig({ APP_ENV: 'test', LOG_LEVEL: 'silent', ...extra });
}

async function prepareSchema(config: ReturnType<typeof loadConfig>, options: Parameters<typeof openDatabase>[1]) {
  const database = await openDatabase(config, options);
  await runMigrations(database);
  const logger = createLogger(config);
  const jobs = new JobQueue(database, config, logger);
  for (const def of jobDefinitions({ mailer: createMailer(config, database), db: database.db, config })) jobs.define(def);
  await jobs.start();
  await jobs.stop(1_000);
  return database;
}

export async function ensurePgliteSnapshot(): Promise<string> {
  const file = path.join(cacheDir, `pglite-${schemaFingerprint()}.tar.gz`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(cacheDir, { recursive: true });
  const database = await prepareSchema(baseConfig(), { inMemory: true });
  const dump = await database.pglite!.dumpDataDir('gzip');
  await database.close();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  // Older snapshots may still be loaded by a run in progress: remove only those unused for an hour.
  for (const old of fs.readdirSync(cacheDir)) {
    const full = path.join(cacheDir, old);
    if (old.startsWith('pglite-') && full !== file && Date.now() - fs.statSync(full).mtimeMs > 3600_000) fs.rmSync(full, { force: true });
  }
  return file;
}

export function databaseUrl(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function ensurePostgresTemplate(): Promise<string> {
  const name = `atrium_tpl_${schemaFingerprint()}`;
  await withAdmin(async (c) => {
    // Leftovers of earlier runs.
    const stale = await c.query<{ datname: string }>(
      "select datname from pg_database where (datname like 'atrium_t\\_%' or datname like 'atrium_tpl\\_%') and datname <> $1",
      [name],
    );
    // Another run may be going on beside this one (a second checkout, a helper): a test database is
    // dropped only when the process that made it is gone, an old template only when nobody uses it.
    for (const { datname } of stale.rows) {
      const pid = /^atrium_t_(\d+)_/.exec(datname)?.[1];
      if (pid && processAlive(Number(pid))) continue;
      await c.query(`DROP DATABASE IF EXISTS "${datname}"${pid ? ' WITH (FORCE)' : ''}`).catch(() => undefined);
    }
    const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return;
    const building = `${name}_build`;
    await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${building}"`);
    const url = databaseUrl(building);
    const database = await prepareSchema(baseConfig({ DATABASE_URL: url }), {});
    await database.close();
    await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
  });
  return name;
}

export async function createPostgresTestDatabase(template: string): Promise<string> {
  const name = `atrium_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (c) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        // Two files copying the template at the same instant can collide; try again shortly.
        if (attempt >= 10 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      }
    }
  });
  return name;
}

export async function dropPostgresTestDatabase(name: string): Promise<void> {
  await withAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}
