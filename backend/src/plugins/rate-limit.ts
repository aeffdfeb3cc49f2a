/**
 * Rate limits (@fastify/rate-limit): counted per API key, else per user, else per client IP, per
 * minute, with the number from the tenant's plan (`api_requests_per_minute`); stricter on /api/auth.
 * Answers carry RateLimit-Limit/-Remaining/-Reset (and Retry-After on 429).
 *
 * With REDIS_URL every API process shares one count. If Redis fails mid-run, counting falls back to
 * this process's memory (logged once) and returns to Redis when it is back: the API keeps serving.
 */
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config.ts';
import { withTenant } from '../db/tenant.ts';
import { AppError } from '../lib/errors.ts';
import { getEntitlements } from '../modules/plans/entitlements.ts';
import { LeasedRedisStore } from './rate-limit-lease.ts';

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
      // Counts reserved in leases (rate-limit-lease.ts): no Redis round trip per request for busy callers.
      this.remote =
        remote ??
        (redis
          ? params.continueExceeding || params.exponentialBackoff
            ? new RedisStore(params.continueExceeding, params.exponentialBackoff, redis, NAMESPACE)
            : (new LeasedRedisStore(redis, NAMESPACE) as unknown as Store)
          : undefined);
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
  return `ip:${ipKey(request.ip)}`;
}

/**
 * The client address as a rate-limit key. An IPv6 client usually holds a whole /64 (one subscriber's
 * allocation), so its addresses count together; IPv4 (and IPv4-mapped IPv6) count per address.
 */
export function ipKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Per-account limits on the credential endpoints, on top of Better Auth's per-IP limits: an attacker
 * spreading guesses for one account over many addresses is stopped too. Keyed by the normalized email
 * of the request body, in the same store as every other limit (shared through Redis when set).
 */
export const ACCOUNT_LIMITED_PATHS: Record<string, string> = {
  '/api/auth/sign-in/email': 'sign-in',
  '/api/auth/request-password-reset': 'reset',
  '/api/auth/forget-password': 'reset',
};
export const ACCOUNT_LIMIT = { max: 10, timeWindowMs: 15 * 60_000 };

function emailOf(body: unknown): string | undefined {
  let value: unknown;
  if (typeof body === 'string') {
    try {
      value = (JSON.parse(body) as { email?: unknown } | null)?.email;
    } catch {
      value = new URLSearchParams(body).get('email');
    }
  } else if (body && typeof body === 'object') value = (body as { email?: unknown }).email;
  return typeof value === 'string' && value.trim() ? value.normalize('NFKC').trim().toLowerCase() : undefined;
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
  // Start counting in Redis from the first request: wait (at most 2 s) for the connection before the
  // API listens. An unreachable Redis does not stop the start; counting is per process until it answers.
  if (redis && redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 2_000);
      function done() {
        clearTimeout(timer);
        redis?.off('ready', done);
        resolve();
      }
      redis.once('ready', done);
    });
  }

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

  const accountLimiter = app.createRateLimit({
    max: ACCOUNT_LIMIT.max,
    timeWindow: ACCOUNT_LIMIT.timeWindowMs,
    keyGenerator: (request) => {
      const path = request.url.split('?')[0] ?? '';
      return `acct:${ACCOUNT_LIMITED_PATHS[path]}:${emailOf(request.body)}`;
    },
  });
  app.addHook('preHandler', async (request, reply) => {
    const kind = ACCOUNT_LIMITED_PATHS[request.url.split('?')[0] ?? ''];
    if (request.method !== 'POST' || !kind || !emailOf(request.body)) return;
    const result = await accountLimiter(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', String(result.ttlInSeconds));
    throw new AppError('rate_limited', `Too many attempts for this account; retry in ${result.ttlInSeconds} seconds`, {
      retryAfter: result.ttlInSeconds,
    });
  });
});

/** Route config for the authentication endpoints: a stricter limit per client IP. */
export function authRouteRateLimit(config: AppConfig) {
  return {
    max: config.rateLimits.authPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `auth-ip:${ipKey(request.ip)}`,
  };
}
