import { fromNodeHeaders } from 'better-auth/node';
import type { FastifyReply } from 'fastify';
import { envelope, errorResponses, ok, pagedEnvelope, USER_AUTH } from '../../lib/envelope.ts';
import { requireUser } from '../../plugins/auth.ts';
import { platformAdminOf, requirePlatformAdmin } from '../../plugins/platform-admin.ts';
import type { AppInstance } from '../../types.ts';
import {
  AdminSubscription,
  AdminTenant,
  AdminUser,
  BanBody,
  ImpersonateBody,
  Impersonation,
  ImpersonationStopped,
  PlatformMetrics,
  SearchQuery,
  SubscriptionQuery,
  TopQueries,
  UserParams,
} from './admin.schemas.ts';
import {
  banUser,
  getMetrics,
  listSubscriptions,
  searchTenants,
  searchUsers,
  startImpersonation,
  stopImpersonation,
  topQueries,
  unbanUser,
} from './admin.service.ts';

const tags = ['admin'];
const paged = <T>(p: { items: T[]; nextCursor: string | null }) => ({
  success: true as const,
  data: p.items,
  meta: { nextCursor: p.nextCursor },
});

function setCookies(reply: FastifyReply, cookies: string[]) {
  if (cookies.length > 0) reply.header('set-cookie', cookies);
}

/** Platform administration (mounted at /api/v1/admin): platform admins only, signed-in users (API keys 403). */
export async function adminRoutes(app: AppInstance) {
  const admin = { preValidation: requirePlatformAdmin };
  const deps = { db: app.database.db, forgetBan: (id: string) => app.banCheck.forget(id) };
  const ua = (h: Record<string, unknown>) => (typeof h['user-agent'] === 'string' ? h['user-agent'] : null);

  app.get(
    '/users',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Search users by email or name (platform admins)',
        operationId: 'adminListUsers',
        security: USER_AUTH,
        querystring: SearchQuery,
        response: { 200: pagedEnvelope(AdminUser), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => paged(await searchUsers(app.database.db, request.query)),
  );

  app.post(
    '/users/:userId/ban',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Ban a user: they cannot sign in, their sessions end and their tokens are refused (platform admins)',
        description: 'Recorded as `admin.user_banned` in the platform audit log. An admin cannot ban themselves (409).',
        operationId: 'adminBanUser',
        security: USER_AUTH,
        params: UserParams,
        body: BanBody,
        response: { 200: envelope(AdminUser), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ok(await banUser(deps, platformAdminOf(request), ua(request.headers), request.params.userId, request.body)),
  );

  app.post(
    '/users/:userId/unban',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Lift a user’s ban (platform admins)',
        description: 'Recorded as `admin.user_unbanned` in the platform audit log.',
        operationId: 'adminUnbanUser',
        security: USER_AUTH,
        params: UserParams,
        response: { 200: envelope(AdminUser), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => ok(await unbanUser(deps, platformAdminOf(request), ua(request.headers), request.params.userId)),
  );

  app.post(
    '/users/:userId/impersonate',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Act as a user for one hour (platform admins, browser session only)',
        description:
          'Sets the session cookie of an impersonation session; the admin’s own session is kept aside and restored by ' +
          '`POST /admin/impersonation/stop`. Recorded as `admin.impersonation_started` in the platform audit log and in ' +
          'the audit log of every workspace the user belongs to. Other platform admins and banned users cannot be impersonated.',
        operationId: 'adminImpersonateUser',
        security: [{ cookieAuth: [] }],
        params: UserParams,
        body: ImpersonateBody,
        response: { 200: envelope(Impersonation), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await startImpersonation(
        { db: app.database.db, auth: app.auth },
        platformAdminOf(request),
        { headers: fromNodeHeaders(request.headers), userAgent: ua(request.headers), via: requireUser(request).via },
        request.params.userId,
        request.body.reason,
      );
      setCookies(reply, result.cookies);
      return ok(result.data);
    },
  );

  app.post(
    '/impersonation/stop',
    {
      schema: {
        tags,
        summary: 'End the impersonation session and restore the admin’s own session',
        description:
          'Called with the impersonation session’s cookie. Recorded as `admin.impersonation_stopped` (platform and workspace audit logs).',
        operationId: 'adminStopImpersonation',
        security: [{ cookieAuth: [] }],
        response: { 200: envelope(ImpersonationStopped), ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const result = await stopImpersonation({ db: app.database.db, auth: app.auth }, requireUser(request), {
        headers: fromNodeHeaders(request.headers),
        userAgent: ua(request.headers),
        ip: request.ip,
        requestId: request.id,
      });
      setCookies(reply, result.cookies);
      return ok(result.data);
    },
  );

  app.get(
    '/tenants',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Search workspaces by name or slug (platform admins)',
        operationId: 'adminListTenants',
        security: USER_AUTH,
        querystring: SearchQuery,
        response: { 200: pagedEnvelope(AdminTenant), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => paged(await searchTenants(app.database.db, request.query)),
  );

  app.get(
    '/subscriptions',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Subscriptions of every workspace, newest first (platform admins)',
        operationId: 'adminListSubscriptions',
        security: USER_AUTH,
        querystring: SubscriptionQuery,
        response: { 200: pagedEnvelope(AdminSubscription), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => paged(await listSubscriptions(app.database.db, request.query)),
  );

  app.get(
    '/metrics',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Business figures: users, sign-ups, workspaces, active users, subscriptions and MRR by plan, AI use (platform admins)',
        operationId: 'adminMetrics',
        security: USER_AUTH,
        response: { 200: envelope(PlatformMetrics), ...errorResponses(401, 403) },
      },
    },
    async () => ok(await getMetrics(app.database.db)),
  );

  app.get(
    '/queries',
    {
      ...admin,
      schema: {
        tags,
        summary: 'The 20 statements with the most total execution time, from pg_stat_statements when available (platform admins)',
        operationId: 'adminTopQueries',
        security: USER_AUTH,
        response: { 200: envelope(TopQueries), ...errorResponses(401, 403) },
      },
    },
    async () => ok(await topQueries(app.database)),
  );
}
