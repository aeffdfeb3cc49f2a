import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { envelope, errorResponses, ok, TENANT_AUTH } from '../../lib/envelope.ts';
import { AppError } from '../../lib/errors.ts';
import { requirePermission, tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { Task } from '../tasks/tasks.schemas.ts';
import { TenantParams } from '../tenants/tenants.schemas.ts';
import {
  AcceptBody,
  AiJob,
  AsyncQuery,
  BreakdownResult,
  JobAccepted,
  JobParams,
  ProjectSummaryBody,
  Suggestion,
  SuggestionParams,
  SummaryResult,
  TaskBreakdownBody,
  UsageQuery,
  UsageReport,
} from './ai.schemas.ts';
import * as ai from './ai.service.ts';

const tag = ['ai'];
const AI_ERRORS = errorResponses(400, 401, 402, 403, 404, 409, 429, 503);

const wantsStream = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/event-stream');

/**
 * Streams a project summary as Server-Sent Events: `delta` events with text chunks, then `done` with the
 * usage (or `error`). Headers go out with the first chunk: a refusal before it (403, 402, 429, 503)
 * is an ordinary JSON error.
 */
async function streamSummary(app: AppInstance, request: FastifyRequest, reply: FastifyReply, projectId: string) {
  const res = reply.raw;
  const cancel = new AbortController();
  let started = false;
  res.on('close', () => {
    if (!res.writableFinished) cancel.abort(new Error('the client closed the stream'));
  });
  const send = (event: string, data: unknown) => {
    if (!started) {
      started = true;
      reply.hijack();
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
    }
    if (!res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    const out = await ai.summarizeProject(
      app.ai,
      tenantOf(request),
      { projectId },
      { onDelta: (text) => send('delta', { text }), signal: cancel.signal },
    );
    send('done', { projectId: out.projectId, facts: out.facts, usage: out.usage });
    res.end();
  } catch (err) {
    if (!started) throw err;
    if (!(err instanceof AppError)) request.log.error({ err }, 'project summary stream failed');
    const e =
      err instanceof AppError
        ? { code: err.code, message: err.message, details: err.details }
        : { code: 'internal_error', message: 'Internal server error' };
    send('error', { ...e, requestId: request.id });
    res.end();
  }
}

export async function aiRoutes(app: AppInstance) {
  useTenantScope(app);
  const use = requirePermission('ai:use');

  app.post(
    '/:tenantId/ai/task-breakdown',
    {
      preValidation: use,
      schema: {
        tags: tag,
        summary: 'Propose subtasks for a task (stored as a suggestion to accept); ?async=true runs it in the background',
        description:
          'The model’s answer is validated and stored as a suggestion (`sug_…`); nothing else is created until it is accepted. ' +
          'Counts against the plan’s monthly AI tokens (402 when exhausted) and the workspace’s AI requests per minute (429). ' +
          '503 `ai_not_configured` when no AI provider is configured; 503 `service_unavailable` when every model failed ' +
          '(`details.reason`: `ai_unavailable`, or `ai_invalid_output` when the models answered with unusable output).',
        operationId: 'aiTaskBreakdown',
        security: TENANT_AUTH,
        params: TenantParams,
        querystring: AsyncQuery,
        body: TaskBreakdownBody,
        response: { 201: envelope(BreakdownResult), 202: envelope(JobAccepted), ...AI_ERRORS },
      },
    },
    async (request, reply) => {
      const ctx = tenantOf(request);
      if (request.query.async === 'true')
        return reply.code(202).send(ok(await ai.enqueueAiJob(app.ai, ctx, 'task_breakdown', request.body)));
      return reply.code(201).send(ok(await ai.proposeTaskBreakdown(app.ai, ctx, request.body)));
    },
  );

  app.post(
    '/:tenantId/ai/task-breakdown/:suggestionId/accept',
    {
      preValidation: use,
      schema: {
        tags: tag,
        summary: 'Create the proposed subtasks (all, or the chosen indexes) as tasks; all or none',
        description:
          'Goes through the tasks service: the plan’s task limit applies (402) and nothing is created if any subtask fails. 409 when already accepted.',
        operationId: 'aiAcceptTaskBreakdown',
        security: TENANT_AUTH,
        params: SuggestionParams,
        body: AcceptBody,
        response: {
          201: envelope(z.object({ suggestion: Suggestion, tasks: z.array(Task) })),
          ...errorResponses(400, 401, 402, 403, 404, 409),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(ok(await ai.acceptTaskBreakdown(app.database.db, tenantOf(request), request.params.suggestionId, request.body))),
  );

  app.post(
    '/:tenantId/ai/project-summary',
    {
      preValidation: use,
      schema: {
        tags: tag,
        summary: 'Summarize a project’s progress, blockers and overdue work; streamed with Accept: text/event-stream',
        description:
          'The facts (counts, overdue and blocked tasks) are computed from the database and the model writes the report from them. ' +
          'With `Accept: text/event-stream` the answer is streamed as Server-Sent Events: `delta` events `{ text }`, then `done` ' +
          '`{ projectId, facts, usage }` (or `error` `{ code, message }` if the model stops midway). Otherwise a JSON envelope. ' +
          '`?async=true` answers 202 with a job id instead. The summary is plain text: render it as text, never as HTML.',
        operationId: 'aiProjectSummary',
        security: TENANT_AUTH,
        params: TenantParams,
        querystring: AsyncQuery,
        body: ProjectSummaryBody,
        response: { 200: envelope(SummaryResult), 202: envelope(JobAccepted), ...AI_ERRORS },
      },
    },
    async (request, reply) => {
      const ctx = tenantOf(request);
      if (request.query.async === 'true')
        return reply.code(202).send(ok(await ai.enqueueAiJob(app.ai, ctx, 'project_summary', request.body)));
      if (wantsStream(request)) return streamSummary(app, request, reply, request.body.projectId);
      return reply.send(ok(await ai.summarizeProject(app.ai, ctx, request.body)));
    },
  );

  app.get(
    '/:tenantId/ai/jobs/:jobId',
    {
      preValidation: use,
      schema: {
        tags: tag,
        summary: 'A background AI job: its status and, once done, its result or error',
        operationId: 'getAiJob',
        security: TENANT_AUTH,
        params: JobParams,
        response: { 200: envelope(AiJob), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await ai.getAiJob(app.database.db, tenantOf(request), request.params.jobId)),
  );

  app.get(
    '/:tenantId/ai/usage',
    {
      preValidation: use,
      schema: {
        tags: tag,
        summary: 'AI tokens and cost from the usage ledger, in total and grouped by day, model, feature or user',
        operationId: 'getAiUsage',
        security: TENANT_AUTH,
        params: TenantParams,
        querystring: UsageQuery,
        response: { 200: envelope(UsageReport), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await ai.getAiUsage(app.database.db, tenantOf(request), request.query)),
  );
}
