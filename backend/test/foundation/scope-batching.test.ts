/**
 * The scope statement that opens every tenant transaction (db/tenant.ts) inlines its values as escaped
 * literals so that, on node-postgres, it travels with BEGIN in one round trip (db/client.ts). These
 * tests hold both halves to account: hostile values stay values (RLS still sees exactly the tenant it
 * was given), and on PostgreSQL a scoped read costs three round trips, not four.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReadOnlyStatement } from '../../src/db/client.ts';
import { auditLogs, tenants } from '../../src/db/schema/index.ts';
import { scopeStatement, sqlLiteral, withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
const tenantA = newId('ten');

beforeAll(async () => {
  t = await startTestApp();
  await withTenant(t.database.db, { tenantId: tenantA }, async (tx) => {
    await tx.insert(tenants).values({ id: tenantA, name: tenantA, slug: tenantA.toLowerCase().replace('_', '-') });
    await tx.insert(auditLogs).values({ id: newId('aud'), tenantId: tenantA, actorType: 'system', action: 'tenant.created' });
  });
});
afterAll(async () => {
  await t?.close();
});

const rows = <T>(r: unknown) => (r as { rows: T[] }).rows;

describe('scope statement', () => {
  it('escapes values as SQL literals', () => {
    expect(sqlLiteral('ten_x')).toBe("'ten_x'");
    expect(sqlLiteral("a'b")).toBe("'a''b'");
    expect(sqlLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(() => sqlLiteral('a\u0000b')).toThrow();
    expect(scopeStatement('atrium_app')).toBe("select set_config('role', 'atrium_app', true)");
  });

  it('a hostile tenant id is a value: it sets exactly that string and sees no other tenant', async () => {
    const hostile = `${tenantA}', true), set_config('app.tenant_id', '${tenantA}`;
    for (const tenantId of [hostile, `x\\'; select 1; --`]) {
      const result = await withTenant(t.database.db, { tenantId }, async (tx) => ({
        setting: rows<{ t: string }>(await tx.execute(sql`select current_setting('app.tenant_id') as t`))[0]?.t,
        audit: rows<{ n: number }>(await tx.execute(sql`select count(*)::int as n from audit_logs`))[0]?.n,
      }));
      expect(result).toEqual({ setting: tenantId, audit: 0 });
    }
  });

  it('the tenant set is the one RLS filters by', async () => {
    const n = await withTenant(t.database.db, { tenantId: tenantA }, async (tx) =>
      rows<{ n: number }>(await tx.execute(sql`select count(*)::int as n from audit_logs`)),
    );
    expect(n[0]?.n).toBe(1);
  });

  it('a failing scoped transaction rolls back and leaves nothing set on the pooled connection', async () => {
    await expect(
      withTenant(t.database.db, { tenantId: tenantA }, async (tx) => {
        await tx.execute(sql`select 1/0`);
      }),
    ).rejects.toThrow();
    const after = rows<{ t: string | null; u: string }>(
      await t.database.db.execute(sql`select current_setting('app.tenant_id', true) as t, current_user as u`),
    );
    expect(after[0]?.t ?? '').toBe('');
    expect(after[0]?.u).toBe('atrium_app');
  });
});

describe.runIf(process.env.TEST_DB === 'postgres')('round trips on node-postgres', () => {
  it('BEGIN travels with the scope statement: a scoped read is three round trips', async () => {
    const pool = t.database.pool as pg.Pool;
    const client = await pool.connect();
    // Each round trip ends in one message: a simple query (Q), or the Sync closing an extended query.
    const sent: string[] = [];
    const connection = (client as unknown as { connection: Record<string, (...a: unknown[]) => unknown> }).connection;
    const simple = connection.query as (...a: unknown[]) => unknown;
    const sync = connection.sync as (...a: unknown[]) => unknown;
    connection.query = function (this: unknown, ...args: unknown[]) {
      sent.push(String(args[0]));
      return simple.apply(this, args);
    };
    connection.sync = function (this: unknown, ...args: unknown[]) {
      sent.push('(extended query)');
      return sync.apply(this, args);
    };
    client.release();
    try {
      // The pool may hand the transaction another connection: repeat until ours served one.
      for (let i = 0; i < 30 && sent.length < 3; i++) {
        await withTenant(t.database.db, { tenantId: tenantA }, async (tx) => tx.execute(sql`select ${1}::int`));
      }
    } finally {
      connection.query = simple;
      connection.sync = sync;
    }
    expect(sent.slice(0, 3)).toEqual([
      expect.stringMatching(/^begin; select set_config\('role', 'atrium_app', true\), set_config\('app.tenant_id', 'ten_/),
      '(extended query)',
      'commit',
    ]);
  });
});

describe('which transactions wait for their COMMIT', () => {
  // A transaction of read-only statements alone has its COMMIT sent without waiting (db/client.ts); one
  // statement that writes, locks or has an effect outside the snapshot makes the COMMIT awaited.
  it.each([
    ['select id from tasks where tenant_id = $1', true],
    ['  SELECT count(*) from projects', true],
    ['select * from tenant_usage where tenant_id = $1 for update', false],
    ['select 1 from tasks for no key update', false],
    ['select atrium_take_usage($1, $2, $3)', false],
    ["select pg_notify('c', 'p')", false],
    ["select nextval('s')", false],
    ['select pg_advisory_lock(1)', false],
    ['insert into tasks (id) values ($1)', false],
    ['update tasks set title = $1', false],
    ['with d as (delete from tasks returning id) select * from d', false],
    [undefined, false],
  ])('%s → read-only: %s', (text, expected) => {
    expect(isReadOnlyStatement(text)).toBe(expected);
  });
});
