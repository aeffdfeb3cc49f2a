import { z } from 'zod';
import { errorResponses, TENANT_AUTH } from '../../lib/envelope.ts';
import { tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { TenantParams } from '../tenants/tenants.schemas.ts';
import type { Subscriber } from './event-hub.ts';

const HEARTBEAT_MS = 15_000;

export async function eventRoutes(app: AppInstance) {
  useTenantScope(app);

  app.get(
    '/:tenantId/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live updates of the workspace as Server-Sent Events (resume with Last-Event-ID)',
        description:
          'Each event has `id` (resume point), `event` (e.g. task.updated, project.created, comment.created, member.joined) and `data` (JSON). ' +
          'Guests receive only events about their own tasks. After a reconnect with a Last-Event-ID older than the kept history, a `reset` event tells the client to reload.',
        operationId: 'streamEvents',
        security: TENANT_AUTH,
        params: TenantParams,
        headers: z.object({
          'last-event-id': z
            .string()
            .regex(/^\d{1,18}$/)
            .optional(),
        }),
        response: {
          200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const ctx = tenantOf(request);
      const lastEventId = request.headers['last-event-id'] ? Number(request.headers['last-event-id']) : undefined;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let open = true;
      const write = (chunk: string) => {
        if (open) res.write(chunk);
      };
      const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
      const sub: Subscriber = {
        tenantId: ctx.tenantId,
        userId: ctx.userId,
        permissions: ctx.permissions,
        lastId: 0,
        send: (event) => write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ id: event.entityId, ...event.data })}\n\n`),
        close: (reason) => {
          if (!open) return;
          write(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`);
          open = false;
          clearInterval(heartbeat);
          res.end();
        },
      };
      request.raw.on('close', () => {
        open = false;
        clearInterval(heartbeat);
        app.events.unsubscribe(sub);
      });
      write('retry: 3000\n\n');
      const { resumed } = await app.events.subscribe(sub, lastEventId);
      if (!resumed) write(`event: reset\ndata: ${JSON.stringify({ reason: 'history no longer available; reload' })}\n\n`);
      write(`event: ready\ndata: ${JSON.stringify({ lastEventId: sub.lastId })}\n\n`);
    },
  );
}
