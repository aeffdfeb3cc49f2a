import type { AppDb } from '../../db/client.ts';
import { withMaintenance, withTenant } from '../../db/tenant.ts';
import { pruneExpiredEvents } from '../events/events.repository.ts';
import { deleteExpiredKeys } from '../idempotency/idempotency.repository.ts';
import { entitlementsForPlan } from '../plans/entitlements.ts';
import { foldUsage, tenantsWithDeltas } from '../plans/usage.repository.ts';
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

/**
 * Folds the plan counters' deltas (tenant_usage_deltas, migration 0019) into the counters, for up to
 * `batch` workspaces per run: found as the maintenance role, folded in each workspace's own scope.
 * Keeps the deltas few, so reading a counter stays cheap; exactness does not depend on it (a counter is
 * its row plus its deltas, and an exact take folds first).
 */
export async function foldPendingUsage(db: AppDb, batch = 500) {
  const tenantIds = await withMaintenance(db, (tx) => tenantsWithDeltas(tx, batch));
  let counters = 0;
  for (const tenantId of tenantIds) counters += (await withTenant(db, { tenantId }, (tx) => foldUsage(tx, tenantId))).length;
  return { tenants: tenantIds.length, counters };
}
