import { z } from 'zod';
import { envelope, errorResponses, ok, TENANT_AUTH } from '../../lib/envelope.ts';
import { requirePermission, tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { exportTenant } from './export.service.ts';
import { TenantParams } from './tenants.schemas.ts';

export async function tenantExportRoutes(app: AppInstance) {
  useTenantScope(app);
  app.get(
    '/:tenantId/export',
    {
      preValidation: requirePermission('tenant:export'),
      schema: {
        tags: ['tenants'],
        summary: 'Everything the workspace holds, as a JSON download (owners only)',
        description:
          'Workspace, members (id, name, email, role), projects, tasks, comments, invitations (without their ids, which are ' +
          'secrets), audit log, subscription and AI usage. Sent with `content-disposition: attachment`; recorded as `tenant.exported`.',
        operationId: 'exportTenant',
        security: TENANT_AUTH,
        params: TenantParams,
        response: { 200: envelope(z.record(z.string(), z.unknown())), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ctx = tenantOf(request);
      const data = await exportTenant(app.database.db, ctx);
      reply.header('content-disposition', `attachment; filename="atrium-workspace-${ctx.tenantId}.json"`);
      return ok(JSON.parse(JSON.stringify(data)) as Record<string, unknown>);
    },
  );
}
