/**
 * One error handler for the whole API: typed AppErrors, Zod validation failures, Fastify's own
 * errors (body too large, unsupported media type, malformed JSON) and anything unexpected all leave
 * as the failure envelope with the request id. A 500 never carries a stack or an internal message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, codeForStatus, type ErrorCode, type ErrorDetail } from '../lib/errors.ts';

const compiledPatterns = new WeakMap<FastifyInstance, { method: string; pattern: RegExp }[]>();
/** Every registered route as a regular expression over concrete paths (built once per app, on first use). */
function routePatterns(app: FastifyInstance) {
  const cached = compiledPatterns.get(app);
  if (cached) return cached;
  const inventory = (app as unknown as { routeInventory?: { method: string; url: string }[] }).routeInventory ?? [];
  // OPTIONS * is the CORS preflight, not a resource.
  const compiled = inventory
    .filter((r) => r.method !== 'OPTIONS')
    .map((r) => {
      const source = r.url
        .replace(/\/+$/, '')
        .split(/(:\w+|\*)/)
        .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { method: r.method, pattern: new RegExp(`^${source}/?$`) };
    });
  compiledPatterns.set(app, compiled);
  return compiled;
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
  details?: unknown,
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({
      success: false,
      error: { code, message, ...(details !== undefined ? { details } : {}), requestId: request.id },
    });
}

/** Connection-level failures of PostgreSQL (node-postgres errors and server codes of class 08 / 57P). */
const DB_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);
const DB_DOWN_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to/i;

/** True when `err` (or an error it wraps, e.g. Drizzle's query error) says the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (DB_DOWN_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && DB_DOWN_MESSAGE.test(message)) return true;
  }
  return false;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'Unsupported Content-Type; send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'validation_error', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'validation_error', message: 'Body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'validation_error', message: 'Body is not valid JSON' },
};

export default fp(async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, 'service error');
      return sendError(request, reply, err.status, err.code, err.message, err.details);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const location = err.validationContext ?? 'request';
      const details: ErrorDetail[] = err.validation.map((v) => ({
        location,
        path: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)',
        message: v.message ?? 'Invalid value',
        code: (v.params.issue as { code?: string } | undefined)?.code,
      }));
      return sendError(request, reply, 400, 'validation_error', `Invalid ${location}`, details);
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return sendError(request, reply, 500, 'internal_error', 'Internal server error');
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) {
      const status = known.code === 'payload_too_large' ? 413 : known.code === 'unsupported_media_type' ? 415 : 400;
      return sendError(request, reply, status, known.code, known.message);
    }
    // JSON.parse failures surface as SyntaxError with statusCode 400.
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(request, reply, status, codeForStatus(status), err.message || 'Bad request');
    }
    if (isDatabaseUnavailable(err)) {
      // The database went away (restart, failover, network): a temporary condition, not a bug.
      request.log.warn({ err }, 'database unavailable');
      reply.header('retry-after', '1');
      return sendError(request, reply, 503, 'service_unavailable', 'Service temporarily unavailable; retry in a moment');
    }
    request.log.error({ err }, 'unhandled error');
    if (status === 503) return sendError(request, reply, 503, 'service_unavailable', 'Service temporarily unavailable');
    return sendError(request, reply, 500, 'internal_error', 'Internal server error');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // A known path asked with a method it does not have is 405, with the methods it does have.
    // Parametric routes (`/tenants/:tenantId`) are matched against the route inventory's patterns.
    const patterns = routePatterns(app);
    const has = (method: string) =>
      app.hasRoute({ method: method as (typeof METHODS)[number], url: path }) ||
      patterns.some((r) => r.method === method && r.pattern.test(path));
    const allowed = METHODS.filter((method) => method !== request.method && has(method));
    if (allowed.length > 0 && !has(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendError(request, reply, 405, 'method_not_allowed', `Method ${request.method} is not allowed on ${path}`);
    }
    return sendError(request, reply, 404, 'not_found', `Route ${request.method} ${path} not found`);
  });
});
