/**
 * The few queries the seed needs that no service offers: identity rows (no RLS; Better Auth owns
 * them) and the tenant's plan (billing has no service yet).
 */
import { eq, sql } from 'drizzle-orm';
import { cacheKeys, invalidateCache } from '../../lib/cache.ts';
import type { AppDb, Executor } from '../client.ts';
import { tenants, users } from '../schema/index.ts';

export async function findUserByEmail(db: Executor, email: string) {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, emailVerified: users.emailVerified })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return row;
}

/** Marks an address as confirmed (the demo users have no mailbox to click a link in). */
export async function markEmailVerified(db: AppDb, userId: string) {
  await db.update(users).set({ emailVerified: true, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function countUsers(db: AppDb): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

export async function setTenantPlan(db: Executor, tenantId: string, plan: string) {
  await db.update(tenants).set({ plan, updatedAt: new Date() }).where(eq(tenants.id, tenantId));
  await invalidateCache({ keys: [cacheKeys.entitlements(tenantId)] });
}
