import { z } from 'zod';
import { envelope, errorResponses, ok, pagedEnvelope, TENANT_AUTH } from '../../lib/envelope.ts';
import { tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import * as comments from '../comments/comments.service.ts';
import { TenantParams } from '../tenants/tenants.schemas.ts';
import {
  CreateTaskBody,
  IfMatchHeaders,
  ListTasksQuery,
  NUL_MESSAGE,
  noNul,
  RefId,
  Task,
  TaskParams,
  UpdateTaskBody,
} from './tasks.schemas.ts';
import * as tasks from './tasks.service.ts';

const tag = ['tasks'];
const Comment = z
  .object({
    id: z.string(),
    taskId: z.string(),
    authorId: z.string().nullable(),
    body: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Comment' });

export async function taskRoutes(app: AppInstance) {
  useTenantScope(app);
  const db = () => app.database.db;

  app.get(
    '/:tenantId/tasks',
    {
      schema: {
        tags: tag,
        summary: 'Tasks, filtered, searched and paginated (guests see only their own)',
        operationId: 'listTasks',
        security: TENANT_AUTH,
        params: TenantParams,
        querystring: ListTasksQuery,
        response: { 200: pagedEnvelope(Task), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const page = await tasks.listTasks(db(), tenantOf(request), request.query);
      return { success: true as const, data: page.items, meta: { nextCursor: page.nextCursor } };
    },
  );

  app.post(
    '/:tenantId/tasks',
    {
      schema: {
        tags: tag,
        summary: 'Create a task (counts against the plan’s task limit)',
        operationId: 'createTask',
        security: TENANT_AUTH,
        params: TenantParams,
        body: CreateTaskBody,
        response: { 201: envelope(Task), ...errorResponses(400, 401, 402, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const task = await tasks.createTask(db(), tenantOf(request), request.body);
      return reply.code(201).header('etag', tasks.etagOf(task)).send(ok(task));
    },
  );

  app.get(
    '/:tenantId/tasks/:taskId',
    {
      schema: {
        tags: tag,
        summary: 'A task (with its ETag)',
        operationId: 'getTask',
        security: TENANT_AUTH,
        params: TaskParams,
        response: { 200: envelope(Task), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const task = await tasks.getTask(db(), tenantOf(request), request.params.taskId);
      return reply.header('etag', tasks.etagOf(task)).send(ok(task));
    },
  );

  app.patch(
    '/:tenantId/tasks/:taskId',
    {
      schema: {
        tags: tag,
        summary: 'Change a task; send If-Match with its ETag to refuse lost updates (412)',
        operationId: 'updateTask',
        security: TENANT_AUTH,
        params: TaskParams,
        headers: IfMatchHeaders,
        body: UpdateTaskBody,
        response: { 200: envelope(Task), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async (request, reply) => {
      const task = await tasks.updateTask(db(), tenantOf(request), request.params.taskId, request.body, request.headers['if-match']);
      return reply.header('etag', tasks.etagOf(task)).send(ok(task));
    },
  );

  app.delete(
    '/:tenantId/tasks/:taskId',
    {
      schema: {
        tags: tag,
        summary: 'Delete a task',
        operationId: 'deleteTask',
        security: TENANT_AUTH,
        params: TaskParams,
        response: { 200: envelope(z.object({ id: z.string(), deleted: z.literal(true) })), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ok(await tasks.deleteTask(db(), tenantOf(request), request.params.taskId)),
  );

  app.get(
    '/:tenantId/tasks/:taskId/comments',
    {
      schema: {
        tags: tag,
        summary: 'Comments on a task, oldest first',
        operationId: 'listComments',
        security: TENANT_AUTH,
        params: TaskParams,
        response: { 200: envelope(z.array(Comment)), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ok(await comments.listComments(db(), tenantOf(request), request.params.taskId)),
  );

  app.post(
    '/:tenantId/tasks/:taskId/comments',
    {
      schema: {
        tags: tag,
        summary: 'Comment on a task',
        operationId: 'createComment',
        security: TENANT_AUTH,
        params: TaskParams,
        body: z.object({ body: z.string().trim().min(1).max(10_000).refine(noNul, NUL_MESSAGE).describe('Markdown') }),
        response: { 201: envelope(Comment), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(ok(await comments.addComment(db(), tenantOf(request), request.params.taskId, request.body.body))),
  );

  app.delete(
    '/:tenantId/tasks/:taskId/comments/:commentId',
    {
      schema: {
        tags: tag,
        summary: 'Delete a comment (its author, or anyone who may change every task)',
        operationId: 'deleteComment',
        security: TENANT_AUTH,
        params: TaskParams.extend({ commentId: RefId }),
        response: { 200: envelope(z.object({ id: z.string(), deleted: z.literal(true) })), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ok(await comments.deleteComment(db(), tenantOf(request), request.params.taskId, request.params.commentId)),
  );
}
