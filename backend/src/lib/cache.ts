/**
 * One cache for lookups every request makes (membership, entitlements, plan catalogue).
 *
 * - Without REDIS_URL: an in-process LRU (lru-cache).
 * - With REDIS_URL: Redis shared by every process, with a small in-process LRU in front; an
 *   invalidation deletes the Redis entry and is published on a channel, so each process clears its
 *   local copy at once (a removed member loses access on every instance with the next request).
 *
 * Correctness before speed:
 * - A value is stored only if no invalidation was seen while it was being loaded (an "epoch" counter),
 *   so a read racing with a change cannot put the old value back.
 * - Invalidations run at once and again after the surrounding transaction commits (`afterCommit`,
 *   see db/tenant.ts), or shortly after when there is no such transaction.
 * - When Redis is unreachable the cache steps aside: every lookup reads the database (logged once),
 *   and nothing local is trusted. When Redis returns, the key generation is bumped (entries written
 *   before the outage may have missed invalidations) and caching resumes.
 * - "strict" entries (authorization data) are only cached where every instance hears invalidations:
 *   with Redis, or on the embedded database (one process by construction). On PostgreSQL without
 *   Redis they are read from the database every time.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { transactionHooks } from './transaction-hooks.ts';

export type CacheName = 'membership' | 'entitlements' | 'plan' | (string & {});
export type Consistency = 'strict' | 'relaxed';

export interface CacheStats {
  cache: string;
  result: 'hit' | 'miss' | 'bypass';
  count: number;
}

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** Cached value, or undefined. */
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Removes every key starting with `prefix`. */
  invalidatePrefix(prefix: string): Promise<void>;
  /** The cached value of `key`, else `load()` (stored unless null/undefined or invalidated meanwhile). */
  getOrLoad<T>(name: CacheName, key: string, ttlSeconds: number, load: () => Promise<T>, consistency?: Consistency): Promise<T>;
  /** The value getOrLoad would return without loading, or undefined (not cached, or not cacheable now). */
  peek<T>(name: CacheName, key: string, consistency?: Consistency): Promise<T | undefined>;
  /** Whether lookups are being served from the cache right now (false while Redis is down). */
  healthy(): boolean;
  stats(): CacheStats[];
  close(): Promise<void>;
}

export interface CacheOptions {
  redisUrl?: string;
  logger: Logger;
  /** The database allows one process only (PGlite): local invalidation reaches everyone. */
  singleProcess: boolean;
  /** Key namespace in Redis (tests use one per run). */
  namespace?: string;
  localMax?: number;
  /** Upper bound of the local copy's lifetime in Redis mode. */
  localTtlSeconds?: number;
}

const CHANNEL_SUFFIX = 'invalidate';

interface Message {
  from: string;
  keys?: string[];
  prefixes?: string[];
  flush?: boolean;
}

abstract class BaseCache implements Cache {
  abstract readonly kind: 'memory' | 'redis';
  protected local: LRUCache<string, { v: unknown }>;
  /** Bumped on every invalidation seen (local or remote). */
  protected epoch = 0;
  private counters = new Map<string, number>();
  protected readonly log: Logger;
  constructor(options: CacheOptions) {
    this.log = options.logger;
    this.local = new LRUCache({ max: options.localMax ?? 10_000, ttlAutopurge: false });
  }
  protected count(name: string, result: CacheStats['result']) {
    const k = `${name}\u0000${result}`;
    this.counters.set(k, (this.counters.get(k) ?? 0) + 1);
  }
  stats(): CacheStats[] {
    return [...this.counters].map(([k, count]) => {
      const [cache, result] = k.split('\u0000') as [string, CacheStats['result']];
      return { cache, result, count };
    });
  }
  protected dropLocal(keys: string[], prefixes: string[]) {
    this.epoch++;
    for (const k of keys) this.local.delete(k);
    if (prefixes.length > 0) for (const k of [...this.local.keys()]) if (prefixes.some((p) => k.startsWith(p))) this.local.delete(k);
  }
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  abstract delete(...keys: string[]): Promise<void>;
  abstract invalidatePrefix(prefix: string): Promise<void>;
  abstract healthy(): boolean;
  protected abstract canCache(consistency: Consistency): boolean;
  async getOrLoad<T>(name: CacheName, key: string, ttlSeconds: number, load: () => Promise<T>, consistency: Consistency = 'strict') {
    if (!this.canCache(consistency)) {
      this.count(name, 'bypass');
      return load();
    }
    // Any invalidation from here on means the loaded value may be stale: it is returned, not stored.
    const before = this.epoch;
    const found = await this.get<T>(key);
    if (found !== undefined) {
      this.count(name, 'hit');
      return found;
    }
    this.count(name, 'miss');
    const value = await load();
    if (value !== undefined && value !== null && this.epoch === before && this.canCache(consistency)) {
      await this.set(key, value, ttlSeconds);
    }
    return value;
  }
  async peek<T>(name: CacheName, key: string, consistency: Consistency = 'strict') {
    if (!this.canCache(consistency)) return undefined;
    const found = await this.get<T>(key);
    if (found !== undefined) this.count(name, 'hit');
    return found;
  }
  abstract close(): Promise<void>;
}

class MemoryCache extends BaseCache {
  readonly kind = 'memory' as const;
  private readonly singleProcess: boolean;
  constructor(options: CacheOptions) {
    super(options);
    this.singleProcess = options.singleProcess;
  }
  healthy() {
    return true;
  }
  protected canCache(consistency: Consistency) {
    return consistency === 'relaxed' || this.singleProcess;
  }
  async get<T>(key: string) {
    return this.local.get(key)?.v as T | undefined;
  }
  async set(key: string, value: unknown, ttlSeconds: number) {
    this.local.set(key, { v: value }, { ttl: ttlSeconds * 1000 });
  }
  async delete(...keys: string[]) {
    this.dropLocal(keys, []);
  }
  async invalidatePrefix(prefix: string) {
    this.dropLocal([], [prefix]);
  }
  async close() {
    this.local.clear();
  }
}

class RedisCache extends BaseCache {
  readonly kind = 'redis' as const;
  private readonly id = randomUUID();
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly ns: string;
  private readonly channel: string;
  private readonly localTtl: number;
  private generation: string | undefined;
  /** An invalidation may have been lost (Redis failed): no caching until the generation is bumped. */
  private dirty = false;
  private down = false;
  private recovering: Promise<void> | undefined;
  private closed = false;

  constructor(options: CacheOptions & { redisUrl: string }) {
    super(options);
    this.ns = options.namespace ?? 'atrium:cache';
    this.channel = `${this.ns}:${CHANNEL_SUFFIX}`;
    this.localTtl = options.localTtlSeconds ?? 30;
    const common = {
      lazyConnect: false,
      // Fail fast instead of queueing: a request must never wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (times: number) => Math.min(100 * times, 2_000),
    };
    this.redis = new Redis(options.redisUrl, { ...common, connectionName: 'atrium-cache' });
    this.sub = new Redis(options.redisUrl, { ...common, connectionName: 'atrium-cache-sub' });
    for (const conn of [this.redis, this.sub]) {
      conn.on('error', () => this.markDown());
      conn.on('close', () => this.markDown());
      conn.on('ready', () => void this.recover());
    }
    this.sub.on('message', (_channel: string, raw: string) => this.onMessage(raw));
  }

  private markDown() {
    if (this.closed) return;
    this.local.clear();
    this.epoch++;
    this.dirty = true;
    if (!this.down) {
      this.down = true;
      this.log.warn({ cache: 'redis' }, 'cache: Redis is unavailable; reading from the database until it returns');
    }
  }

  private recover(): Promise<void> {
    if (this.redis.status !== 'ready' || this.sub.status !== 'ready' || this.closed) return Promise.resolve();
    this.recovering ??= (async () => {
      try {
        await this.sub.subscribe(this.channel);
        if (this.dirty && this.generation !== undefined) {
          // Entries written before the outage may have missed an invalidation: start a new generation.
          this.generation = String(await this.redis.incr(`${this.ns}:gen`));
          await this.redis.publish(this.channel, JSON.stringify({ from: this.id, flush: true } satisfies Message));
        } else {
          this.generation = (await this.redis.get(`${this.ns}:gen`)) ?? '0';
        }
        this.local.clear();
        this.epoch++;
        this.dirty = false;
        if (this.down) {
          this.down = false;
          this.log.info({ cache: 'redis' }, 'cache: Redis is back; caching resumed');
        }
      } catch {
        this.markDown();
      } finally {
        this.recovering = undefined;
      }
    })();
    return this.recovering;
  }

  /** Resolves once both connections are ready (or after `timeoutMs`). */
  async ready(timeoutMs = 3_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.healthy() && Date.now() < until) {
      await this.recover();
      if (!this.healthy()) await new Promise((r) => setTimeout(r, 25));
    }
  }

  private onMessage(raw: string) {
    let msg: Message;
    try {
      msg = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (msg.flush) {
      this.local.clear();
      this.epoch++;
      if (msg.from !== this.id) {
        // Pick up the new generation before serving from Redis again.
        this.dirty = true;
        void this.recoverGeneration();
      }
      return;
    }
    if (msg.from === this.id) return;
    this.dropLocal(msg.keys ?? [], msg.prefixes ?? []);
  }

  private async recoverGeneration() {
    try {
      const read = (await this.redis.get(`${this.ns}:gen`)) ?? '0';
      // Never back: this read may answer after our own recovery moved to a newer generation.
      if (this.generation === undefined || Number(read) >= Number(this.generation)) this.generation = read;
      this.local.clear();
      this.epoch++;
      this.dirty = false;
    } catch {
      this.markDown();
    }
  }

  healthy() {
    return !this.closed && !this.dirty && this.generation !== undefined && this.redis.status === 'ready' && this.sub.status === 'ready';
  }
  protected canCache() {
    return this.healthy();
  }
  private full(key: string) {
    return `${this.ns}:${this.generation}:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (!this.healthy()) return undefined;
    const local = this.local.get(key);
    if (local) return local.v as T;
    try {
      const raw = await this.redis.get(this.full(key));
      if (raw === null) return undefined;
      const value = JSON.parse(raw) as T;
      if (this.healthy()) this.local.set(key, { v: value }, { ttl: this.localTtl * 1000 });
      return value;
    } catch {
      this.markDown();
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number) {
    if (!this.healthy()) return;
    const epoch = this.epoch;
    try {
      await this.redis.set(this.full(key), JSON.stringify(value), 'EX', Math.max(1, Math.round(ttlSeconds)));
      if (epoch === this.epoch) this.local.set(key, { v: value }, { ttl: Math.min(ttlSeconds, this.localTtl) * 1000 });
    } catch {
      this.markDown();
    }
  }

  async delete(...keys: string[]) {
    this.dropLocal(keys, []);
    await this.publish({ from: this.id, keys }, async () => {
      if (keys.length > 0) await this.redis.del(...keys.map((k) => this.full(k)));
    });
  }

  async invalidatePrefix(prefix: string) {
    this.dropLocal([], [prefix]);
    await this.publish({ from: this.id, prefixes: [prefix] }, async () => {
      let cursor = '0';
      do {
        const [next, found] = await this.redis.scan(cursor, 'MATCH', `${this.full(prefix)}*`, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) await this.redis.del(...found);
      } while (cursor !== '0');
    });
  }

  private async publish(msg: Message, remove: () => Promise<void>) {
    if (this.generation === undefined || this.redis.status !== 'ready') {
      // Could not tell the others: nobody may trust cached entries until the generation moves on.
      this.markDown();
      return;
    }
    try {
      await remove();
      await this.redis.publish(this.channel, JSON.stringify(msg));
    } catch {
      this.markDown();
    }
  }

  async close() {
    this.closed = true;
    this.local.clear();
    this.redis.disconnect();
    this.sub.disconnect();
  }
}

export async function createCache(options: CacheOptions): Promise<Cache> {
  if (!options.redisUrl) return new MemoryCache(options);
  const cache = new RedisCache({ ...options, redisUrl: options.redisUrl });
  await cache.ready();
  if (!cache.healthy()) options.logger.warn({ cache: 'redis' }, 'cache: Redis not reachable at start; reading from the database');
  return cache;
}

// ---- the process's caches --------------------------------------------------------------------------

/** Caches of the runtimes living in this process (one in production; tests may start several). */
const installed: Cache[] = [];

export function installCache(cache: Cache): void {
  installed.push(cache);
}

export function uninstallCache(cache: Cache): void {
  const i = installed.indexOf(cache);
  if (i >= 0) installed.splice(i, 1);
}

/** Lookups by cache and result, summed over the process's caches (for /metrics). */
export function cacheStats(): CacheStats[] {
  const sum = new Map<string, CacheStats>();
  for (const c of installed)
    for (const s of c.stats()) {
      const k = `${s.cache}/${s.result}`;
      const row = sum.get(k) ?? { ...s, count: 0 };
      row.count += s.count;
      sum.set(k, row);
    }
  return [...sum.values()];
}

/** `load()` through the process cache (or straight to `load()` when no runtime installed one). */
export function cached<T>(
  name: CacheName,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T>,
  consistency: Consistency = 'strict',
): Promise<T> {
  const cache = installed.at(-1);
  return cache ? cache.getOrLoad(name, key, ttlSeconds, load, consistency) : load();
}

/** What `cached` would return without loading it, or undefined: for a caller that has no transaction to load with. */
export function peekCached<T>(name: CacheName, key: string, consistency: Consistency = 'strict'): Promise<T | undefined> {
  const cache = installed.at(-1);
  return cache ? cache.peek<T>(name, key, consistency) : Promise.resolve(undefined);
}

export interface Invalidation {
  keys?: string[];
  prefixes?: string[];
}

async function invalidateNow(inv: Invalidation) {
  for (const cache of installed) {
    if (inv.keys?.length) await cache.delete(...inv.keys);
    for (const p of inv.prefixes ?? []) await cache.invalidatePrefix(p);
  }
}

/**
 * Drops cached entries everywhere: now, and again once the surrounding transaction has committed
 * (so a read that raced with the change cannot leave the old value behind). Outside such a
 * transaction the second pass runs shortly after. Never throws.
 */
export async function invalidateCache(inv: Invalidation): Promise<void> {
  if (installed.length === 0) return;
  await invalidateNow(inv).catch(() => {});
  const hooks = transactionHooks.getStore();
  if (hooks) hooks.afterEnd.push(() => invalidateNow(inv).catch(() => {}));
  else setTimeout(() => void invalidateNow(inv).catch(() => {}), 500).unref();
}

/** Cache keys, in one place. */
export const cacheKeys = {
  membership: (tenantId: string, userId: string) => `mem:${tenantId}:${userId}`,
  memberships: (tenantId: string) => `mem:${tenantId}:`,
  entitlements: (tenantId: string) => `ent:${tenantId}`,
  webhooks: (tenantId: string) => `whk:${tenantId}`,
  plan: (planId: string) => `plan:${planId}`,
  plans: 'plan:',
};
