/**
 * Transport-level concerns: request id echo, security headers, CORS allow-list, content types and
 * one access-log line per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type helmetType from 'helmet';
import type { AppConfig } from '../config.ts';
import { sendError } from './errors.ts';

// helmet itself, as @fastify/helmet loads it. @fastify/helmet builds a new helmet middleware (parsing the
// CSP directives again) on every request; this plugin builds it once (2–3 % of the API's CPU under load).
const require = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
const helmet = require('helmet') as typeof helmetType;

/**
 * The headers a helmet middleware sets, taken once: with these options (no CSP nonce, nothing read from
 * the request) they are the same for every response. Set through the reply, they reach the socket with
 * Fastify's own headers in one writeHead, instead of a dozen setHeader calls per response (about 5 % of
 * the API's CPU on a small GET, docs/performance.md change 30).
 */
function headersOf(middleware: ReturnType<typeof helmetType>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let done = false;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}

export default fp(async function httpPlugin(app: FastifyInstance, opts: { config: AppConfig }) {
  const { config } = opts;

  // During shutdown, new requests get a 503 envelope, and responses to requests still in flight close
  // their connection, so a keep-alive client cannot hold the server open once its answer has been sent.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('retry-after', '5');
      return sendError(request, reply, 503, 'service_unavailable', 'The server is restarting; retry shortly');
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  const securityHeaders = headersOf(
    helmet({
      // An API answers JSON; the only HTML it serves is the API reference under /docs.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
        },
      },
      hsts: config.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders);
  });

  await app.register(cors, {
    origin: (origin, cb) => {
      // Same-origin and non-browser requests carry no Origin header.
      if (!origin) return cb(null, true);
      cb(null, config.http.corsOrigins.includes(origin));
    },
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'Idempotency-Key', 'If-Match', 'X-Request-Id', 'Last-Event-ID'],
    exposedHeaders: [
      'X-Request-Id',
      'ETag',
      'Idempotent-Replayed',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ],
    maxAge: 600,
  });

  // Only JSON bodies are accepted (415 otherwise). Routes that need a raw body (signed webhooks)
  // register their own parser in their own scope.
  app.removeContentTypeParser(['text/plain']);

  // The access line's fields are the ones below and nothing else (no headers, no bodies), so it skips the
  // redaction walk every other line gets (REDACT_PATHS, lib/logger.ts): a few microseconds per request.
  const accessLog = app.log.child({}, { redact: { paths: [], censor: '[redacted]' } });
  app.addHook('onResponse', async (request, reply) => {
    accessLog.info(
      {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        userId: request.principal?.kind === 'user' ? request.principal.userId : undefined,
        apiKeyId: request.principal?.kind === 'api_key' ? request.principal.keyId : undefined,
        tenantId: request.tenant?.tenantId,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });
});
