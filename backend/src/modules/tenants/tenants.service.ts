/**
 * Tenants, members and invitations: the rules. Every change runs in one scoped transaction with its
 * audit row (and any mail or job), so it happens completely or not at all.
 */
import type { AppDb, Tx } from '../../db/client.ts';
import type { Role } from '../../db/schema/index.ts';
import { enterTenant, withScope, withTenant } from '../../db/tenant.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { cached, cacheKeys } from '../../lib/cache.ts';
import { AppError, conflict, forbidden, hasSqlState, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Actor, recordAudit } from '../audit/audit.service.ts';
import { emitEvent } from '../events/events.service.ts';
import { queueMail } from '../mail/mail.jobs.ts';
import { assertMemberCapacity } from '../plans/limits.service.ts';
import { canAssignRole, type Permission, ROLE_PERMISSIONS } from './permissions.ts';
import * as repo from './tenants.repository.ts';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
export const PURGE_TENANT_JOB = 'tenant.purge';

export interface TenantContext {
  tenantId: string;
  /** The acting user; null when an API key acts. */
  userId: string | null;
  /** The member's role; null for an API key (which has scopes instead). */
  role: Role | null;
  membershipId: string | null;
  /** What this caller may do here: the role's permissions, or the API key's scopes mapped to permissions. */
  permissions: ReadonlySet<Permission>;
  actor: Actor;
}

/** The context a member acts in: their role and its permissions. */
export function memberContext(tenantId: string, userId: string, membership: { id: string; role: Role }, actor: Actor): TenantContext {
  return { tenantId, userId, role: membership.role, membershipId: membership.id, permissions: ROLE_PERMISSIONS[membership.role], actor };
}

export interface Deps {
  db: AppDb;
  jobs: JobQueue;
  webUrl: string;
}

const isUniqueViolation = (err: unknown) => hasSqlState(err, (code) => code === '23505');

export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return base.length >= 2 ? base : `workspace-${base}`.replace(/-+$/, '');
}

function toTenant(t: repo.TenantRow, role?: Role) {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    plan: t.plan,
    settings: t.settings,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    ...(role ? { role } : {}),
  };
}

export async function createTenant(deps: Deps, actor: Actor & { id: string }, data: { name: string; slug?: string }) {
  return withScope(deps.db, { userId: actor.id }, async (tx) => {
    const id = newId('ten');
    await enterTenant(tx, id);
    const candidates = data.slug
      ? [data.slug]
      : [slugify(data.name), ...Array.from({ length: 4 }, () => `${slugify(data.name)}-${newId('', 4).toLowerCase()}`)];
    let tenant: repo.TenantRow | undefined;
    for (const slug of candidates) {
      try {
        // A savepoint per attempt: a taken slug (unique violation) does not abort the transaction.
        tenant = await tx.transaction((sp) => repo.insertTenant(sp as Tx, { id, name: data.name, slug }));
        break;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    if (!tenant)
      throw conflict(data.slug ? `The slug "${data.slug}" is taken` : 'Could not find a free slug; choose one', { field: 'slug' });
    const membership = await repo.insertMembership(tx, { id: newId('mem'), tenantId: id, userId: actor.id, role: 'owner' });
    await recordAudit(tx, id, actor, {
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: id,
      metadata: { name: tenant.name, slug: tenant.slug },
    });
    await recordAudit(tx, id, actor, {
      action: 'member.joined',
      targetType: 'member',
      targetId: membership?.id,
      metadata: { userId: actor.id, role: 'owner' },
    });
    return toTenant(tenant, 'owner');
  });
}

export async function listTenantsOfUser(db: AppDb, userId: string) {
  return withScope(db, { userId }, async (tx) => (await repo.findMembershipsOfUser(tx, userId)).map((m) => toTenant(m.tenant, m.role)));
}

/** Membership and role of a user in a tenant (cached; invalidated on every instance by each change, so no stale grants). */
export async function resolveMembership(db: AppDb, tenantId: string, userId: string) {
  // Cached (lib/cache.ts); every change to a membership or tenant invalidates it on all instances.
  return cached('membership', cacheKeys.membership(tenantId, userId), MEMBERSHIP_TTL_SECONDS, () =>
    withScope(db, { tenantId, userId }, (tx) => repo.findMembership(tx, tenantId, userId), { lookup: true }),
  );
}

const MEMBERSHIP_TTL_SECONDS = 300;

export async function getTenant(db: AppDb, ctx: TenantContext) {
  return withTenant(db, ctx, async (tx) => {
    const t = await repo.findTenant(tx, ctx.tenantId);
    if (!t) throw notFound('Tenant');
    return toTenant(t, ctx.role ?? undefined);
  });
}

export async function updateTenant(
  db: AppDb,
  ctx: TenantContext,
  patch: { name?: string; slug?: string; settings?: Record<string, unknown> },
) {
  return withTenant(db, ctx, async (tx) => {
    const before = await repo.findTenant(tx, ctx.tenantId);
    if (!before) throw notFound('Tenant');
    let after: repo.TenantRow | undefined;
    try {
      after = await tx.transaction((sp) => repo.updateTenantRow(sp as Tx, ctx.tenantId, patch));
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`The slug "${patch.slug}" is taken`, { field: 'slug' });
      throw err;
    }
    if (!after) throw notFound('Tenant');
    const changed = Object.keys(patch).filter(
      (k) => JSON.stringify(before[k as keyof typeof before]) !== JSON.stringify(after[k as keyof typeof after]),
    );
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'tenant.updated',
      targetType: 'tenant',
      targetId: ctx.tenantId,
      metadata: { changed },
    });
    return toTenant(after, ctx.role ?? undefined);
  });
}

/** Marks the tenant deleted (it disappears at once for everyone) and queues the purge of its data. */
export async function deleteTenant(deps: Deps, ctx: TenantContext) {
  return withTenant(deps.db, ctx, async (tx) => {
    const deletedAt = new Date();
    const t = await repo.updateTenantRow(tx, ctx.tenantId, { deletedAt });
    if (!t) throw notFound('Tenant');
    await recordAudit(tx, ctx.tenantId, ctx.actor, { action: 'tenant.deleted', targetType: 'tenant', targetId: ctx.tenantId });
    await deps.jobs.send(PURGE_TENANT_JOB, { tenantId: ctx.tenantId }, { tx });
    return { id: ctx.tenantId, deletedAt: deletedAt.toISOString() };
  });
}

/** Job: removes a deleted tenant and everything that belongs to it (foreign keys cascade). */
export async function purgeTenant(db: AppDb, tenantId: string) {
  await withTenant(db, { tenantId }, async (tx) => {
    const row = await repo.findTenantIncludingDeleted(tx, tenantId);
    // Already purged, or restored: nothing to do (the job may run more than once).
    if (!row?.deletedAt) return;
    await repo.deleteTenantRow(tx, tenantId);
  });
}

function toMember(m: NonNullable<Awaited<ReturnType<typeof repo.findMember>>>) {
  return { id: m.id, userId: m.userId, email: m.email, name: m.name, role: m.role, joinedAt: m.createdAt.toISOString() };
}

export async function listMembers(db: AppDb, ctx: TenantContext) {
  return withTenant(db, ctx, async (tx) => (await repo.findMembers(tx, ctx.tenantId)).map(toMember));
}

async function ensureOwnerRemains(tx: Tx, tenantId: string, target: { role: Role }, newRole: Role | null) {
  if (target.role !== 'owner' || newRole === 'owner') return;
  if ((await repo.countOwnersForUpdate(tx, tenantId)) <= 1) {
    throw conflict('A workspace needs at least one owner; make someone else owner first');
  }
}

export async function changeMemberRole(db: AppDb, ctx: TenantContext, memberId: string, role: Role) {
  return withTenant(db, ctx, async (tx) => {
    const target = await repo.findMember(tx, ctx.tenantId, memberId);
    if (!target) throw notFound('Member');
    if (!ctx.role || !canAssignRole(ctx.role, target.role) || !canAssignRole(ctx.role, role)) {
      throw forbidden(`Your role (${ctx.role}) cannot change a ${target.role} into a ${role}`);
    }
    if (target.role === role) return toMember(target);
    await ensureOwnerRemains(tx, ctx.tenantId, target, role);
    await repo.updateMemberRole(tx, ctx.tenantId, memberId, role);
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'member.role_changed',
      targetType: 'member',
      targetId: memberId,
      metadata: { userId: target.userId, from: target.role, to: role },
    });
    await emitEvent(tx, ctx.tenantId, {
      type: 'member.role_changed',
      entityId: memberId,
      data: { userId: target.userId, from: target.role, to: role },
    });
    return toMember({ ...target, role });
  });
}

export async function removeMember(db: AppDb, ctx: TenantContext, memberId: string) {
  return withTenant(db, ctx, async (tx) => {
    const target = await repo.findMember(tx, ctx.tenantId, memberId);
    if (!target) throw notFound('Member');
    const leaving = target.userId === ctx.userId;
    if (!leaving && (!ctx.role || !canAssignRole(ctx.role, target.role)))
      throw forbidden(`Your role (${ctx.role}) cannot remove a ${target.role}`);
    await ensureOwnerRemains(tx, ctx.tenantId, target, null);
    await repo.deleteMember(tx, ctx.tenantId, memberId);
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'member.removed',
      targetType: 'member',
      targetId: memberId,
      metadata: { userId: target.userId, role: target.role, left: leaving },
    });
    await emitEvent(tx, ctx.tenantId, { type: 'member.removed', entityId: memberId, data: { userId: target.userId, role: target.role } });
    return { id: memberId, removed: true as const };
  });
}

function toInvitation(i: repo.InvitationRow) {
  const expired = i.status === 'pending' && i.expiresAt.getTime() <= Date.now();
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    status: expired ? ('expired' as const) : i.status,
    invitedBy: i.inviterId,
    expiresAt: i.expiresAt.toISOString(),
    createdAt: i.createdAt.toISOString(),
  };
}

export async function createInvitation(deps: Deps, ctx: TenantContext, data: { email: string; role: Role }) {
  if (!ctx.role || !canAssignRole(ctx.role, data.role)) throw forbidden(`Your role (${ctx.role}) cannot invite someone as ${data.role}`);
  const email = data.email.trim().toLowerCase();
  return withTenant(deps.db, ctx, async (tx) => {
    const tenant = await repo.findTenant(tx, ctx.tenantId);
    if (!tenant) throw notFound('Tenant');
    if (await repo.isMemberByEmail(tx, ctx.tenantId, email)) throw conflict(`${email} is already a member`);
    await assertMemberCapacity(tx, ctx.tenantId);
    const inv = await repo.insertInvitation(tx, {
      id: newId('inv'),
      tenantId: ctx.tenantId,
      email,
      role: data.role,
      inviterId: ctx.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'member.invited',
      targetType: 'invitation',
      targetId: inv.id,
      metadata: { email, role: data.role },
    });
    const link = `${deps.webUrl}/invitations/${inv.id}`;
    await queueMail(
      deps.jobs,
      {
        to: email,
        subject: `You're invited to ${tenant.name} on Atrium`,
        text: `You have been invited to join the workspace "${tenant.name}" on Atrium as ${data.role}.\n\nAccept the invitation: ${link}\n\nThe invitation expires in 7 days. Sign in (or sign up) with ${email} to accept it.`,
      },
      tx,
    );
    return toInvitation(inv);
  });
}

export async function listInvitations(db: AppDb, ctx: TenantContext) {
  return withTenant(db, ctx, async (tx) => (await repo.findPendingInvitations(tx, ctx.tenantId)).map(toInvitation));
}

export async function revokeInvitation(db: AppDb, ctx: TenantContext, invitationId: string) {
  return withTenant(db, ctx, async (tx) => {
    const inv = await repo.findInvitation(tx, invitationId, ctx.tenantId);
    if (!inv) throw notFound('Invitation');
    if (inv.status !== 'pending') throw conflict(`The invitation is already ${inv.status}`);
    if (!ctx.role || !canAssignRole(ctx.role, inv.role))
      throw forbidden(`Your role (${ctx.role}) cannot revoke an invitation as ${inv.role}`);
    await repo.updateInvitation(tx, inv.id, { status: 'revoked' });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'invitation.revoked',
      targetType: 'invitation',
      targetId: inv.id,
      metadata: { email: inv.email },
    });
    return toInvitation({ ...inv, status: 'revoked' });
  });
}

/**
 * Accepting: only the signed-in user whose verified email is the invited one, once, within 7 days.
 * Anything else answers 404 (no hint that the invitation exists) or 409/403 with the reason.
 */
export async function acceptInvitation(db: AppDb, actor: Actor & { id: string }, invitationId: string) {
  return withScope(db, { userId: actor.id, invitationId }, async (tx) => {
    const inv = await repo.findInvitation(tx, invitationId);
    const user = await repo.findUser(tx, actor.id);
    if (!inv || !user) throw notFound('Invitation');
    if (user.email.toLowerCase() !== inv.email.toLowerCase()) throw notFound('Invitation');
    if (!user.emailVerified) throw forbidden('Verify your email address before accepting an invitation');
    if (inv.status !== 'pending') throw conflict(`This invitation was already ${inv.status}`);
    if (inv.expiresAt.getTime() <= Date.now()) throw new AppError('conflict', 'This invitation has expired; ask for a new one');
    await enterTenant(tx, inv.tenantId);
    const tenant = await repo.findTenant(tx, inv.tenantId);
    if (!tenant) throw notFound('Invitation');
    if (await repo.findMembership(tx, inv.tenantId, actor.id)) throw conflict('You are already a member of this workspace');
    await assertMemberCapacity(tx, inv.tenantId);
    const membership = await repo.insertMembership(tx, { id: newId('mem'), tenantId: inv.tenantId, userId: actor.id, role: inv.role });
    await repo.updateInvitation(tx, inv.id, { status: 'accepted', acceptedAt: new Date() });
    await recordAudit(tx, inv.tenantId, actor, {
      action: 'member.joined',
      targetType: 'member',
      targetId: membership?.id,
      metadata: { userId: actor.id, role: inv.role, invitationId: inv.id },
    });
    await emitEvent(tx, inv.tenantId, {
      type: 'member.joined',
      entityId: membership?.id ?? '',
      data: { userId: actor.id, role: inv.role },
    });
    return { tenant: toTenant(tenant, inv.role), membershipId: membership?.id ?? '' };
  });
}
