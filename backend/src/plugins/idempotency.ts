/**
 * Idempotency-Key on every POST of /api/v1: one mechanism for the whole API.
 *
 * - The same key and the same request within 24 h returns the first (successful) response and does
 *   nothing again (`Idempotent-Replayed: true`).
 * - The same key with another request body → 409.
 * - The key is claimed inside the request's first writing transaction, so the claim commits or rolls
 *   back together with the change: a crash can never leave a change without its claim, and a retry
 *   can never repeat a committed change. The response is stored before it is sent, so every 2xx a
 *   client received can be replayed.
 * Only successful responses are stored; a rejected request changed nothing and may be retried.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, conflict } from '../lib/errors.ts';
import { type RequestContext, requestContext } from '../lib/request-context.ts';
import { claimKey, findLiveKey, storeResponse } from '../modules/idempotency/idempotency.repository.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface IdempotencyState {
  principal: string;
  key: string;
  requestHash: string;
  method: string;
  path: string;
  expiresAt: Date;
  claimed: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyState | null;
  }
  interface FastifyContextConfig {
    /** Response fields (under `data`) never stored for replay, e.g. one-time secrets. */
    idempotencyRedact?: string[];
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Who the key belongs to: keys of different callers never collide. */
function principalOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind === 'user') return `user:${p.userId}`;
  if (p?.kind === 'api_key') return `key:${p.keyId}`;
  return `ip:${request.ip}`;
}

export default fp(async function idempotencyPlugin(app: FastifyInstance) {
  app.decorateRequest('idempotency', null);

  // Every request runs inside its own async context (see lib/request-context.ts).
  app.addHook('onRequest', (request, _reply, done) => {
    const ctx: RequestContext = { requestId: request.id, onFirstTransaction: [], firstTransactionSeen: false, jobs: app.jobs };
    requestContext.run(ctx, done);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !request.url.startsWith('/api/v1/')) return;
    const raw = request.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || !KEY_PATTERN.test(key)) {
      throw new AppError('validation_error', 'Idempotency-Key must be 1–255 visible ASCII characters', [
        { location: 'headers', path: 'idempotency-key', message: 'Invalid Idempotency-Key' },
      ]);
    }
    const path = request.url.split('?')[0] as string;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${path}\n${JSON.stringify(canonical(request.body ?? null))}`)
      .digest('hex');
    const principal = principalOf(request);
    const existing = await findLiveKey(app.database.db, principal, key);
    if (existing) {
      if (existing.requestHash !== requestHash) throw conflict('This Idempotency-Key was already used with a different request');
      if (existing.statusCode === null) throw conflict('A request with this Idempotency-Key is still being processed; retry shortly');
      reply.header('idempotent-replayed', 'true');
      return reply.code(existing.statusCode).type('application/json; charset=utf-8').send(existing.responseBody);
    }
    const state: IdempotencyState = {
      principal,
      key,
      requestHash,
      method: request.method,
      path,
      expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
      claimed: false,
    };
    request.idempotency = state;
    requestContext.getStore()?.onFirstTransaction.push(async (tx) => {
      if (!(await claimKey(tx, state)))
        throw conflict('A request with this Idempotency-Key is being processed or was just completed; retry to get its response');
      state.claimed = true;
    });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = request.idempotency;
    if (!state || reply.statusCode < 200 || reply.statusCode >= 300 || reply.getHeader('idempotent-replayed')) return payload;
    let body: unknown = null;
    try {
      body = typeof payload === 'string' ? JSON.parse(payload) : null;
    } catch {
      body = null;
    }
    // One-time secrets (a new API key, a webhook's signing secret) are never stored for replay.
    const redact = request.routeOptions.config?.idempotencyRedact;
    const data = (body as { data?: Record<string, unknown> } | null)?.data;
    if (redact && data) for (const field of redact) if (field in data) data[field] = '[shown only in the first response]';
    await storeResponse(app.database.db, { ...state, statusCode: reply.statusCode, responseBody: body });
    return payload;
  });
});
