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

/** Paths the rate limiter skips on purpose (probes and the metrics scraper). */
const NOT_RATE_LIMITED = new Set(['/healthz', '/readyz', '/metrics']);
const integerHeader = (description: string) => ({
  description,
  schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000_000 },
});

type ResponseDoc = { description?: string; content?: unknown; headers?: Record<string, unknown> };

/**
 * Answers that come from the transport rather than the route, on every /api/v1 operation: 400 for a
 * body that is not JSON or a path with broken percent-encoding (app.ts frameworkErrors), 401 when a
 * request carries a credential that is invalid (even on public routes, see plugins/auth.ts), and 413
 * and 415 on methods that take a body (the body limit and the JSON-only parser apply to all of them).
 */
function documentTransportErrors(doc: OpenApiDoc): OpenApiDoc {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, ResponseDoc> }>>;
  const added: [string, string, string[], boolean?][] = [
    ['400', 'Malformed request: a body that is not valid JSON, or a path with broken percent-encoding', ['post', 'put', 'patch', 'delete']],
    ['400', 'Malformed request: a path with broken percent-encoding', ['get'], true],
    ['401', 'The request carries an invalid, expired or revoked credential', ['get', 'post', 'put', 'patch', 'delete']],
    ['413', 'Request body is too large', ['post', 'put', 'patch', 'delete']],
    ['415', 'Unsupported Content-Type; send application/json', ['post', 'put', 'patch', 'delete']],
  ];
  for (const [url, operations] of Object.entries(paths)) {
    if (!url.startsWith('/api/v1/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const responses = operation.responses;
      const envelope = responses?.['500']?.content;
      if (!responses || !envelope) continue;
      for (const [status, description, methods, onlyWithPathParams] of added) {
        if (onlyWithPathParams && !url.includes('{')) continue;
        if (methods.includes(method) && !responses[status]) responses[status] = { description, content: envelope };
      }
    }
  }
  return doc;
}

/** The RateLimit-* headers (plugins/rate-limit.ts) on every 2xx and 4xx answer, and Retry-After on 429. */
function documentRateLimitHeaders(doc: OpenApiDoc): OpenApiDoc {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, { headers?: Record<string, unknown> }> }>>;
  for (const [url, operations] of Object.entries(paths)) {
    if (NOT_RATE_LIMITED.has(url)) continue;
    for (const operation of Object.values(operations)) {
      for (const [status, original] of Object.entries(operation.responses ?? {})) {
        if (!/^[24]/.test(status)) continue;
        // A copy: responses added by documentTransportErrors share their content object.
        const response = { ...original };
        (operation.responses as Record<string, unknown>)[status] = response;
        response.headers = {
          ...response.headers,
          'Access-Control-Allow-Origin': { $ref: '#/components/headers/AccessControlAllowOrigin' },
          'RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
          'RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
          'RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
          ...(status === '429' ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {}),
        };
      }
    }
  }
  const components = (doc.components ?? {}) as Record<string, unknown>;
  components.headers = {
    AccessControlAllowOrigin: {
      description: 'Only for a browser Origin on the CORS allow-list (CORS_ORIGINS)',
      schema: { type: 'string', format: 'uri', maxLength: 2048 },
    },
    RateLimitLimit: integerHeader('Requests allowed in the current window'),
    RateLimitRemaining: integerHeader('Requests left in the current window'),
    RateLimitReset: integerHeader('Seconds until the window resets'),
    RetryAfter: integerHeader('Seconds to wait before retrying'),
  };
  doc.components = components as OpenApiDoc['components'];
  return doc;
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
      // x-internal: false says the API is meant for outside callers (OWASP API9 inventory rule).
      servers: [
        { url: '/', description: 'This server (local, staging or production: wherever it runs)', 'x-internal': false } as { url: string },
      ],
      tags: [
        { name: 'system', description: 'Health, readiness and API metadata' },
        { name: 'dev', description: 'Local development helpers (not in production)' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'Short-lived JWT (EdDSA, 15 minutes) from GET /api/auth/token, issued and verified following RFC8725 ' +
              '(JWT best current practices): algorithm allow-list, iss, aud and exp checked',
          },
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
      documentRateLimitHeaders(documentTransportErrors(pruneUnusedSchemas(jsonSchemaTransformObject(input) as OpenApiDoc))) as ReturnType<
        typeof jsonSchemaTransformObject
      >,
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
