import { z } from 'zod';
import { envelope, errorResponses, ok } from '../../lib/envelope.ts';
import type { AppInstance } from '../../types.ts';
import { checkReadiness } from './system.service.ts';

const Status = z.object({ status: z.literal('ok'), version: z.string(), environment: z.enum(['local', 'test', 'production']) });
const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({
    database: z.enum(['ok', 'unreachable']),
    migrations: z.enum(['current', 'pending', 'unknown']),
  }),
});

export async function systemRoutes(app: AppInstance) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up',
        operationId: 'getHealth',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database is reachable and its migrations are current',
        operationId: 'getReadiness',
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const result = await checkReadiness(app.database);
      return reply.code(result.status === 'ready' ? 200 : 503).send(result);
    },
  );

  app.get(
    '/api/v1/status',
    {
      schema: {
        tags: ['system'],
        summary: 'API version and environment',
        operationId: 'getStatus',
        security: [],
        response: { 200: envelope(Status), ...errorResponses(500) },
      },
    },
    async () => ok({ status: 'ok' as const, version: app.config.version, environment: app.config.appEnv }),
  );
}
