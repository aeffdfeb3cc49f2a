/**
 * Rate limits (@fastify/rate-limit): counted per API key, else per user, else per client IP, per
 * minute, with the number from the tenant's plan (`api_requests_per_minute`); stricter on /api/auth.
 * Answers carry RateLimit-Limit/-Remaining/-Reset (and Retry-After on 429).
 *
 * With REDIS_URL every API process shares one count. If Redis fails mid-run, counting falls back to
 * this process's memory (logged once) and returns to Redis when it is back: the API keeps serving.
 */
import { createRequire } from 'node:module';
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config.ts';
import { withTenant } from '../db/tenant.ts';
import { AppError } from '../lib/errors.ts';
import { getEntitlements } from '../modules/plans/entitlements.ts';

type Store = FastifyRateLimitStore;
type StoreCtor = new (...args: unknown[]) => Store;
// The stores shipped with @fastify/rate-limit (CommonJS, without type declarations of their own).
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore') as StoreCtor;
const RedisStore = require('@fastify/rate-limit/store/RedisStore') as StoreCtor;

const NAMESPACE = 'atrium-rl:';

/** A store that uses Redis while it answers and this process's memory while it does not. */
function failoverStore(redis: Redis | undefined, log: FastifyBaseLogger) {
  let degraded = false;
  redis?.on('ready', () => {
    if (degraded) log.warn('rate limiting: Redis is back; counting is shared again');
    degraded = false;
  });
  return class FailoverStore {
    private readonly local: Store;
    private readonly remote: Store | undefined;

    constructor(params: { continueExceeding?: boolean; exponentialBackoff?: boolean }, local?: Store, remote?: Store) {
      this.local = local ?? new LocalStore(params.continueExceeding, params.exponentialBackoff, 10_000);
      this.remote = remote ?? (redis ? new RedisStore(params.continueExceeding, params.exponentialBackoff, redis, NAMESPACE) : undefined);
    }

    incr(key: string, cb: (err: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number) {
      if (!this.remote || degraded || redis?.status !== 'ready') {
        if (this.remote && !degraded) {
          degraded = true;
          log.warn('rate limiting: Redis unavailable; counting per process until it returns');
        }
        return this.local.incr(key, cb, timeWindow, max);
      }
      this.remote.incr(
        key,
        (err, result) => {
          if (!err) return cb(null, result);
          if (!degraded) log.warn({ err }, 'rate limiting: Redis failed; counting per process until it returns');
          degraded = true;
          this.local.incr(key, cb, timeWindow, max);
        },
        timeWindow,
        max,
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]) {
      return new FailoverStore(
        routeOptions as { continueExceeding?: boolean },
        this.local.child(routeOptions) as Store,
        this.remote?.child(routeOptions) as Store | undefined,
      );
    }
  };
}

/** Counted per API key; per user (and per tenant on tenant routes, whose plan sets the number); else per IP. */
function principalKey(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.kind === 'api_key') return `k:${p.keyId}`;
  if (p?.kind === 'user') {
    const tenantId = (request.params as { tenantId?: string } | undefined)?.tenantId;
    return tenantId ? `u:${p.userId}:t:${tenantId}` : `u:${p.userId}`;
  }
  return `ip:${request.ip}`;
}

export default fp(async function rateLimitPlugin(app: FastifyInstance, opts: { config: AppConfig }) {
  if (!opts.config.rateLimits.enabled) return;
  const redis = opts.config.redisUrl
    ? new Redis(opts.config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1_000,
        commandTimeout: 300,
        retryStrategy: (times) => Math.min(times * 250, 2_000),
        lazyConnect: false,
      })
    : undefined;
  redis?.on('error', () => {}); // reported through the store's fallback log
  app.addHook('onClose', async () => {
    redis?.disconnect();
  });

  // Per-minute number per tenant plan, cached briefly so limits cost no query per request.
  const planCache = new Map<string, { value: number; until: number }>();
  const perMinuteFor = async (tenantId: string): Promise<number> => {
    const hit = planCache.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.value;
    const entitlements = await withTenant(app.database.db, { tenantId }, (tx) => getEntitlements(tx, tenantId), { lookup: true });
    const value = entitlements.limits.api_requests_per_minute;
    planCache.set(tenantId, { value, until: Date.now() + 30_000 });
    return value;
  };

  await app.register(rateLimit, {
    global: true,
    hook: 'preValidation',
    timeWindow: 60_000,
    enableDraftSpec: true,
    store: failoverStore(redis, app.log) as never,
    keyGenerator: principalKey,
    max: async (request) => {
      const p = request.principal;
      if (p?.kind === 'api_key') return perMinuteFor(p.tenantId);
      if (p?.kind === 'user') {
        const tenantId = (request.params as { tenantId?: string } | undefined)?.tenantId;
        return tenantId && /^ten_[A-Za-z0-9]{22}$/.test(tenantId)
          ? Math.max(await perMinuteFor(tenantId), 60)
          : opts.config.rateLimits.userPerMinute;
      }
      return opts.config.rateLimits.anonymousPerMinute;
    },
    allowList: (request) =>
      ['/healthz', '/readyz', '/metrics'].includes(request.url.split('?')[0] ?? '') || request.url.startsWith('/docs'),
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many requests; retry in ${context.after}`, { limit: context.max, retryAfter: context.after }),
  });
});

/** Route config for the authentication endpoints: a stricter limit per client IP. */
export function authRouteRateLimit(config: AppConfig) {
  return { max: config.rateLimits.authPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => `auth-ip:${request.ip}` };
}
