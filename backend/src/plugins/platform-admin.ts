/**
 * Platform administrators: the people who run this Atrium installation (not workspace admins). A
 * platform admin is a user whose platform role (Better Auth admin plugin, `users.role`) is 'admin':
 * made with `npm run admin:create -- --email …`.
 *
 * Bootstrap: PLATFORM_ADMIN_EMAILS, when set, lists addresses that are promoted to 'admin' the first
 * time their owner calls an admin endpoint (or /me) with a *verified* email, so nobody becomes an admin
 * by signing up with an admin's address first. Removing an address from the list does not demote:
 * the role is the source of truth.
 */
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { AppDb } from '../db/client.ts';
import { withScope } from '../db/tenant.ts';
import { forbidden } from '../lib/errors.ts';
import { setUserRole } from '../modules/admin/admin.repository.ts';
import { findUser } from '../modules/tenants/tenants.repository.ts';
import { requireUser } from './auth.ts';

export interface PlatformAdmin {
  userId: string;
  email: string;
  ip: string | null;
  requestId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    platformAdmin?: PlatformAdmin;
  }
}

type UserRow = NonNullable<Awaited<ReturnType<typeof findUser>>>;

/**
 * Is this user a platform admin? Promotes a verified PLATFORM_ADMIN_EMAILS address on the way (once).
 * Returns the role as it now is.
 */
export async function resolvePlatformRole(db: AppDb, config: AppConfig, user: UserRow): Promise<'user' | 'admin'> {
  if (user.role === 'admin') return 'admin';
  if (user.emailVerified && config.platformAdminEmails.includes(user.email.toLowerCase())) {
    await withScope(db, { userId: user.id }, (tx) => setUserRole(tx, user.id, 'admin'), { lookup: true });
    return 'admin';
  }
  return 'user';
}

/** preValidation: 401 without a signed-in user, 403 unless they are a platform admin (API keys: 403). */
export async function requirePlatformAdmin(request: FastifyRequest): Promise<void> {
  const principal = requireUser(request);
  const { db } = request.server.database;
  const user = await withScope(db, { userId: principal.userId }, (tx) => findUser(tx, principal.userId), { lookup: true });
  if (!user || (await resolvePlatformRole(db, request.server.config, user)) !== 'admin') {
    throw forbidden('Only platform administrators may do this');
  }
  request.platformAdmin = { userId: user.id, email: user.email, ip: request.ip, requestId: request.id };
}

export function platformAdminOf(request: FastifyRequest): PlatformAdmin {
  if (!request.platformAdmin) throw forbidden('Only platform administrators may do this');
  return request.platformAdmin;
}
