import { and, eq, or } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { accounts, auditLogs, comments, memberships, sessions, tasks, users } from '../../db/schema/index.ts';

export async function findAccounts(tx: Tx, userId: string) {
  return tx
    .select({ providerId: accounts.providerId, accountId: accounts.accountId, createdAt: accounts.createdAt })
    .from(accounts)
    .where(eq(accounts.userId, userId));
}

export async function findCredentialHash(tx: Tx, userId: string) {
  const [row] = await tx
    .select({ password: accounts.password })
    .from(accounts)
    .where(and(eq(accounts.userId, userId), eq(accounts.providerId, 'credential')));
  return row?.password ?? null;
}

export async function findSessions(tx: Tx, userId: string) {
  return tx
    .select({ ipAddress: sessions.ipAddress, userAgent: sessions.userAgent, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(eq(sessions.userId, userId));
}

/** Inside one tenant's scope: what belongs to or concerns the user there. */
export async function findUserContentInTenant(tx: Tx, tenantId: string, userId: string) {
  const ownTasks = await tx
    .select()
    .from(tasks)
    .where(and(eq(tasks.tenantId, tenantId), or(eq(tasks.createdBy, userId), eq(tasks.assigneeId, userId))));
  const ownComments = await tx
    .select()
    .from(comments)
    .where(and(eq(comments.tenantId, tenantId), eq(comments.authorId, userId)));
  const actions = await tx
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.tenantId, tenantId), eq(auditLogs.actorId, userId)));
  return { tasks: ownTasks, comments: ownComments, auditLogs: actions };
}

export async function countOwners(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'owner')));
  return rows.length;
}

/** Deletes the account; sessions, accounts, 2FA secrets and memberships go with it (foreign keys). */
export async function deleteUserRow(tx: Tx, userId: string) {
  await tx.delete(users).where(eq(users.id, userId));
}
