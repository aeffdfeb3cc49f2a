import { z } from 'zod';
import { envelope, errorResponses, ok, pagedEnvelope, USER_AUTH } from '../../lib/envelope.ts';
import { requirePermission, tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { Id, TenantParams } from '../tenants/tenants.schemas.ts';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, WEBHOOK_EVENTS } from './webhooks.service.ts';

const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    active: z.boolean(),
    consecutiveFailures: z.number().int(),
    disabledAt: z.iso.datetime().nullable(),
    disabledReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });

const Delivery = z
  .object({
    id: z.string(),
    eventType: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    payload: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'WebhookDelivery' });

const WebhookParams = TenantParams.extend({ webhookId: Id });
const tag = ['webhooks'];

export async function webhookRoutes(app: AppInstance) {
  useTenantScope(app);

  app.get(
    '/:tenantId/webhooks',
    {
      preValidation: requirePermission('webhook:manage'),
      schema: {
        tags: tag,
        summary: 'Webhooks of the workspace',
        operationId: 'listWebhooks',
        security: USER_AUTH,
        params: TenantParams,
        response: { 200: envelope(z.array(Webhook)), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await listWebhooks(app.database.db, tenantOf(request))),
  );

  app.post(
    '/:tenantId/webhooks',
    {
      preValidation: requirePermission('webhook:manage'),
      config: { idempotencyRedact: ['secret'] },
      schema: {
        tags: tag,
        summary: 'Register a webhook; its signing secret is in this response only',
        description:
          'Deliveries are POSTed as JSON with headers Atrium-Event, Atrium-Delivery and Atrium-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>`. ' +
          'URLs that resolve to loopback, private, link-local or metadata addresses are refused; redirects are never followed.',
        operationId: 'createWebhook',
        security: USER_AUTH,
        params: TenantParams,
        body: z.object({
          url: z.url().max(2000),
          events: z
            .array(z.enum([...WEBHOOK_EVENTS, '*']))
            .min(1)
            .max(WEBHOOK_EVENTS.length + 1),
          description: z.string().max(200).nullable().optional(),
        }),
        response: {
          201: envelope(Webhook.extend({ secret: z.string().describe('Verify signatures with it; shown only once') })),
          ...errorResponses(400, 401, 402, 403, 404),
        },
      },
    },
    async (request, reply) => reply.code(201).send(ok(await createWebhook(app.database.db, app.config, tenantOf(request), request.body))),
  );

  app.delete(
    '/:tenantId/webhooks/:webhookId',
    {
      preValidation: requirePermission('webhook:manage'),
      schema: {
        tags: tag,
        summary: 'Remove a webhook (pending deliveries are dropped)',
        operationId: 'deleteWebhook',
        security: USER_AUTH,
        params: WebhookParams,
        response: { 200: envelope(z.object({ id: z.string(), deleted: z.literal(true) })), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await deleteWebhook(app.database.db, tenantOf(request), request.params.webhookId)),
  );

  app.get(
    '/:tenantId/webhooks/:webhookId/deliveries',
    {
      preValidation: requirePermission('webhook:manage'),
      schema: {
        tags: tag,
        summary: 'Delivery log of a webhook, newest first',
        operationId: 'listWebhookDeliveries',
        security: USER_AUTH,
        params: WebhookParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(300).optional() }),
        response: { 200: pagedEnvelope(Delivery), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await listDeliveries(app.database.db, tenantOf(request), request.params.webhookId, request.query);
      return { success: true as const, data: page.items, meta: { nextCursor: page.nextCursor } };
    },
  );
}
