import { z } from 'zod';
import { envelope, errorResponses, ok, USER_AUTH } from '../../lib/envelope.ts';
import { requireUser } from '../../plugins/auth.ts';
import { actorOf } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { RoleSchema } from '../tenants/tenants.schemas.ts';
import { deleteAccount, exportUserData } from './gdpr.service.ts';
import { getMe } from './me.service.ts';

const Me = z
  .object({
    user: z.object({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      emailVerified: z.boolean(),
      role: z.enum(['user', 'admin']).describe('Platform role'),
      platformAdmin: z.boolean().describe('May use /api/v1/admin'),
    }),
    impersonatedBy: z
      .object({ userId: z.string(), email: z.string() })
      .nullable()
      .describe('The platform admin acting as this user (impersonation session), else null'),
    memberships: z.array(
      z.object({
        tenantId: z.string(),
        slug: z.string(),
        name: z.string(),
        role: RoleSchema,
        permissions: z.array(z.string()).describe('What this role may do in the workspace (the permission table)'),
      }),
    ),
  })
  .meta({ id: 'Me' });

export async function meRoutes(app: AppInstance) {
  app.get(
    '/',
    {
      schema: {
        tags: ['me'],
        summary: 'The signed-in user and the workspaces they belong to',
        operationId: 'getMe',
        security: USER_AUTH,
        response: { 200: envelope(Me), ...errorResponses(401) },
      },
    },
    async (request) => ok(await getMe(app.database.db, app.config, requireUser(request))),
  );

  app.get(
    '/export',
    {
      schema: {
        tags: ['me'],
        summary: 'Everything Atrium holds about you, as JSON (GDPR access and portability)',
        operationId: 'exportMe',
        security: USER_AUTH,
        response: { 200: envelope(z.record(z.string(), z.unknown())), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const data = await exportUserData(app.database.db, requireUser(request).userId);
      reply.header('content-disposition', 'attachment; filename="atrium-export.json"');
      return ok(JSON.parse(JSON.stringify(data)) as Record<string, unknown>);
    },
  );

  app.delete(
    '/',
    {
      schema: {
        tags: ['me'],
        summary: 'Delete your account (re-enter your password; workspaces you alone own must be transferred or deleted first)',
        operationId: 'deleteMe',
        security: USER_AUTH,
        body: z.object({ password: z.string().min(1).max(256) }),
        response: { 200: envelope(z.object({ deleted: z.literal(true) })), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => ok(await deleteAccount(app.database.db, actorOf(request), request.body.password)),
  );
}
