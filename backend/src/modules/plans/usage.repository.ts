import { count, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { memberships, subscriptions, tenants, tenantUsage, tenantUsageDeltas } from '../../db/schema/index.ts';
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

const deltaInsert = compiledQuery<{ tenantId: string; metric: string; delta: number }, never>('usage_delta_insert', (tx) =>
  tx.insert(tenantUsageDeltas).values({
    tenantId: sql.placeholder('tenantId') as unknown as string,
    metric: sql.placeholder('metric') as unknown as string,
    delta: sql.placeholder('delta') as unknown as number,
  }),
);

/**
 * Takes one unit of `metric`. With a limit (`limit` >= 0): if the tenant is below it, atomically (the
 * counter's row lock serializes concurrent takers; atrium_take_usage, migration 0019), else it rejects
 * with an error for which isLimitReached is true and the transaction is aborted. Without a limit (-1):
 * appends a +1 to tenant_usage_deltas, which locks nothing that another create waits for. Either
 * statement is sent when this is called (before any await), so it can travel with the COMMIT
 * (db/tenant.ts, sendWithCommit).
 */
export function takeUsage(tx: Tx, tenantId: string, metric: string, limit: number): Promise<unknown> {
  return limit < 0 ? deltaInsert(tx, { tenantId, metric, delta: 1 }) : usageTake(tx, { tenantId, metric, limit });
}

/** Gives back `amount` units: a delta, folded into the counter later (no lock on the counter row). */
export async function releaseUsage(tx: Tx, tenantId: string, metric: string, amount = 1): Promise<void> {
  await deltaInsert(tx, { tenantId, metric, delta: -amount });
}

/**
 * Counter values as of now: each counter row plus its deltas not folded yet (never below zero). The
 * monthly AI token rows (ai.repository.ts) have no deltas and read as stored.
 */
export async function readUsage(tx: Tx, tenantId: string): Promise<Record<string, number>> {
  const [counters, pending] = await Promise.all([
    tx.select({ metric: tenantUsage.metric, value: tenantUsage.value }).from(tenantUsage).where(eq(tenantUsage.tenantId, tenantId)),
    tx
      .select({ metric: tenantUsageDeltas.metric, value: sql<number>`sum(${tenantUsageDeltas.delta})::int` })
      .from(tenantUsageDeltas)
      .where(eq(tenantUsageDeltas.tenantId, tenantId))
      .groupBy(tenantUsageDeltas.metric),
  ]);
  const usage: Record<string, number> = {};
  for (const { metric, value } of [...counters, ...pending]) usage[metric] = (usage[metric] ?? 0) + Number(value);
  for (const metric of Object.keys(usage)) usage[metric] = Math.max(usage[metric] ?? 0, 0);
  return usage;
}

export async function readUsageOf(tx: Tx, tenantId: string, metric: string): Promise<number> {
  return (await readUsage(tx, tenantId))[metric] ?? 0;
}

/**
 * Folds a tenant's deltas into its counters (atrium_fold_usage) and returns the metrics it folded.
 * Runs in the tenant's scope.
 */
export async function foldUsage(tx: Tx, tenantId: string): Promise<string[]> {
  const pending = await tx
    .selectDistinct({ metric: tenantUsageDeltas.metric })
    .from(tenantUsageDeltas)
    .where(eq(tenantUsageDeltas.tenantId, tenantId));
  for (const { metric } of pending) await tx.execute(sql`select atrium_fold_usage(${tenantId}, ${metric})`);
  return pending.map((p) => p.metric);
}

/** Tenants with deltas not folded yet (as the maintenance role), at most `limit` of them. */
export async function tenantsWithDeltas(tx: Tx, limit: number): Promise<string[]> {
  const rows = await tx.selectDistinct({ tenantId: tenantUsageDeltas.tenantId }).from(tenantUsageDeltas).limit(limit);
  return rows.map((r) => r.tenantId);
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
