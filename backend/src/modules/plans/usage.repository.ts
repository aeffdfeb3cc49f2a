import { and, count, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { memberships, subscriptions, tenants, tenantUsage } from '../../db/schema/index.ts';
import { hasSqlState } from '../../lib/errors.ts';

/** SQLSTATE of `atrium_take_usage` (migration 0018) when the plan's limit is reached. */
const LIMIT_REACHED = 'AT402';

export const isLimitReached = (err: unknown): boolean => hasSqlState(err, (code) => code === LIMIT_REACHED);

// Compiled (db/compiled.ts): every create takes one.
const usageTake = compiledQuery<{ tenantId: string; metric: string; limit: number }, { value: number }>('usage_take', (tx) =>
  tx
    .select({ value: sql<number>`taken` })
    .from(sql`atrium_take_usage(${sql.placeholder('tenantId')}, ${sql.placeholder('metric')}, ${sql.placeholder('limit')}::int) as taken`),
);

/**
 * Takes one unit of `metric` if the tenant is below `limit` (-1 = unlimited), atomically (the row lock
 * of the counter serializes concurrent takers); rejects with an error for which isLimitReached is true
 * when the limit is reached, and the transaction is then aborted. The statement is sent when this is
 * called (before any await), so it can travel with the COMMIT (db/tenant.ts, sendWithCommit).
 */
export function takeUsage(tx: Tx, tenantId: string, metric: string, limit: number): Promise<unknown> {
  return usageTake(tx, { tenantId, metric, limit });
}

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
