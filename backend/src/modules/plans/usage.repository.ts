import { and, count, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { memberships, subscriptions, tenants, tenantUsage } from '../../db/schema/index.ts';

/**
 * Takes one unit of `metric` if the tenant is below `limit` (-1 = unlimited), atomically: the row
 * lock of the UPDATE serializes concurrent takers, so two creates at the limit cannot both pass.
 * Returns false when the limit is reached. One statement: the row is created at 1 on first use, or
 * incremented while under the limit (the conflict's UPDATE takes the row lock); no row back means the
 * limit is reached.
 */
export async function takeUsage(tx: Tx, tenantId: string, metric: string, limit: number): Promise<boolean> {
  if (limit === 0) return false;
  const rows = await usageTake(tx, { tenantId, metric, limit });
  return rows.length === 1;
}

// Compiled (db/compiled.ts): every create takes one. A negative limit is unlimited.
const usageTake = compiledQuery<{ tenantId: string; metric: string; limit: number }, { value: number }>('usage_take', (tx) =>
  tx
    .insert(tenantUsage)
    .values({ tenantId: sql.placeholder('tenantId'), metric: sql.placeholder('metric'), value: 1 })
    .onConflictDoUpdate({
      target: [tenantUsage.tenantId, tenantUsage.metric],
      set: { value: sql`${tenantUsage.value} + 1`, updatedAt: sql`now()` },
      setWhere: sql`(${sql.placeholder('limit')}::int < 0 or ${tenantUsage.value} < ${sql.placeholder('limit')}::int)`,
    })
    .returning({ value: tenantUsage.value }),
);

export async function releaseUsage(tx: Tx, tenantId: string, metric: string, amount = 1): Promise<void> {
  await tx
    .update(tenantUsage)
    .set({ value: sql`greatest(${tenantUsage.value} - ${amount}, 0)`, updatedAt: new Date() })
    .where(and(eq(tenantUsage.tenantId, tenantId), eq(tenantUsage.metric, metric)));
}

export async function readUsage(tx: Tx, tenantId: string): Promise<Record<string, number>> {
  const rows = await tx.select().from(tenantUsage).where(eq(tenantUsage.tenantId, tenantId));
  return Object.fromEntries(rows.map((r) => [r.metric, r.value]));
}

export async function readUsageOf(tx: Tx, tenantId: string, metric: string): Promise<number> {
  const [row] = await tx
    .select({ value: tenantUsage.value })
    .from(tenantUsage)
    .where(and(eq(tenantUsage.tenantId, tenantId), eq(tenantUsage.metric, metric)));
  return row?.value ?? 0;
}

/** The effective plan as last applied (billing keeps it in step with the subscription). */
export async function tenantPlan(tx: Tx, tenantId: string): Promise<string> {
  const [row] = await tx.select({ plan: tenants.plan }).from(tenants).where(eq(tenants.id, tenantId));
  return row?.plan ?? 'free';
}

/** The fields of the tenant's subscription that decide, with the clock, whether its plan has lapsed. */
export async function subscriptionTerms(tx: Tx, tenantId: string) {
  const [row] = await tx
    .select({
      planId: subscriptions.planId,
      status: subscriptions.status,
      cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      graceUntil: subscriptions.graceUntil,
    })
    .from(subscriptions)
    .where(eq(subscriptions.tenantId, tenantId));
  return row;
}

export async function countMembers(tx: Tx, tenantId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(memberships).where(eq(memberships.tenantId, tenantId));
  return row?.n ?? 0;
}

/** Serializes member-limit checks of one tenant until the end of the transaction. */
export async function lockMemberCount(tx: Tx, tenantId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`members:${tenantId}`}))`);
}
