/**
 * A scoped read without a transaction around it (db/scoped-read.ts, CompiledQuery.scoped): the scope
 * statement and the query travel in one extended-protocol message with one Sync, so they run in one
 * implicit transaction. Shown here on node-postgres: the query is scoped (RLS sees the tenant, only
 * it), nothing stays set on the connection afterwards, and a failure of either statement is the read's
 * error and leaves the connection usable, its prepared statements included.
 */
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE, type AppDb, batchScopedBegin } from '../../src/db/client.ts';
import { compiledQuery } from '../../src/db/compiled.ts';
import { tenants } from '../../src/db/schema/index.ts';
import { scopedRead } from '../../src/db/scoped-read.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const visibleTenants = compiledQuery<{ like: string }, { id: string }>('test_scoped_tenants', (db) =>
  db
    .select({ id: tenants.id })
    .from(tenants)
    .where(sql`${tenants.id} like ${sql.placeholder('like')}`),
);
const tenantNamed = compiledQuery<{ id: string }, { id: string; name: string }>('test_scoped_tenant_by_id', (db) =>
  db
    .select({ id: tenants.id, name: tenants.name })
    .from(tenants)
    .where(eq(tenants.id, sql.placeholder('id'))),
);

describe.runIf(process.env.TEST_DB === 'postgres')('scoped reads without BEGIN/COMMIT on node-postgres', () => {
  let t: TestApp;
  /** One connection, so that what a read leaves on it is what the next statement sees. */
  let pool: pg.Pool;
  let db: AppDb;
  const tenantA = newId('ten');
  const tenantB = newId('ten');

  beforeAll(async () => {
    t = await startTestApp();
    for (const id of [tenantA, tenantB]) {
      await withTenant(t.database.db, { tenantId: id }, async (tx) => {
        await tx.insert(tenants).values({ id, name: `name of ${id}`, slug: id.toLowerCase().replace('_', '-') });
      });
    }
    pool = new pg.Pool({
      connectionString: t.config.database.url as string,
      max: 1,
      pipeline: true,
      onConnect: async (c: pg.ClientBase) => {
        await c.query(`SET ROLE ${APP_ROLE}`);
      },
    } as unknown as pg.PoolConfig);
    pool.on('connect', (client) => batchScopedBegin(client));
    db = drizzle({ client: pool }) as unknown as AppDb;
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  async function connectionState() {
    const r = await pool.query(
      "select current_setting('app.tenant_id', true) as tenant, current_setting('app.user_id', true) as user, current_user as role, now() = statement_timestamp() as fresh",
    );
    return r.rows[0] as { tenant: string | null; user: string | null; role: string; fresh: boolean };
  }

  it('runs scoped, in one message with no BEGIN or COMMIT, and leaves nothing set on the connection', async () => {
    await connectionState(); // the pool's one connection is open (its SET ROLE sent)
    const simple: string[] = [];
    const connectionProto = (pg as unknown as { Connection: { prototype: { query(text: string): void } } }).Connection.prototype;
    const original = connectionProto.query;
    connectionProto.query = function (this: unknown, text: string) {
      simple.push(text);
      return original.call(this, text);
    };
    let rows: { id: string }[];
    try {
      rows = await visibleTenants.scoped(db, { tenantId: tenantA, userId: 'usr_x' }, { like: 'ten_%' });
    } finally {
      connectionProto.query = original;
    }
    // RLS saw tenant A's scope: its row and no other (unscoped, the policy shows none).
    expect(rows.map((r) => r.id)).toEqual([tenantA]);
    expect(simple).toEqual([]);
    const state = await connectionState();
    expect(state.tenant ?? '').toBe('');
    expect(state.user ?? '').toBe('');
    expect(state.role).toBe(APP_ROLE);
  });

  it('another tenant scope reads nothing of the first', async () => {
    expect(await tenantNamed.scoped(db, { tenantId: tenantB }, { id: tenantA })).toEqual([]);
    expect(await tenantNamed.scoped(db, { tenantId: tenantB }, { id: tenantB })).toEqual([{ id: tenantB, name: `name of ${tenantB}` }]);
  });

  it('a failed scope statement fails the read, the query never runs, and the connection stays usable', async () => {
    // A statement this connection has not prepared yet: its Parse travels behind the failing scope.
    const fresh = compiledQuery<{ id: string }, { id: string }>('test_scoped_fresh', (d) =>
      d
        .select({ id: tenants.id })
        .from(tenants)
        .where(eq(tenants.id, sql.placeholder('id'))),
    );
    // Build it (the root handle compiles it) before reading through the low-level call.
    expect(await fresh.scoped(db, { tenantId: tenantA }, { id: tenantA })).toEqual([{ id: tenantA }]);
    const config = {
      name: 'test_scoped_never_parsed',
      text: 'select id from tenants where id = $1',
      values: [tenantA],
      rowMode: 'array' as const,
      types: undefined,
    };
    await expect(scopedRead(pool, 'atrium_no_such_role', { tenantId: tenantA }, config)).rejects.toThrow(/atrium_no_such_role/);
    // The statement was skipped with the rest: the next read parses it again and succeeds.
    expect(await scopedRead(pool, APP_ROLE, { tenantId: tenantA }, config)).toEqual([[tenantA]]);
    expect(await scopedRead(pool, APP_ROLE, { tenantId: tenantA }, config)).toEqual([[tenantA]]);
    const state = await connectionState();
    expect(state.tenant ?? '').toBe('');
    expect(state.role).toBe(APP_ROLE);
  });

  it('a failed query is the read error (with its SQLSTATE); the implicit transaction ends and the next read works', async () => {
    const config = {
      name: 'test_scoped_bad_cast',
      text: 'select id from tenants where id = $1 and $2::int > 0',
      values: [tenantA, 'x'],
      rowMode: 'array' as const,
      types: undefined,
    };
    await expect(scopedRead(pool, APP_ROLE, { tenantId: tenantA }, config)).rejects.toMatchObject({ code: '22P02' });
    expect(await scopedRead(pool, APP_ROLE, { tenantId: tenantA }, { ...config, values: [tenantA, '1'] })).toEqual([[tenantA]]);
    const state = await connectionState();
    expect(state.tenant ?? '').toBe('');
    // Not left inside a transaction: now() is this statement's own start.
    expect(state.fresh).toBe(true);
  });

  it('a scope value with NUL is refused before anything is sent', async () => {
    await expect(visibleTenants.scoped(db, { tenantId: 'ten_\u0000' }, { like: '%' })).rejects.toThrow(/NUL/);
    expect((await connectionState()).tenant ?? '').toBe('');
  });
});
