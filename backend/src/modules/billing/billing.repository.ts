import { and, asc, eq, inArray, isNotNull, isNull, lte, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { billingEvents, subscriptions, tenants } from '../../db/schema/index.ts';
import { cacheKeys, invalidateCache } from '../../lib/cache.ts';
import { newId } from '../../lib/ids.ts';
import type { ProviderName } from './providers/types.ts';

export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type SubscriptionPatch = Partial<Omit<SubscriptionRow, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>>;
export type LedgerRow = typeof billingEvents.$inferSelect;

// ---- subscriptions (tenant scope) ------------------------------------------------------------------

export async function findSubscription(tx: Tx, tenantId: string): Promise<SubscriptionRow | undefined> {
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.tenantId, tenantId));
  return row;
}

/** The tenant's subscription row, created (free) if it has none yet, and locked for the transaction. */
export async function lockSubscription(tx: Tx, tenantId: string): Promise<SubscriptionRow> {
  await tx
    .insert(subscriptions)
    .values({ id: newId('bsub'), tenantId })
    .onConflictDoNothing({ target: subscriptions.tenantId });
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.tenantId, tenantId)).for('update');
  if (!row) throw new Error(`subscription row of ${tenantId} is not visible`);
  return row;
}

export async function updateSubscription(tx: Tx, tenantId: string, patch: SubscriptionPatch): Promise<SubscriptionRow> {
  const [row] = await tx
    .update(subscriptions)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(subscriptions.tenantId, tenantId))
    .returning();
  if (!row) throw new Error(`subscription row of ${tenantId} is not visible`);
  await invalidateCache({ keys: [cacheKeys.entitlements(tenantId)] });
  return row;
}

export async function findTenantForBilling(tx: Tx, tenantId: string) {
  const [row] = await tx.select({ id: tenants.id, name: tenants.name, plan: tenants.plan }).from(tenants).where(eq(tenants.id, tenantId));
  return row;
}

/** The effective plan, mirrored on the tenant (what every limit reads). */
export async function setTenantPlan(tx: Tx, tenantId: string, plan: string): Promise<void> {
  await tx.update(tenants).set({ plan, updatedAt: new Date() }).where(eq(tenants.id, tenantId));
  await invalidateCache({ keys: [cacheKeys.entitlements(tenantId)] });
}

// ---- the webhook ledger (tenant scope) ---------------------------------------------------------------

/** Inserts the event once; returns false when this event id was already received. */
export async function insertLedgerEvent(tx: Tx, row: typeof billingEvents.$inferInsert): Promise<boolean> {
  const inserted = await tx
    .insert(billingEvents)
    .values(row)
    .onConflictDoNothing({ target: billingEvents.id })
    .returning({ id: billingEvents.id });
  return inserted.length === 1;
}

export async function lockLedgerEvent(tx: Tx, tenantId: string, eventId: string): Promise<LedgerRow | undefined> {
  const [row] = await tx
    .select()
    .from(billingEvents)
    .where(and(eq(billingEvents.tenantId, tenantId), eq(billingEvents.id, eventId)))
    .for('update');
  return row;
}

export async function markLedgerEvent(tx: Tx, tenantId: string, eventId: string, outcome: string, processedAt: Date): Promise<void> {
  await tx
    .update(billingEvents)
    .set({ outcome, processedAt, updatedAt: new Date() })
    .where(and(eq(billingEvents.tenantId, tenantId), eq(billingEvents.id, eventId)));
}

export async function findPendingLedgerEvents(tx: Tx, tenantId: string) {
  return tx
    .select({ id: billingEvents.id, type: billingEvents.type, eventCreatedAt: billingEvents.eventCreatedAt })
    .from(billingEvents)
    .where(and(eq(billingEvents.tenantId, tenantId), isNull(billingEvents.processedAt)))
    .orderBy(asc(billingEvents.eventCreatedAt), asc(billingEvents.id));
}

// ---- across tenants (as the maintenance role: reads only) --------------------------------------

/** Which tenant a provider customer or subscription belongs to. */
export async function findTenantByProviderRefs(tx: Tx, refs: { customerId: string | null; subscriptionId: string | null }) {
  const conditions: SQL[] = [];
  if (refs.subscriptionId) conditions.push(eq(subscriptions.providerSubscriptionId, refs.subscriptionId));
  if (refs.customerId) conditions.push(eq(subscriptions.providerCustomerId, refs.customerId));
  if (conditions.length === 0) return undefined;
  const rows = await tx
    .select({
      tenantId: subscriptions.tenantId,
      bySubscription: sql<boolean>`${subscriptions.providerSubscriptionId} = ${refs.subscriptionId ?? ''}`,
    })
    .from(subscriptions)
    .where(or(...conditions));
  // A match on the subscription id is more specific than one on the customer.
  return (rows.find((r) => r.bySubscription) ?? rows[0])?.tenantId;
}

/**
 * Subscriptions with something due at `now`: a period-end cancellation, an expired grace period, or
 * (for providers without state of their own) a period to renew.
 */
export async function findDueSubscriptions(tx: Tx, now: Date, statelessProvider: ProviderName | null) {
  return tx
    .select()
    .from(subscriptions)
    .where(
      and(
        ne(subscriptions.planId, 'free'),
        or(
          and(
            eq(subscriptions.cancelAtPeriodEnd, true),
            lte(subscriptions.currentPeriodEnd, now),
            ne(subscriptions.status, 'canceled'),
            isNull(subscriptions.downgradedAt),
          ),
          and(eq(subscriptions.status, 'past_due'), lte(subscriptions.graceUntil, now), isNull(subscriptions.downgradedAt)),
          statelessProvider
            ? and(
                eq(subscriptions.provider, statelessProvider),
                inArray(subscriptions.status, ['active', 'trialing']),
                lte(subscriptions.currentPeriodEnd, now),
              )
            : undefined,
        ),
      ),
    )
    .orderBy(asc(subscriptions.currentPeriodEnd));
}

/** Subscriptions a provider keeps state for, to compare with it. */
export async function findReconcilable(tx: Tx, provider: ProviderName, tenantId?: string) {
  return tx
    .select({ tenantId: subscriptions.tenantId, providerSubscriptionId: subscriptions.providerSubscriptionId })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.provider, provider),
        isNotNull(subscriptions.providerSubscriptionId),
        tenantId ? eq(subscriptions.tenantId, tenantId) : ne(subscriptions.status, 'canceled'),
      ),
    )
    .orderBy(asc(subscriptions.tenantId));
}
