import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, tenants } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { expectDbError } from '../helpers/wait.ts';

let t: TestApp;
const tenantA = newId('ten');
const tenantB = newId('ten');

beforeAll(async () => {
  t = await startTestApp();
  for (const tenantId of [tenantA, tenantB]) {
    await withTenant(t.database.db, { tenantId }, async (tx) => {
      await tx.insert(tenants).values({ id: tenantId, name: tenantId, slug: tenantId.toLowerCase().replace('_', '-') });
      await tx.insert(auditLogs).values({ id: newId('aud'), tenantId, actorType: 'system', action: 'tenant.created' });
    });
  }
});
afterAll(async () => {
  await t?.close();
});

const rows = <T>(r: unknown) => (r as { rows: T[] }).rows;

describe('application role and row-level security', () => {
  it('queries run as a role that is not superuser, not BYPASSRLS and owns no table', async () => {
    const [role] = rows<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>(
      await t.database.db.execute(sql`select current_user, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user`),
    );
    expect(role).toEqual({ current_user: 'atrium_app', rolsuper: false, rolbypassrls: false });
    const [owned] = rows<{ n: number }>(
      await t.database.db.execute(sql`select count(*)::int as n from pg_tables where tableowner = current_user`),
    );
    expect(owned?.n).toBe(0);
  });

  it('the same holds inside withTenant', async () => {
    const result = await withTenant(t.database.db, { tenantId: tenantA }, async (tx) =>
      rows<{ u: string; t: string }>(await tx.execute(sql`select current_user as u, current_setting('app.tenant_id') as t`)),
    );
    expect(result[0]).toEqual({ u: 'atrium_app', t: tenantA });
  });

  it('every tenant table has RLS enabled and forced', async () => {
    const tables = rows<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      await t.database.db.execute(sql`
        select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c
        join information_schema.columns col on col.table_name = c.relname and col.column_name = 'tenant_id' and col.table_schema = 'public'
        where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace`),
    );
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) expect(table, table.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
  });

  it('a tenant table read with no tenant set returns zero rows', async () => {
    const [r] = await t.database.db.select({ n: count() }).from(auditLogs);
    expect(r?.n).toBe(0);
  });

  it('with a tenant set, only that tenant’s rows are visible', async () => {
    const seen = await withTenant(t.database.db, { tenantId: tenantA }, (tx) => tx.select().from(auditLogs));
    expect(seen.map((r) => r.tenantId)).toEqual([tenantA]);
  });

  it('a tenant cannot write rows for another tenant', async () => {
    await expectDbError(
      withTenant(t.database.db, { tenantId: tenantA }, (tx) =>
        tx.insert(auditLogs).values({ id: newId('aud'), tenantId: tenantB, actorType: 'system', action: 'x' }),
      ),
      /row-level security/,
    );
  });

  it('tenant settings do not leak past the transaction', async () => {
    await withTenant(t.database.db, { tenantId: tenantA }, async () => {});
    const [r] = await t.database.db.select({ n: count() }).from(auditLogs);
    expect(r?.n).toBe(0);
  });

  it('audit rows cannot be updated or deleted by the application role', async () => {
    await expectDbError(
      withTenant(t.database.db, { tenantId: tenantA }, (tx) => tx.update(auditLogs).set({ action: 'rewritten' })),
      /permission denied/,
    );
    await expectDbError(
      withTenant(t.database.db, { tenantId: tenantA }, (tx) => tx.delete(auditLogs)),
      /permission denied/,
    );
    const still = await withTenant(t.database.db, { tenantId: tenantA }, (tx) => tx.select().from(auditLogs));
    expect(still.map((r) => r.action)).toEqual(['tenant.created']);
  });

  it('a failed transaction leaves the database as it was', async () => {
    await expect(
      withTenant(t.database.db, { tenantId: tenantA }, async (tx) => {
        await tx.insert(auditLogs).values({ id: newId('aud'), tenantId: tenantA, actorType: 'system', action: 'doomed' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const after = await withTenant(t.database.db, { tenantId: tenantA }, (tx) => tx.select().from(auditLogs));
    expect(after.map((r) => r.action)).toEqual(['tenant.created']);
  });
});
