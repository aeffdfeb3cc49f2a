import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { memberships, users, webhookDeliveries, webhooks } from '../../db/schema/index.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export async function insertWebhook(tx: Tx, row: typeof webhooks.$inferInsert) {
  const [w] = await tx.insert(webhooks).values(row).returning();
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
  return rows.length === 1;
}

// Compiled (db/compiled.ts): every task, project and comment write asks it. `events && {type, *}`: the
// webhook lists the event type or `*`.
const subscribedWebhooks = compiledQuery<{ tenantId: string; types: string[] }, { id: string }>('webhooks_subscribed', (tx) =>
  tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(
      and(
        eq(webhooks.tenantId, sql.placeholder('tenantId')),
        eq(webhooks.active, true),
        sql`${webhooks.events} && ${sql.placeholder('types')}::text[]`,
      ),
    ),
);

export async function findSubscribedWebhooks(tx: Tx, tenantId: string, eventType: string) {
  return subscribedWebhooks(tx, { tenantId, types: [eventType, '*'] });
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
}

export async function findAdminEmails(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), or(eq(memberships.role, 'owner'), eq(memberships.role, 'admin'))));
  return rows.map((r) => r.email);
}
