import { z } from 'zod';
import { envelope, errorResponses, ok, TENANT_AUTH } from '../../lib/envelope.ts';
import { requirePermission, tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { NUL_MESSAGE, noNul, RefId } from '../tasks/tasks.schemas.ts';
import { TenantParams } from '../tenants/tenants.schemas.ts';
import * as projects from './projects.service.ts';

const Project = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    color: z.string().nullable(),
    archived: z.boolean(),
    archivedAt: z.iso.datetime().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Project' });

const Color = z
  .string()
  .max(7)
  .regex(/^#[0-9a-fA-F]{6}$/, 'a hex color such as #4f46e5')
  .nullable();
const ProjectParams = TenantParams.extend({ projectId: RefId });
const ArchivedQuery = z.object({ archived: z.enum(['true', 'false']).default('false').describe('Include archived projects') });
const tag = ['projects'];

export async function projectRoutes(app: AppInstance) {
  useTenantScope(app);

  app.get(
    '/:tenantId/projects',
    {
      preValidation: requirePermission('project:read'),
      schema: {
        tags: tag,
        summary: 'Projects (archived ones only with ?archived=true)',
        operationId: 'listProjects',
        security: TENANT_AUTH,
        params: TenantParams,
        querystring: ArchivedQuery,
        response: { 200: envelope(z.array(Project)), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ok(await projects.listProjects(app.database.db, tenantOf(request), request.query.archived === 'true')),
  );

  app.post(
    '/:tenantId/projects',
    {
      preValidation: requirePermission('project:write'),
      schema: {
        tags: tag,
        summary: 'Create a project (counts against the plan’s project limit)',
        operationId: 'createProject',
        security: TENANT_AUTH,
        params: TenantParams,
        body: z.object({
          name: z.string().trim().min(1).max(100).refine(noNul, NUL_MESSAGE),
          description: z.string().max(2000).refine(noNul, NUL_MESSAGE).nullable().optional(),
          color: Color.optional(),
        }),
        response: { 201: envelope(Project), ...errorResponses(400, 401, 402, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(ok(await projects.createProject(app.database.db, tenantOf(request), request.body))),
  );

  app.get(
    '/:tenantId/projects/:projectId',
    {
      preValidation: requirePermission('project:read'),
      schema: {
        tags: tag,
        summary: 'A project',
        operationId: 'getProject',
        security: TENANT_AUTH,
        params: ProjectParams,
        querystring: ArchivedQuery,
        response: { 200: envelope(Project), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) =>
      ok(await projects.getProject(app.database.db, tenantOf(request), request.params.projectId, request.query.archived === 'true')),
  );

  app.patch(
    '/:tenantId/projects/:projectId',
    {
      preValidation: requirePermission('project:write'),
      schema: {
        tags: tag,
        summary: 'Change a project; `archived: false` restores an archived one',
        operationId: 'updateProject',
        security: TENANT_AUTH,
        params: ProjectParams,
        body: z
          .object({
            name: z.string().trim().min(1).max(100).refine(noNul, NUL_MESSAGE).optional(),
            description: z.string().max(2000).refine(noNul, NUL_MESSAGE).nullable().optional(),
            color: Color.optional(),
            archived: z.boolean().optional(),
          })
          .refine((b) => Object.keys(b).length > 0, 'send at least one field to change'),
        response: { 200: envelope(Project), ...errorResponses(400, 401, 402, 403, 404, 409) },
      },
    },
    async (request) => ok(await projects.updateProject(app.database.db, tenantOf(request), request.params.projectId, request.body)),
  );

  app.delete(
    '/:tenantId/projects/:projectId',
    {
      preValidation: requirePermission('project:write'),
      schema: {
        tags: tag,
        summary: 'Archive a project (read-only, restorable)',
        operationId: 'archiveProject',
        security: TENANT_AUTH,
        params: ProjectParams,
        response: { 200: envelope(Project), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await projects.archiveProject(app.database.db, tenantOf(request), request.params.projectId)),
  );
}
