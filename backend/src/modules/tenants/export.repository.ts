/** What a workspace export reads: everything of one tenant, inside its own scope (RLS applies). */
import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import {
  aiUsage,
  auditLogs,
  comments,
  invitations,
  memberships,
  projects,
  subscriptions,
  tasks,
  tenants,
  users,
} from '../../db/schema/index.ts';

export async function readTenantData(tx: Tx, tenantId: string) {
  const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
  const members = await tx
    .select({ id: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(memberships.createdAt));
  // The invitation id is the invitee's secret (it accepts the invitation): never exported.
  const invites = await tx
    .select({
      email: invitations.email,
      role: invitations.role,
      status: invitations.status,
      inviterId: invitations.inviterId,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      createdAt: invitations.createdAt,
    })
    .from(invitations)
    .where(eq(invitations.tenantId, tenantId))
    .orderBy(asc(invitations.createdAt));
  return {
    tenant,
    members,
    projects: await tx.select().from(projects).where(eq(projects.tenantId, tenantId)).orderBy(asc(projects.createdAt)),
    tasks: await tx.select().from(tasks).where(eq(tasks.tenantId, tenantId)).orderBy(asc(tasks.createdAt)),
    comments: await tx.select().from(comments).where(eq(comments.tenantId, tenantId)).orderBy(asc(comments.createdAt)),
    invitations: invites,
    auditLogs: await tx.select().from(auditLogs).where(eq(auditLogs.tenantId, tenantId)).orderBy(asc(auditLogs.createdAt)),
    subscription: (await tx.select().from(subscriptions).where(eq(subscriptions.tenantId, tenantId)))[0] ?? null,
    aiUsage: await tx.select().from(aiUsage).where(eq(aiUsage.tenantId, tenantId)).orderBy(asc(aiUsage.createdAt)),
  };
}
