import { z } from 'zod';
import { withTenant } from '../../db/tenant.ts';
import { errorResponses, pagedEnvelope, TENANT_AUTH } from '../../lib/envelope.ts';
import { loadTenantContext, requirePermission, tenantOf } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { NUL_MESSAGE, noNul } from '../tasks/tasks.schemas.ts';
import { TenantParams } from '../tenants/tenants.schemas.ts';
import { listAuditLogs } from './audit.service.ts';

const AuditLog = z
  .object({
    id: z.string(),
    action: z.string(),
    actorType: z.enum(['user', 'api_key', 'system']),
    actorId: z.string().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditLog' });

export async function auditRoutes(app: AppInstance) {
  app.addHook('preValidation', loadTenantContext);
  app.get(
    '/:tenantId/audit-logs',
    {
      preValidation: requirePermission('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'The workspace’s audit log, newest first',
        operationId: 'listAuditLogs',
        security: TENANT_AUTH,
        params: TenantParams,
        querystring: z.object({
          action: z.string().max(100).refine(noNul, NUL_MESSAGE).optional().describe('e.g. member.invited'),
          actorId: z.string().max(64).refine(noNul, NUL_MESSAGE).optional(),
          targetId: z.string().max(64).refine(noNul, NUL_MESSAGE).optional(),
          from: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound (ISO 8601)'),
          to: z.iso.datetime({ offset: true }).optional().describe('Inclusive upper bound (ISO 8601)'),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().max(200).optional().describe('meta.nextCursor of the previous page'),
        }),
        response: { 200: pagedEnvelope(AuditLog), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = tenantOf(request);
      const q = request.query;
      const page = await withTenant(app.database.db, ctx, (tx) =>
        listAuditLogs(tx, ctx.tenantId, { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined }),
      );
      return {
        success: true as const,
        data: page.items.map((r) => ({
          id: r.id,
          action: r.action,
          actorType: r.actorType,
          actorId: r.actorId,
          targetType: r.targetType,
          targetId: r.targetId,
          ip: r.ip,
          userAgent: r.userAgent,
          requestId: r.requestId,
          metadata: r.metadata,
          createdAt: r.createdAt.toISOString(),
        })),
        meta: { nextCursor: page.nextCursor },
      };
    },
  );
}
