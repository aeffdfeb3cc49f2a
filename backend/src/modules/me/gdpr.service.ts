/**
 * The user's rights over their data: an export of everything about them, and deleting the account
 * (after re-entering the password; workspaces they alone own must be transferred or deleted first).
 * Their tasks and comments stay with the workspaces (authorship is cleared); audit rows keep only the
 * now meaningless user id, so workspace histories stay complete without personal data.
 */
import { verifyPassword } from 'better-auth/crypto';
import type { AppDb } from '../../db/client.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { cacheKeys, invalidateCache } from '../../lib/cache.ts';
import { AppError, unauthorized } from '../../lib/errors.ts';
import { type Actor, recordAudit } from '../audit/audit.service.ts';
import { emitEvent } from '../events/events.service.ts';
import { findMembershipsOfUser, findUser } from '../tenants/tenants.repository.ts';
import * as repo from './me.repository.ts';

export async function exportUserData(db: AppDb, userId: string) {
  const base = await withScope(db, { userId }, async (tx) => {
    const user = await findUser(tx, userId);
    if (!user) throw unauthorized('This account no longer exists');
    return {
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        emailVerified: user.emailVerified,
        twoFactorEnabled: Boolean(user.twoFactorEnabled),
        createdAt: user.createdAt,
      },
      accounts: await repo.findAccounts(tx, userId),
      sessions: await repo.findSessions(tx, userId),
      memberships: await findMembershipsOfUser(tx, userId),
    };
  });
  const workspaces = [];
  for (const m of base.memberships) {
    const content = await withTenant(db, { tenantId: m.tenant.id, userId }, (tx) => repo.findUserContentInTenant(tx, m.tenant.id, userId));
    workspaces.push({
      tenant: { id: m.tenant.id, name: m.tenant.name, slug: m.tenant.slug },
      role: m.role,
      tasks: content.tasks.map(({ search: _s, ...t }) => ({
        ...t,
        createdBy: t.createdBy === userId ? userId : null,
        assigneeId: t.assigneeId === userId ? userId : null,
      })),
      comments: content.comments,
      actions: content.auditLogs.map((a) => ({
        action: a.action,
        targetType: a.targetType,
        targetId: a.targetId,
        ip: a.ip,
        userAgent: a.userAgent,
        at: a.createdAt,
      })),
    });
  }
  return { exportedAt: new Date().toISOString(), user: base.user, accounts: base.accounts, sessions: base.sessions, workspaces };
}

export async function deleteAccount(db: AppDb, actor: Actor & { id: string }, password: string) {
  const { hash, memberships } = await withScope(db, { userId: actor.id }, async (tx) => ({
    hash: await repo.findCredentialHash(tx, actor.id),
    memberships: await findMembershipsOfUser(tx, actor.id),
  }));
  if (!hash || !(await verifyPassword({ hash, password }))) throw unauthorized('Re-enter your password to delete your account');
  const blocking = [];
  for (const m of memberships) {
    if (m.role !== 'owner') continue;
    const owners = await withTenant(db, { tenantId: m.tenant.id }, (tx) => repo.countOwners(tx, m.tenant.id), { lookup: true });
    if (owners <= 1) blocking.push({ tenantId: m.tenant.id, name: m.tenant.name });
  }
  if (blocking.length > 0) {
    throw new AppError('conflict', 'Transfer or delete the workspaces you alone own first', { workspaces: blocking });
  }
  // Each workspace records the departure in its own audit log and live stream.
  for (const m of memberships) {
    await withTenant(db, { tenantId: m.tenant.id, userId: actor.id }, async (tx) => {
      await recordAudit(tx, m.tenant.id, actor, {
        action: 'member.removed',
        targetType: 'member',
        targetId: m.membershipId,
        metadata: { userId: actor.id, reason: 'account_deleted' },
      });
      await emitEvent(tx, m.tenant.id, { type: 'member.removed', entityId: m.membershipId, data: { userId: actor.id, role: m.role } });
    });
  }
  await withScope(db, { userId: actor.id }, (tx) => repo.deleteUserRow(tx, actor.id));
  // The memberships went with the user (foreign keys): forget the cached ones on every instance.
  await invalidateCache({ keys: memberships.map((m) => cacheKeys.membership(m.tenant.id, actor.id)) });
  return { deleted: true as const };
}
