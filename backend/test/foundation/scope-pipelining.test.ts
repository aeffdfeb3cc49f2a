/**
 * Pipeline mode on node-postgres (db/client.ts, batchScopedBegin): a scoped transaction's first query is
 * written right behind `begin; select set_config(…)` instead of after its answer, so the pair costs one
 * round trip; and it still cannot run unscoped: when the scope statement fails, the query after it fails
 * with the scope statement's own error and nothing it asked for is returned.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenants } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

describe.runIf(process.env.TEST_DB === 'postgres')('scope statement pipelined on node-postgres', () => {
  let t: TestApp;
  const tenantA = newId('ten');

  beforeAll(async () => {
    t = await startTestApp();
    await withTenant(t.database.db, { tenantId: tenantA }, async (tx) => {
      await tx.insert(tenants).values({ id: tenantA, name: tenantA, slug: tenantA.toLowerCase().replace('_', '-') });
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends the first query before the answer to the scope statement arrives', async () => {
    const pool = t.database.pool as pg.Pool;
    const client = await pool.connect();
    const events: string[] = [];
    const connection = (client as unknown as { connection: Record<string, (...a: unknown[]) => unknown> & NodeJS.EventEmitter }).connection;
    const simple = connection.query as (...a: unknown[]) => unknown;
    const sync = connection.sync as (...a: unknown[]) => unknown;
    connection.query = function (this: unknown, ...args: unknown[]) {
      events.push(String(args[0]).startsWith('begin;') ? 'scope sent' : String(args[0]));
      return simple.apply(this, args);
    };
    connection.sync = function (this: unknown, ...args: unknown[]) {
      events.push('query sent');
      return sync.apply(this, args);
    };
    const onReady = () => events.push('answer');
    connection.on('readyForQuery', onReady);
    client.release();
    try {
      for (let i = 0; i < 30 && !events.includes('scope sent'); i++) {
        await withTenant(t.database.db, { tenantId: tenantA }, async (tx) => tx.execute(sql`select ${1}::int`));
      }
    } finally {
      connection.query = simple;
      connection.sync = sync;
      connection.off('readyForQuery', onReady);
    }
    const from = events.indexOf('scope sent');
    expect(from).toBeGreaterThanOrEqual(0);
    expect(events.slice(from, from + 3)).toEqual(['scope sent', 'query sent', 'answer']);
  });

  it('the scoped query sees its tenant and nothing else', async () => {
    const seen = await withTenant(t.database.db, { tenantId: tenantA }, async (tx) => {
      const r = await tx.execute(sql`select current_setting('app.tenant_id') as t, (select count(*)::int from tenants) as n`);
      return (r as unknown as { rows: { t: string; n: number }[] }).rows[0];
    });
    expect(seen).toEqual({ t: tenantA, n: 1 });
  });

  it('when the scope statement fails, the query behind it fails with that error and returns nothing', async () => {
    const pool = t.database.pool as pg.Pool;
    const client = await pool.connect();
    try {
      await client.query('begin');
      // Prefixed like every scope statement, so it is pipelined the same way; the role does not exist.
      await client.query("select set_config('role', 'atrium_no_such_role', true), set_config('app.tenant_id', 'x', true)");
      const data = client.query('select id from tenants where id = $1', [tenantA]);
      await expect(data).rejects.toThrow(/atrium_no_such_role/);
      await client.query('rollback');
      // The connection is clean afterwards: nothing was left set on it.
      const after = await client.query("select current_setting('app.tenant_id', true) as t, current_user as u");
      expect(after.rows[0]).toMatchObject({ u: 'atrium_app' });
      expect(after.rows[0]?.t ?? '').toBe('');
    } finally {
      client.release();
    }
  });
});
