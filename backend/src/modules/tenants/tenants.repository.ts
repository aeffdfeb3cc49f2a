import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { invitations, memberships, type Role, tenants, users } from '../../db/schema/index.ts';
import { cacheKeys, invalidateCache } from '../../lib/cache.ts';

export type TenantRow = typeof tenants.$inferSelect;

export async function insertTenant(tx: Tx, row: typeof tenants.$inferInsert) {
  const [tenant] = await tx.insert(tenants).values(row).returning();
  return tenant as TenantRow;
}

export async function findTenant(tx: Tx, tenantId: string) {
  const [row] = await tx
    .select()
    .from(tenants)
    .where(and(eq(tenants.id, tenantId), isNull(tenants.deletedAt)));
  return row;
}

export async function findTenantIncludingDeleted(tx: Tx, tenantId: string) {
  const [row] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
  return row;
}

export async function updateTenantRow(
  tx: Tx,
  tenantId: string,
  patch: Partial<Pick<TenantRow, 'name' | 'slug' | 'settings' | 'logo' | 'deletedAt'>>,
) {
  const [row] = await tx
    .update(tenants)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(tenants.id, tenantId))
    .returning();
  // Deleting (or restoring) a tenant changes every membership lookup in it.
  if ('deletedAt' in patch) await invalidateTenantCaches(tenantId);
  return row;
}

export async function deleteTenantRow(tx: Tx, tenantId: string) {
  await tx.delete(tenants).where(eq(tenants.id, tenantId));
  await invalidateTenantCaches(tenantId);
}

function invalidateTenantCaches(tenantId: string) {
  return invalidateCache({ keys: [cacheKeys.entitlements(tenantId)], prefixes: [cacheKeys.memberships(tenantId)] });
}

/** The user's memberships with their tenants (RLS: rows where user_id is the scope's user). */
export async function findMembershipsOfUser(tx: Tx, userId: string) {
  return tx
    .select({ tenant: tenants, role: memberships.role, membershipId: memberships.id })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), isNull(tenants.deletedAt)))
    .orderBy(asc(tenants.name));
}

export async function findMembership(tx: Tx, tenantId: string, userId: string) {
  const [row] = await tx
    .select({ id: memberships.id, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId), isNull(tenants.deletedAt)));
  return row;
}

export async function insertMembership(tx: Tx, row: typeof memberships.$inferInsert) {
  const [m] = await tx.insert(memberships).values(row).returning();
  await invalidateCache({ keys: [cacheKeys.membership(row.tenantId, row.userId)] });
  return m;
}

const memberColumns = {
  id: memberships.id,
  tenantId: memberships.tenantId,
  userId: memberships.userId,
  role: memberships.role,
  createdAt: memberships.createdAt,
  email: users.email,
  name: users.name,
};

export async function findMembers(tx: Tx, tenantId: string) {
  return tx
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(memberships.createdAt), asc(memberships.id));
}

export async function findMember(tx: Tx, tenantId: string, memberId: string) {
  const [row] = await tx
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.id, memberId)));
  return row;
}

export async function updateMemberRole(tx: Tx, tenantId: string, memberId: string, role: Role) {
  const changed = await tx
    .update(memberships)
    .set({ role, updatedAt: new Date() })
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.id, memberId)))
    .returning({ userId: memberships.userId });
  await invalidateCache({ keys: changed.map((m) => cacheKeys.membership(tenantId, m.userId)) });
}

export async function deleteMember(tx: Tx, tenantId: string, memberId: string) {
  const removed = await tx
    .delete(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.id, memberId)))
    .returning({ userId: memberships.userId });
  await invalidateCache({ keys: removed.map((m) => cacheKeys.membership(tenantId, m.userId)) });
}

/** Owners, locked for the rest of the transaction so two concurrent demotions cannot both pass. */
export async function countOwnersForUpdate(tx: Tx, tenantId: string): Promise<number> {
  const rows = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'owner')))
    .for('update');
  return rows.length;
}

export async function isMemberByEmail(tx: Tx, tenantId: string, email: string) {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), sql`lower(${users.email}) = ${email.toLowerCase()}`));
  return (row?.n ?? 0) > 0;
}

export type InvitationRow = typeof invitations.$inferSelect;

export async function insertInvitation(tx: Tx, row: typeof invitations.$inferInsert) {
  const [inv] = await tx.insert(invitations).values(row).returning();
  return inv as InvitationRow;
}

export async function findPendingInvitations(tx: Tx, tenantId: string) {
  return tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.status, 'pending')))
    .orderBy(desc(invitations.createdAt), desc(invitations.id));
}

export async function findInvitation(tx: Tx, invitationId: string, tenantId?: string) {
  const [row] = await tx
    .select()
    .from(invitations)
    .where(tenantId ? and(eq(invitations.id, invitationId), eq(invitations.tenantId, tenantId)) : eq(invitations.id, invitationId));
  return row;
}

export async function updateInvitation(tx: Tx, invitationId: string, patch: Partial<Pick<InvitationRow, 'status' | 'acceptedAt'>>) {
  await tx
    .update(invitations)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(invitations.id, invitationId));
}

export async function findUser(tx: Tx, userId: string) {
  const [row] = await tx.select().from(users).where(eq(users.id, userId));
  return row;
}
