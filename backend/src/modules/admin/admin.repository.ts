/**
 * Platform administration queries. Cross-tenant reads run as the read-only `atrium_metrics` role
 * (`withMetrics`); writes (bans, the platform audit log) as the application role.
 */
import { and, desc, eq, ilike, lt, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { AppDb, Executor, Tx } from '../../db/client.ts';
import { memberships, platformAuditLogs, sessions, subscriptions, tenants, users } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';

const rows = <T>(r: unknown) => (r as { rows: T[] }).rows;

/** created_at as exact UTC text (microseconds), for keyset cursors. */
const exactAt = (column: AnyPgColumn) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface Keyset {
  at: string;
  id: string;
}

const escapeLike = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The ban state the auth plugin checks for JWTs (root handle: one primary-key read, no RLS on users). */
export async function findBanState(db: AppDb, userId: string) {
  const [row] = await db.select({ banned: users.banned, banExpires: users.banExpires }).from(users).where(eq(users.id, userId));
  return row;
}

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  emailVerified: users.emailVerified,
  role: users.role,
  banned: users.banned,
  banReason: users.banReason,
  banExpires: users.banExpires,
  createdAt: users.createdAt,
  cursorAt: exactAt(users.createdAt),
  // Written out: inside a sub-select drizzle would print the outer column unqualified ("id" = m.id).
  workspaceCount: sql<number>`(select count(*)::int from memberships m where m.user_id = "users"."id")`,
};

export type AdminUserRow = Awaited<ReturnType<typeof findUsers>>[number];

export async function findUsers(tx: Tx, f: { q?: string; limit: number; cursor?: Keyset }) {
  const conditions: (SQL | undefined)[] = [
    f.q ? or(ilike(users.email, escapeLike(f.q)), ilike(users.name, escapeLike(f.q))) : undefined,
    f.cursor
      ? or(
          sql`${users.createdAt} < ${f.cursor.at}::timestamptz`,
          and(sql`${users.createdAt} = ${f.cursor.at}::timestamptz`, lt(users.id, f.cursor.id)),
        )
      : undefined,
  ];
  return tx
    .select(userColumns)
    .from(users)
    .where(and(...conditions))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(f.limit + 1);
}

export async function findAdminUser(tx: Executor, userId: string) {
  const [row] = await tx.select(userColumns).from(users).where(eq(users.id, userId));
  return row;
}

export async function findUserByEmail(tx: Executor, email: string) {
  const [row] = await tx.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return row;
}

export async function setUserRole(tx: Executor, userId: string, role: 'user' | 'admin') {
  await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function setBan(tx: Tx, userId: string, ban: { banned: boolean; reason: string | null; expires: Date | null }) {
  await tx
    .update(users)
    .set({ banned: ban.banned, banReason: ban.reason, banExpires: ban.expires, updatedAt: new Date() })
    .where(eq(users.id, userId));
}

/** Signs the user out everywhere (their JWTs are refused by the auth plugin's ban check). */
export async function deleteSessionsOfUser(tx: Tx, userId: string) {
  await tx.delete(sessions).where(eq(sessions.userId, userId));
}

/** The workspaces a user belongs to (read as the metrics role, across tenants). */
export async function findTenantIdsOfUser(tx: Tx, userId: string) {
  const list = await tx
    .select({ tenantId: memberships.tenantId })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), sql`${tenants.deletedAt} is null`));
  return list.map((r) => r.tenantId);
}

export type PlatformAuditInsert = Omit<typeof platformAuditLogs.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

export async function insertPlatformAudit(tx: Tx, row: PlatformAuditInsert) {
  await tx.insert(platformAuditLogs).values({ id: newId('paud'), ...row });
}

export async function findPlatformAudit(tx: Tx, filter: { targetId?: string; limit: number }) {
  return tx
    .select()
    .from(platformAuditLogs)
    .where(filter.targetId ? eq(platformAuditLogs.targetId, filter.targetId) : undefined)
    .orderBy(desc(platformAuditLogs.createdAt), desc(platformAuditLogs.id))
    .limit(filter.limit);
}

export async function findTenants(tx: Tx, f: { q?: string; limit: number; cursor?: Keyset }) {
  const conditions: (SQL | undefined)[] = [
    sql`${tenants.deletedAt} is null`,
    f.q ? or(ilike(tenants.name, escapeLike(f.q)), ilike(tenants.slug, escapeLike(f.q))) : undefined,
    f.cursor
      ? or(
          sql`${tenants.createdAt} < ${f.cursor.at}::timestamptz`,
          and(sql`${tenants.createdAt} = ${f.cursor.at}::timestamptz`, lt(tenants.id, f.cursor.id)),
        )
      : undefined,
  ];
  return tx
    .select({
      id: tenants.id,
      name: tenants.name,
      slug: tenants.slug,
      plan: tenants.plan,
      createdAt: tenants.createdAt,
      cursorAt: exactAt(tenants.createdAt),
      memberCount: sql<number>`(select count(*)::int from memberships m where m.tenant_id = "tenants"."id")`,
      subscriptionStatus: sql<string | null>`(select s.status from subscriptions s where s.tenant_id = "tenants"."id" limit 1)`,
    })
    .from(tenants)
    .where(and(...conditions))
    .orderBy(desc(tenants.createdAt), desc(tenants.id))
    .limit(f.limit + 1);
}

export async function findSubscriptions(tx: Tx, f: { status?: string; plan?: string; limit: number; cursor?: Keyset }) {
  const conditions: (SQL | undefined)[] = [
    f.status ? eq(subscriptions.status, f.status as typeof subscriptions.$inferSelect.status) : undefined,
    f.plan ? eq(subscriptions.planId, f.plan) : undefined,
    f.cursor
      ? or(
          sql`${subscriptions.createdAt} < ${f.cursor.at}::timestamptz`,
          and(sql`${subscriptions.createdAt} = ${f.cursor.at}::timestamptz`, lt(subscriptions.id, f.cursor.id)),
        )
      : undefined,
  ];
  return tx
    .select({
      id: subscriptions.id,
      tenantId: subscriptions.tenantId,
      tenantName: tenants.name,
      plan: subscriptions.planId,
      status: subscriptions.status,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd,
      provider: subscriptions.provider,
      cursorAt: exactAt(subscriptions.createdAt),
    })
    .from(subscriptions)
    .innerJoin(tenants, eq(tenants.id, subscriptions.tenantId))
    .where(and(...conditions))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(f.limit + 1);
}

/** Platform-wide business figures (as the metrics role). */
export async function readPlatformMetrics(tx: Tx) {
  const [counts] = rows<{ users: number; s7: number; s30: number; tenants: number; dau: number; wau: number }>(
    await tx.execute(sql`
      select
        (select count(*)::int from users) as users,
        (select count(*)::int from users where created_at > now() - interval '7 days') as s7,
        (select count(*)::int from users where created_at > now() - interval '30 days') as s30,
        (select count(*)::int from tenants where deleted_at is null) as tenants,
        (select count(distinct user_id)::int from sessions where updated_at > now() - interval '1 day') as dau,
        (select count(distinct user_id)::int from sessions where updated_at > now() - interval '7 days') as wau`),
  );
  const subs = rows<{ plan: string; n: number; mrr: string }>(
    await tx.execute(sql`
      select s.plan_id as plan, count(*)::int as n,
        coalesce(sum(case when s.interval = 'yearly' then p.price_yearly_cents / 12.0 else p.price_monthly_cents end * s.seats), 0)::bigint as mrr
      from subscriptions s join plans p on p.id = s.plan_id
      where s.status in ('active', 'trialing', 'past_due') and s.plan_id <> 'free'
      group by s.plan_id`),
  );
  const ai = rows<{ model: string; tokens: string; cost: string }>(
    await tx.execute(sql`
      select coalesce(model, 'none') as model, sum(input_tokens + output_tokens)::bigint as tokens, sum(cost_micros)::bigint as cost
      from ai_usage where created_at > now() - interval '30 days' group by 1 order by 3 desc`),
  );
  return {
    users: counts?.users ?? 0,
    signupsLast7Days: counts?.s7 ?? 0,
    signupsLast30Days: counts?.s30 ?? 0,
    tenants: counts?.tenants ?? 0,
    dailyActiveUsers: counts?.dau ?? 0,
    weeklyActiveUsers: counts?.wau ?? 0,
    subscriptions: subs.map((s) => ({ plan: s.plan, count: s.n, mrrCents: Number(s.mrr) })),
    ai: ai.map((a) => ({ model: a.model, tokens: Number(a.tokens), costMicros: Number(a.cost) })),
  };
}

export async function hasStatStatements(tx: Tx): Promise<boolean> {
  return rows(await tx.execute(sql`select 1 from pg_extension where extname = 'pg_stat_statements'`)).length > 0;
}

/** Top statements of this database by total execution time (pg_stat_statements, PostgreSQL 13+). */
export async function findTopStatements(tx: Tx, limit: number) {
  return rows<{ query: string | null; calls: string; total_ms: number; mean_ms: number; rows: string }>(
    await tx.execute(sql`
      select query, calls, total_exec_time as total_ms, mean_exec_time as mean_ms, rows
      from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
      order by total_exec_time desc
      limit ${limit}`),
  );
}
