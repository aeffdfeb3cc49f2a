/**
 * Platform administrators: the people who run this Atrium installation (not workspace admins). For now
 * a minimal check: the signed-in user's verified email is in PLATFORM_ADMIN_EMAILS. A later operations
 * issue replaces this with Better Auth's admin plugin; routes only use `requirePlatformAdmin` and
 * `platformAdminOf`, so they will not change.
 */
import type { FastifyRequest } from 'fastify';
import { withScope } from '../db/tenant.ts';
import { forbidden } from '../lib/errors.ts';
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

/** preValidation: 401 without a signed-in user, 403 unless they are a platform admin (API keys: 403). */
export async function requirePlatformAdmin(request: FastifyRequest): Promise<void> {
  const principal = requireUser(request);
  const admins = request.server.config.platformAdminEmails;
  if (admins.length === 0) throw forbidden('Platform administration is not enabled on this server (PLATFORM_ADMIN_EMAILS is empty)');
  const user = await withScope(request.server.database.db, { userId: principal.userId }, (tx) => findUser(tx, principal.userId), {
    lookup: true,
  });
  // A verified address only: nobody becomes an admin by signing up with an admin's email first.
  if (!user?.emailVerified || !admins.includes(user.email.toLowerCase())) {
    throw forbidden('Only platform administrators may do this');
  }
  request.platformAdmin = { userId: user.id, email: user.email, ip: request.ip, requestId: request.id };
}

export function platformAdminOf(request: FastifyRequest): PlatformAdmin {
  if (!request.platformAdmin) throw forbidden('Only platform administrators may do this');
  return request.platformAdmin;
}
