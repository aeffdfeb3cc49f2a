import { z } from 'zod';
import { envelope, errorResponses, ok, USER_AUTH } from '../../lib/envelope.ts';
import { requirePermission, tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { Id, TenantParams } from '../tenants/tenants.schemas.ts';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts';

const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the secret, to tell keys apart'),
    scopes: z.array(z.string()),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().describe('Updated within about 30 seconds of use'),
    revokedAt: z.iso.datetime().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ApiKey' });

const tag = ['api-keys'];

export async function apiKeyRoutes(app: AppInstance) {
  useTenantScope(app);

  app.get(
    '/:tenantId/api-keys',
    {
      preValidation: requirePermission('apikey:manage'),
      schema: {
        tags: tag,
        summary: 'API keys of the workspace (never their secrets)',
        operationId: 'listApiKeys',
        security: USER_AUTH,
        params: TenantParams,
        response: { 200: envelope(z.array(ApiKey)), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await listApiKeys(app.database.db, tenantOf(request))),
  );

  app.post(
    '/:tenantId/api-keys',
    {
      preValidation: requirePermission('apikey:manage'),
      config: { idempotencyRedact: ['secret'] },
      schema: {
        tags: tag,
        summary: 'Create an API key; the secret is in this response only',
        operationId: 'createApiKey',
        security: USER_AUTH,
        params: TenantParams,
        body: z.object({
          name: z.string().trim().min(1).max(100),
          scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
          expiresAt: z.iso
            .datetime({ offset: true })
            .refine((v) => new Date(v).getTime() > Date.now(), 'must be in the future')
            .nullable()
            .optional(),
        }),
        response: {
          201: envelope(ApiKey.extend({ secret: z.string().describe('Send as X-API-Key or Authorization: Bearer; shown only once') })),
          ...errorResponses(400, 401, 402, 403, 404),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(ok(await createApiKey(app.database.db, app.config.auth.secret, tenantOf(request), request.body))),
  );

  app.delete(
    '/:tenantId/api-keys/:keyId',
    {
      preValidation: requirePermission('apikey:manage'),
      schema: {
        tags: tag,
        summary: 'Revoke an API key (it fails on its next request)',
        operationId: 'revokeApiKey',
        security: USER_AUTH,
        params: TenantParams.extend({ keyId: Id }),
        response: { 200: envelope(ApiKey), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ok(await revokeApiKey(app.database.db, tenantOf(request), request.params.keyId)),
  );
}
