/**
 * Tenant context for routes under /api/v1/tenants/:tenantId: the caller's membership and role in
 * that tenant, through the membership cache (lib/cache.ts), which every membership change invalidates
 * on all instances, so a removed member loses access at once, even with a JWT that is still valid.
 * A non-member gets 404 — never a hint that the tenant exists.
 */
import type { FastifyRequest } from 'fastify';
import { forbidden, notFound } from '../lib/errors.ts';
import { requestContext } from '../lib/request-context.ts';
import { permissionsForScopes } from '../modules/api-keys/api-keys.service.ts';
import type { Actor } from '../modules/audit/audit.service.ts';
import { allowed, type Permission } from '../modules/tenants/permissions.ts';
import { memberContext, resolveMembership, type TenantContext } from '../modules/tenants/tenants.service.ts';
import { requirePrincipal, requireUser } from './auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: TenantContext | null;
  }
}

export function actorOf(request: FastifyRequest): Actor & { id: string } {
  const principal = requireUser(request);
  return {
    type: 'user',
    id: principal.userId,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    requestId: request.id,
  };
}

export async function loadTenantContext(request: FastifyRequest): Promise<void> {
  const principal = requirePrincipal(request);
  const { tenantId } = request.params as { tenantId: string };
  // Ids are short and plain; anything else names no tenant (and never reaches the database).
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) throw notFound('Tenant');
  if (principal.kind === 'api_key') {
    // A key belongs to one tenant; any other tenant does not exist for it.
    if (principal.tenantId !== tenantId) throw notFound('Tenant');
    const ctx = requestContext.getStore();
    if (ctx) ctx.tenantId = tenantId;
    request.tenant = {
      tenantId,
      userId: null,
      role: null,
      membershipId: null,
      permissions: permissionsForScopes(principal.scopes),
      actor: {
        type: 'api_key',
        id: principal.keyId,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        requestId: request.id,
      },
    };
    return;
  }
  const actor = actorOf(request);
  const membership = await resolveMembership(request.server.database.db, tenantId, actor.id);
  if (!membership) throw notFound('Tenant');
  request.tenant = memberContext(tenantId, actor.id, membership, actor);
  const ctx = requestContext.getStore();
  if (ctx) Object.assign(ctx, { tenantId, userId: actor.id });
}

export function tenantOf(request: FastifyRequest): TenantContext {
  if (!request.tenant) throw notFound('Tenant');
  return request.tenant;
}

/** preHandler: the caller's role must grant `permission` (403 otherwise). */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest) => {
    const ctx = tenantOf(request);
    if (!allowed(ctx, permission))
      throw forbidden(
        ctx.role ? `Your role (${ctx.role}) lacks the permission ${permission}` : `This API key lacks the scope for ${permission}`,
      );
  };
}

/** For a route module mounted under /api/v1/tenants: every route needs a user who is a member. */
export function useTenantScope(app: { addHook: (name: 'preValidation', fn: (request: FastifyRequest) => Promise<void>) => unknown }) {
  app.addHook('preValidation', loadTenantContext);
}
