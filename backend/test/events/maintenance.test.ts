import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, tenantEvents, tenants } from '../../src/db/schema/index.ts';
import { withMaintenance, withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { pruneExpired } from '../../src/modules/maintenance/maintenance.service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { expectDbError } from '../helpers/wait.ts';

let t: TestApp;
const tenantId = newId('ten');
beforeAll(async () => {
  t = await startTestApp();
  await withTenant(t.database.db, { tenantId }, async (tx) => {
    await tx.insert(tenants).values({ id: tenantId, name: 'M', slug: tenantId.toLowerCase().replace('_', '-') });
    const old = new Date(Date.now() - 20 * 60_000);
    await tx.insert(tenantEvents).values([
      { tenantId, type: 'task.created', entityId: 'task_old', data: {}, createdAt: old },
      { tenantId, type: 'task.created', entityId: 'task_new', data: {} },
    ]);
  });
  await t.database.db.insert(idempotencyKeys).values([
    { principal: 'user:x', key: 'old', requestHash: 'h', method: 'POST', path: '/p', expiresAt: new Date(Date.now() - 1000) },
    { principal: 'user:x', key: 'live', requestHash: 'h', method: 'POST', path: '/p', expiresAt: new Date(Date.now() + 3600_000) },
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe('housekeeping', () => {
  it('prunes expired live-update history and idempotency records, and nothing else', async () => {
    expect(await pruneExpired(t.database.db)).toEqual({ events: 1, idempotencyKeys: 1 });
    const left = await withTenant(t.database.db, { tenantId }, (tx) => tx.select({ entityId: tenantEvents.entityId }).from(tenantEvents));
    expect(left.map((e) => e.entityId)).toEqual(['task_new']);
    const keys = await t.database.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys);
    expect(keys.map((k) => k.key)).toEqual(['live']);
  });

  it('the maintenance role can touch nothing but what it prunes', async () => {
    await expectDbError(
      withMaintenance(t.database.db, (tx) => tx.execute(sql`select count(*) from tasks`)),
      /permission denied/,
    );
    await expectDbError(
      withMaintenance(t.database.db, (tx) => tx.execute(sql`select count(*) from users`)),
      /permission denied/,
    );
    // Recent events of any tenant stay invisible to it.
    const visible = await withMaintenance(t.database.db, (tx) => tx.select().from(tenantEvents));
    expect(visible).toEqual([]);
  });
});
