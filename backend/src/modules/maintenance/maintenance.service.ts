import type { AppDb } from '../../db/client.ts';
import { withMaintenance } from '../../db/tenant.ts';
import { pruneExpiredEvents } from '../events/events.repository.ts';
import { deleteExpiredKeys } from '../idempotency/idempotency.repository.ts';
import { entitlementsForPlan } from '../plans/entitlements.ts';
import { deleteAuditLogsBefore, findTenantPlans } from './maintenance.repository.ts';

/** Removes live-update history past its replay window and idempotency records past their 24 h. */
export async function pruneExpired(db: AppDb) {
  return withMaintenance(db, async (tx) => ({ events: await pruneExpiredEvents(tx), idempotencyKeys: await deleteExpiredKeys(tx) }));
}

/** Audit rows older than the tenant's plan keeps them (audit_retention_days) are removed daily. */
export async function enforceAuditRetention(db: AppDb, now = new Date()) {
  return withMaintenance(db, async (tx) => {
    let removed = 0;
    for (const t of await findTenantPlans(tx)) {
      const days = entitlementsForPlan(t.plan).limits.audit_retention_days;
      if (days < 0) continue;
      removed += await deleteAuditLogsBefore(tx, t.id, new Date(now.getTime() - days * 86_400_000));
    }
    return { removed };
  });
}
