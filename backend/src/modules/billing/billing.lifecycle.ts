/**
 * Time-driven billing (the scheduled lifecycle job, and the dev clock):
 *   - a subscription set to cancel whose period ended → the tenant is on the free plan;
 *   - a past-due subscription whose grace period ended → the tenant is on the free plan (restored if
 *     a later invoice is paid);
 *   - for the offline provider, which keeps no state of its own, it also plays Stripe: renewals and
 *     period-end deletions are sent as signed events through the webhook.
 * Downgrading never deletes data: over-limit data turns read-only (plans/limits.service.ts).
 *
 * Reconciliation (daily, or on demand) compares each local subscription with the provider's and
 * fixes drift, logging and auditing each fix. It is a no-op for the offline provider.
 */
import { withMaintenance, withTenant } from '../../db/tenant.ts';
import { clock } from '../../lib/clock.ts';
import { hasLapsed } from '../plans/entitlements.ts';
import * as repo from './billing.repository.ts';
import { commitSubscription, resolvePlan, snapshotPatch, wholeSecond } from './billing.state.ts';
import { BILLING_SYSTEM_ACTOR, type BillingDeps } from './billing.types.ts';

export interface LifecycleResult {
  checked: number;
  eventsSent: number;
  downgraded: number;
}

export async function runLifecycle(deps: BillingDeps, now: Date = clock.now()): Promise<LifecycleResult> {
  const stateless = deps.provider.stateless ? deps.provider.name : null;
  const due = await withMaintenance(deps.db, (tx) => repo.findDueSubscriptions(tx, now, stateless));
  const result: LifecycleResult = { checked: due.length, eventsSent: 0, downgraded: 0 };
  for (const sub of due) {
    try {
      if (deps.provider.advanceTime && sub.provider === deps.provider.name) result.eventsSent += await deps.provider.advanceTime(sub, now);
      if (await applyLapse(deps, sub.tenantId, now)) result.downgraded++;
    } catch (err) {
      deps.log.error({ err, tenantId: sub.tenantId }, 'billing lifecycle failed for a tenant');
    }
  }
  if (due.length > 0) deps.log.info(result, 'billing lifecycle ran');
  return result;
}

/** Puts a tenant whose paid plan lapsed (by the clock) on the free plan, once. */
async function applyLapse(deps: BillingDeps, tenantId: string, now: Date): Promise<boolean> {
  return withTenant(deps.db, { tenantId }, async (tx) => {
    const sub = await repo.lockSubscription(tx, tenantId);
    if (!hasLapsed(sub, now) || sub.downgradedAt || sub.planId === 'free') return false;
    const reason = sub.status === 'past_due' ? 'grace_period_ended' : 'period_ended';
    const { planChanged } = await commitSubscription(
      tx,
      tenantId,
      { downgradedAt: now },
      { actor: BILLING_SYSTEM_ACTOR, action: 'billing.downgraded', now, metadata: { reason } },
    );
    return planChanged;
  });
}

const COMPARED = ['status', 'planId', 'interval', 'currentPeriodEnd', 'cancelAtPeriodEnd', 'trialEnd', 'seats'] as const;

const same = (a: unknown, b: unknown) =>
  a instanceof Date || b instanceof Date ? (a as Date | null)?.getTime() === (b as Date | null)?.getTime() : a === b;

/** Compares local subscriptions with the provider's and fixes drift (one tenant, or every live one). */
export async function reconcile(deps: BillingDeps, tenantId?: string): Promise<{ checked: number; fixed: number }> {
  const out = { checked: 0, fixed: 0 };
  if (deps.provider.stateless) return out; // offline: the local subscription is the only truth
  const rows = await withMaintenance(deps.db, (tx) => repo.findReconcilable(tx, deps.provider.name, tenantId));
  for (const row of rows) {
    out.checked++;
    try {
      const snap = await deps.provider.retrieveSubscription(row.providerSubscriptionId as string);
      if (!snap) {
        deps.log.warn(
          { tenantId: row.tenantId, subscriptionId: row.providerSubscriptionId },
          'reconcile: the provider does not know this subscription',
        );
        continue;
      }
      const fixed = await withTenant(deps.db, { tenantId: row.tenantId }, async (tx) => {
        const before = await repo.lockSubscription(tx, row.tenantId);
        if (before.providerSubscriptionId !== snap.id) return false;
        const now = clock.now();
        const plan = await resolvePlan(tx, snap);
        const patch = snapshotPatch(before, snap, plan, now, { provider: deps.provider.name, graceDays: deps.config.billing.graceDays });
        const changes = COMPARED.filter((k) => !same(before[k], patch[k])).map((k) => ({ field: k, from: before[k], to: patch[k] }));
        if (changes.length === 0) return false;
        for (const c of changes) deps.log.info({ tenantId: row.tenantId, ...c }, 'reconcile: fixed drift');
        const at = wholeSecond(now);
        const timeline =
          !before.lastEventAt || before.lastEventAt.getTime() < at.getTime() ? { lastEventAt: at, lastEventType: 'sync' } : {};
        await commitSubscription(
          tx,
          row.tenantId,
          { ...patch, ...timeline },
          { actor: BILLING_SYSTEM_ACTOR, action: 'billing.reconciled', now, metadata: { changes } },
        );
        return true;
      });
      if (fixed) out.fixed++;
    } catch (err) {
      deps.log.error({ err, tenantId: row.tenantId }, 'reconcile failed for a tenant');
    }
  }
  return out;
}
