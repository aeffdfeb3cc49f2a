/**
 * One error handler for the whole API: typed AppErrors, Zod validation failures, Fastify's own
 * errors (body too large, unsupported media type, malformed JSON) and anything unexpected all leave
 * as the failure envelope with the request id. A 500 never carries a stack or an internal message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, codeForStatus, type ErrorCode, type ErrorDetail } from '../lib/errors.ts';

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
    request.log.error({ err }, 'unhandled error');
    if (status === 503) return sendError(request, reply, 503, 'service_unavailable', 'Service temporarily unavailable');
    return sendError(request, reply, 500, 'internal_error', 'Internal server error');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // A known path asked with a method it does not have is 405, with the methods it does have.
    const allowed = METHODS.filter((method) => method !== request.method && app.hasRoute({ method, url: path }));
    if (allowed.length > 0 && !app.hasRoute({ method: request.method as (typeof METHODS)[number], url: path })) {
      reply.header('allow', allowed.join(', '));
      return sendError(request, reply, 405, 'method_not_allowed', `Method ${request.method} is not allowed on ${path}`);
    }
    return sendError(request, reply, 404, 'not_found', `Route ${request.method} ${path} not found`);
  });
});
