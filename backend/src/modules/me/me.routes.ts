import { z } from 'zod';
import { envelope, errorResponses, ok, USER_AUTH } from '../../lib/envelope.ts';
import { requireUser } from '../../plugins/auth.ts';
import type { AppInstance } from '../../types.ts';
import { RoleSchema } from '../tenants/tenants.schemas.ts';
import { getMe } from './me.service.ts';

const Me = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), emailVerified: z.boolean() }),
    memberships: z.array(z.object({ tenantId: z.string(), slug: z.string(), name: z.string(), role: RoleSchema })),
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
    async (request) => ok(await getMe(app.database.db, requireUser(request).userId)),
  );
}
