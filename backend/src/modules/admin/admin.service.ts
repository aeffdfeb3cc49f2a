/**
 * Platform administration: search users and tenants, ban/unban, impersonate, subscriptions, business
 * figures and top queries. Every write is recorded in the platform audit log (`platform_audit_logs`)
 * in the same transaction; impersonation is also recorded in the audit log of every workspace the
 * impersonated user belongs to, so that workspace sees who acted as its member.
 */
import { APIError } from 'better-auth/api';
import type { AppDb, Database, Tx } from '../../db/client.ts';
import { enterTenant, withMetrics, withScope } from '../../db/tenant.ts';
import { AppError, conflict, forbidden, notFound } from '../../lib/errors.ts';
import type { PlatformAdmin } from '../../plugins/platform-admin.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Auth } from '../auth/auth.ts';
import * as repo from './admin.repository.ts';

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function encodeCursor(row: { cursorAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.cursorAt, row.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): repo.Keyset | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof at !== 'string' || typeof id !== 'string' || !CURSOR_AT.test(at)) throw new Error('bad cursor');
    if (new Date(`${at.slice(0, 19)}Z`).toISOString().slice(0, 19) !== at.slice(0, 19)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new AppError('validation_error', 'Invalid cursor', [{ location: 'querystring', path: 'cursor', message: 'Invalid cursor' }]);
  }
}

function page<T extends { cursorAt: string; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export function toAdminUser(u: repo.AdminUserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    emailVerified: u.emailVerified,
    role: u.role === 'admin' ? ('admin' as const) : ('user' as const),
    banned: u.banned,
    banReason: u.banReason,
    banExpires: u.banExpires?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    workspaceCount: u.workspaceCount,
  };
}

export async function searchUsers(db: AppDb, q: { q?: string; limit: number; cursor?: string }) {
  const rows = await withMetrics(db, (tx) => repo.findUsers(tx, { q: q.q, limit: q.limit, cursor: decodeCursor(q.cursor) }));
  const p = page(rows, q.limit);
  return { items: p.items.map(toAdminUser), nextCursor: p.nextCursor };
}

async function adminUserOrThrow(db: AppDb, userId: string) {
  const user = await withMetrics(db, (tx) => repo.findAdminUser(tx, userId));
  if (!user) throw notFound('User');
  return user;
}

function platformEntry(admin: PlatformAdmin, userAgent: string | null) {
  return {
    actorId: admin.userId,
    actorEmail: admin.email,
    ip: admin.ip,
    userAgent: userAgent?.slice(0, 512) ?? null,
    requestId: admin.requestId,
  };
}

export interface AdminDeps {
  db: AppDb;
  /** Forgets a cached ban state in this process (the auth plugin's JWT check). */
  forgetBan: (userId: string) => void;
}

export async function banUser(
  deps: AdminDeps,
  admin: PlatformAdmin,
  userAgent: string | null,
  userId: string,
  body: { reason: string; expiresInDays?: number },
) {
  if (userId === admin.userId) throw conflict('You cannot ban yourself');
  const target = await adminUserOrThrow(deps.db, userId);
  const expires = body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 24 * 3600 * 1000) : null;
  await withScope(deps.db, { userId: admin.userId }, async (tx) => {
    await repo.setBan(tx, userId, { banned: true, reason: body.reason, expires });
    await repo.deleteSessionsOfUser(tx, userId);
    await repo.insertPlatformAudit(tx, {
      ...platformEntry(admin, userAgent),
      action: 'admin.user_banned',
      targetType: 'user',
      targetId: userId,
      metadata: { email: target.email, reason: body.reason, expiresAt: expires?.toISOString() ?? null },
    });
  });
  deps.forgetBan(userId);
  return toAdminUser(await adminUserOrThrow(deps.db, userId));
}

export async function unbanUser(deps: AdminDeps, admin: PlatformAdmin, userAgent: string | null, userId: string) {
  const target = await adminUserOrThrow(deps.db, userId);
  await withScope(deps.db, { userId: admin.userId }, async (tx) => {
    await repo.setBan(tx, userId, { banned: false, reason: null, expires: null });
    await repo.insertPlatformAudit(tx, {
      ...platformEntry(admin, userAgent),
      action: 'admin.user_unbanned',
      targetType: 'user',
      targetId: userId,
      metadata: { email: target.email, previousReason: target.banReason },
    });
  });
  deps.forgetBan(userId);
  return toAdminUser(await adminUserOrThrow(deps.db, userId));
}

/** Writes an impersonation event to the platform log and to the audit log of each of the target's workspaces. */
async function recordImpersonation(
  db: AppDb,
  admin: PlatformAdmin,
  userAgent: string | null,
  action: 'admin.impersonation_started' | 'admin.impersonation_stopped',
  target: { id: string; email: string },
  metadata: Record<string, unknown>,
) {
  const tenantIds = await withMetrics(db, (tx) => repo.findTenantIdsOfUser(tx, target.id));
  await withScope(db, { userId: admin.userId }, async (tx: Tx) => {
    await repo.insertPlatformAudit(tx, {
      ...platformEntry(admin, userAgent),
      action,
      targetType: 'user',
      targetId: target.id,
      metadata: { ...metadata, email: target.email, tenantIds },
    });
    for (const tenantId of tenantIds) {
      await enterTenant(tx, tenantId);
      await recordAudit(
        tx,
        tenantId,
        { type: 'user', id: admin.userId, ip: admin.ip, userAgent, requestId: admin.requestId },
        {
          action,
          targetType: 'user',
          targetId: target.id,
          metadata: { ...metadata, platformAdmin: true, adminEmail: admin.email, impersonatedUserId: target.id },
        },
      );
    }
  });
}

/** Maps Better Auth's admin plugin errors to the API's catalogue. */
function mapAuthError(err: unknown): never {
  if (err instanceof APIError) {
    const code = (err.body as { code?: string } | undefined)?.code ?? '';
    const message = (err.body as { message?: string } | undefined)?.message ?? err.message;
    if (code === 'BANNED_USER') throw conflict('This user is banned; lift the ban before impersonating them');
    if (code === 'YOU_CANNOT_IMPERSONATE_ADMINS') throw forbidden('Platform administrators cannot be impersonated');
    if (err.statusCode === 404) throw notFound('User');
    if (err.statusCode === 401) throw new AppError('unauthorized', message || 'Authentication required');
    if (err.statusCode === 403) throw forbidden(message || undefined);
    if (err.statusCode === 400) throw conflict(message || 'Request refused');
  }
  throw err;
}

export interface ImpersonationDeps {
  db: AppDb;
  auth: Auth;
}

/**
 * Starts an impersonation session (Better Auth admin plugin, IMPERSONATION_SECONDS long) for the
 * admin's browser session: Better Auth keeps the admin's own session aside (signed `admin_session`
 * cookie) and sets the session cookie of the new one. The caller must therefore use a session cookie.
 */
export async function startImpersonation(
  deps: ImpersonationDeps,
  admin: PlatformAdmin,
  request: { headers: Headers; userAgent: string | null; via: 'jwt' | 'session' },
  userId: string,
  reason: string,
) {
  if (request.via !== 'session') throw forbidden('Impersonation needs a browser session (session cookie), not a bearer token');
  if (userId === admin.userId) throw conflict('You cannot impersonate yourself');
  const target = await adminUserOrThrow(deps.db, userId);
  let result: { headers: Headers; response: { session: { expiresAt: Date | string } } };
  try {
    result = (await deps.auth.api.impersonateUser({ body: { userId }, headers: request.headers, returnHeaders: true })) as typeof result;
  } catch (err) {
    mapAuthError(err);
  }
  const expiresAt = new Date(result.response.session.expiresAt).toISOString();
  await recordImpersonation(deps.db, admin, request.userAgent, 'admin.impersonation_started', target, { reason, expiresAt });
  return {
    data: { impersonating: { userId: target.id, email: target.email }, expiresAt },
    cookies: result.headers.getSetCookie(),
  };
}

/** Ends the impersonation session of this request and restores the admin's own session. */
export async function stopImpersonation(
  deps: ImpersonationDeps,
  principal: { userId: string; via: 'jwt' | 'session'; impersonatedBy?: string | null },
  request: { headers: Headers; userAgent: string | null; ip: string; requestId: string },
) {
  if (principal.via !== 'session' || !principal.impersonatedBy) throw conflict('This session is not impersonating anyone');
  const adminUser = await adminUserOrThrow(deps.db, principal.impersonatedBy);
  const target = await adminUserOrThrow(deps.db, principal.userId);
  let result: { headers: Headers };
  try {
    result = (await deps.auth.api.stopImpersonating({ headers: request.headers, returnHeaders: true })) as typeof result;
  } catch (err) {
    mapAuthError(err);
  }
  const admin: PlatformAdmin = { userId: adminUser.id, email: adminUser.email, ip: request.ip, requestId: request.requestId };
  await recordImpersonation(deps.db, admin, request.userAgent, 'admin.impersonation_stopped', target, {});
  return { data: { restored: { userId: adminUser.id, email: adminUser.email } }, cookies: result.headers.getSetCookie() };
}

export async function searchTenants(db: AppDb, q: { q?: string; limit: number; cursor?: string }) {
  const rows = await withMetrics(db, (tx) => repo.findTenants(tx, { q: q.q, limit: q.limit, cursor: decodeCursor(q.cursor) }));
  const p = page(rows, q.limit);
  return {
    items: p.items.map((t) => ({
      id: t.id,
      name: t.name,
      slug: t.slug,
      plan: t.plan,
      memberCount: t.memberCount,
      subscriptionStatus: t.subscriptionStatus,
      createdAt: t.createdAt.toISOString(),
    })),
    nextCursor: p.nextCursor,
  };
}

export async function listSubscriptions(db: AppDb, q: { status?: string; plan?: string; limit: number; cursor?: string }) {
  const rows = await withMetrics(db, (tx) => repo.findSubscriptions(tx, { ...q, cursor: decodeCursor(q.cursor) }));
  const p = page(rows, q.limit);
  return {
    items: p.items.map((s) => ({
      tenantId: s.tenantId,
      tenantName: s.tenantName,
      plan: s.plan,
      status: s.status,
      currentPeriodEnd: s.currentPeriodEnd?.toISOString() ?? null,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      provider: s.provider,
    })),
    nextCursor: p.nextCursor,
  };
}

export async function getMetrics(db: AppDb) {
  const m = await withMetrics(db, (tx) => repo.readPlatformMetrics(tx));
  return {
    users: m.users,
    signupsLast7Days: m.signupsLast7Days,
    signupsLast30Days: m.signupsLast30Days,
    tenants: m.tenants,
    dailyActiveUsers: m.dailyActiveUsers,
    weeklyActiveUsers: m.weeklyActiveUsers,
    activeSubscriptionsByPlan: Object.fromEntries(m.subscriptions.map((s) => [s.plan, s.count])),
    mrrCentsByPlan: Object.fromEntries(m.subscriptions.map((s) => [s.plan, s.mrrCents])),
    mrrCents: m.subscriptions.reduce((sum, s) => sum + s.mrrCents, 0),
    aiLast30Days: {
      tokens: m.ai.reduce((sum, a) => sum + a.tokens, 0),
      costMicros: m.ai.reduce((sum, a) => sum + a.costMicros, 0),
      byModel: m.ai,
    },
  };
}

export const TOP_QUERIES = 20;

/** Top statements by total time from pg_stat_statements, when this database has it. */
export async function topQueries(database: Database) {
  const none = (reason: string) => ({ available: false, reason, queries: [] });
  if (database.kind === 'pglite') return none('The embedded database (PGlite) has no pg_stat_statements; use PostgreSQL (DATABASE_URL).');
  try {
    const rows = await withMetrics(database.db, async (tx) => {
      if (!(await repo.hasStatStatements(tx))) return null;
      return repo.findTopStatements(tx, TOP_QUERIES);
    });
    if (!rows) return none('The pg_stat_statements extension is not installed in this database (CREATE EXTENSION pg_stat_statements).');
    return {
      available: true,
      reason: null,
      queries: rows.map((r) => ({
        query: r.query ?? '<hidden: the metrics role lacks pg_read_all_stats>',
        calls: Number(r.calls),
        totalMs: Number(r.total_ms),
        meanMs: Number(r.mean_ms),
        rows: Number(r.rows),
      })),
    };
  } catch (err) {
    // e.g. "pg_stat_statements must be loaded via shared_preload_libraries" (the driver's error, under drizzle's)
    let root = err as Error;
    while (root.cause instanceof Error) root = root.cause;
    return none(`pg_stat_statements is not usable here: ${root.message}`);
  }
}
