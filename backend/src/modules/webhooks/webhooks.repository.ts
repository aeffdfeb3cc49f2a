import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { memberships, users, webhookDeliveries, webhooks } from '../../db/schema/index.ts';
import { cacheKeys, invalidateCache } from '../../lib/cache.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export async function insertWebhook(tx: Tx, row: typeof webhooks.$inferInsert) {
  const [w] = await tx.insert(webhooks).values(row).returning();
  await forgetWebhooks(row.tenantId);
  return w as WebhookRow;
}

export async function findWebhooks(tx: Tx, tenantId: string) {
  return tx.select().from(webhooks).where(eq(webhooks.tenantId, tenantId)).orderBy(desc(webhooks.createdAt), desc(webhooks.id));
}

export async function findWebhook(tx: Tx, tenantId: string, webhookId: string) {
  const [w] = await tx
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, webhookId)));
  return w;
}

export async function deleteWebhookRow(tx: Tx, tenantId: string, webhookId: string) {
  const rows = await tx
    .delete(webhooks)
    .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, webhookId)))
    .returning({ id: webhooks.id });
  await forgetWebhooks(tenantId);
  return rows.length === 1;
}

/** The tenant's active webhooks and the events each listens to. */
const activeWebhooks = compiledQuery<{ tenantId: string }, { id: string; events: string[] }>('webhooks_active', (tx) =>
  tx
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(and(eq(webhooks.tenantId, sql.placeholder('tenantId')), eq(webhooks.active, true))),
);

export function findActiveWebhooks(tx: Tx, tenantId: string) {
  return activeWebhooks(tx, { tenantId });
}

/** Drops the cached subscriptions of the tenant (webhooks.service), now and after the commit. */
function forgetWebhooks(tenantId: string) {
  return invalidateCache({ keys: [cacheKeys.webhooks(tenantId)] });
}

export async function insertDelivery(tx: Tx, row: typeof webhookDeliveries.$inferInsert) {
  await tx.insert(webhookDeliveries).values(row);
}

export async function findDelivery(tx: Tx, tenantId: string, deliveryId: string) {
  const [d] = await tx
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, deliveryId)));
  return d;
}

export async function findDeliveries(tx: Tx, tenantId: string, webhookId: string, limit: number, before?: { createdAt: Date; id: string }) {
  return tx
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.tenantId, tenantId),
        eq(webhookDeliveries.webhookId, webhookId),
        before
          ? or(
              lt(webhookDeliveries.createdAt, before.createdAt),
              and(eq(webhookDeliveries.createdAt, before.createdAt), lt(webhookDeliveries.id, before.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
}

export async function updateDelivery(tx: Tx, tenantId: string, deliveryId: string, patch: Partial<DeliveryRow>) {
  await tx
    .update(webhookDeliveries)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, deliveryId)));
}

export async function recordWebhookOutcome(tx: Tx, tenantId: string, webhookId: string, succeeded: boolean) {
  const [w] = await tx
    .update(webhooks)
    .set({ consecutiveFailures: succeeded ? 0 : sql`${webhooks.consecutiveFailures} + 1`, updatedAt: new Date() })
    .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, webhookId)))
    .returning();
  return w;
}

export async function disableWebhook(tx: Tx, tenantId: string, webhookId: string, reason: string) {
  await tx
    .update(webhooks)
    .set({ active: false, disabledAt: new Date(), disabledReason: reason, updatedAt: new Date() })
    .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, webhookId)));
  await forgetWebhooks(tenantId);
}

export async function findAdminEmails(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), or(eq(memberships.role, 'owner'), eq(memberships.role, 'admin'))));
  return rows.map((r) => r.email);
}
