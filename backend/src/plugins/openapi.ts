/**
 * OpenAPI 3.1, generated from the same Zod schemas that validate requests and responses, so the
 * document cannot drift from the handlers. Served at GET /api/v1/openapi.json, browsable at /docs,
 * and committed as backend/openapi.json (a test fails when the committed copy is stale).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { AppConfig } from '../config.ts';

type OpenApiDoc = { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

/** Drops component schemas nothing refers to (the Zod registry emits input and output variants of each). */
function pruneUnusedSchemas(doc: OpenApiDoc): OpenApiDoc {
  const schemas = doc.components?.schemas;
  if (!schemas) return doc;
  const { components, ...rest } = doc;
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      const name = m[1] as string;
      if (!used.has(name)) {
        used.add(name);
        visit(JSON.stringify(schemas[name] ?? {}));
      }
    }
  };
  visit(JSON.stringify(rest));
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return { ...rest, components };
}

export default fp(async function openapiPlugin(app: FastifyInstance, opts: { config: AppConfig }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Atrium API',
        version: '1.0.0',
        description:
          'Multi-tenant team task workspace. Every response uses the envelope `{ success, data, meta? }` or ' +
          '`{ success: false, error: { code, message, details?, requestId } }`.',
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'Atrium maintainers', url: 'https://atrium.invalid/support' },
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: [
        { name: 'system', description: 'Health, readiness and API metadata' },
        { name: 'dev', description: 'Local development helpers (not in production)' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Short-lived JWT from GET /api/auth/token' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'atrium.session_token', description: 'Better Auth session cookie (browsers)' },
          apiKeyAuth: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description: 'Tenant API key (atr_…); also accepted as Authorization: Bearer atr_…',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (input) =>
      pruneUnusedSchemas(jsonSchemaTransformObject(input) as OpenApiDoc) as ReturnType<typeof jsonSchemaTransformObject>,
  });

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true },
    // The UI loads the same document the API serves.
    transformSpecificationClone: true,
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  void opts.config;
});
