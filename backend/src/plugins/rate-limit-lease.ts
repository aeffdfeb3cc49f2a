/**
 * Rate-limit counts in Redis taken in leases, so a busy caller does not cost a Redis round trip on
 * every request (plugins/rate-limit.ts uses it whenever REDIS_URL is set).
 *
 * @fastify/rate-limit's RedisStore sends one `INCR` script per request and waits for it. This store
 * reserves `n` consecutive counts of a key at once (`INCRBY n`, same expiry rule as RedisStore) and
 * hands them out locally, one per request, numbered as Redis numbered them. What it keeps:
 *
 * - Never more than the limit: every request is counted in Redis before it is allowed (a reserved
 *   count is already in the shared total), so all processes together still admit at most `max` per
 *   window. Counts reserved and not used before the window ends were counted anyway: an error on the
 *   strict side (another process may refuse a request a little early, never late).
 * - Exactly the old behaviour for ordinary callers: a lease is 1 count unless the previous lease of
 *   the key was used up within a second (a busy caller), then it doubles, up to 64; and it is never
 *   more than 1/8 of what is left of the limit, so near the limit every request asks Redis again.
 * - Requests of one key that arrive while a lease is being taken wait for it instead of each sending
 *   their own (one round trip serves them all).
 * - Errors are passed on, so the failover store falls back to per-process counting as before.
 */
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

type Result = { current: number; ttl: number };
type Callback = (err: Error | null, result?: Result) => void;

const MAX_LEASE = 64;
/** A lease takes at most this fraction (1/LEASE_SHARE) of what is left of the limit. */
const LEASE_SHARE = 8;
/** A lease used up faster than this makes the next one twice as large. */
const BUSY_MS = 1_000;

// Like @fastify/rate-limit's script (INCR, expiry set when the key is new), for `n` counts at once.
const LEASE_LUA = `
local n = tonumber(ARGV[2])
local current = redis.call('INCRBY', KEYS[1], n)
local ttl
if current == n then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
else
  ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
  end
end
return {current, ttl}`;

interface Lease {
  /** The next count to hand out, and the last one reserved. */
  next: number;
  last: number;
  /** End of the key's window (local clock). */
  expiresAt: number;
  /** Redis' total after the last reservation. */
  counted: number;
  size: number;
  takenAt: number;
  /** Requests waiting for a reservation in flight (null: none in flight). */
  waiting: { cb: Callback; max: number }[] | null;
}

type LeaseCommand = (key: string, timeWindow: number, n: number, cb: (err: Error | null, res?: [number, number]) => void) => void;

export class LeasedRedisStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly leases = new LRUCache<string, Lease>({ max: 10_000 });

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
    if (!(redis as unknown as { atriumRateLease?: unknown }).atriumRateLease) {
      redis.defineCommand('atriumRateLease', { numberOfKeys: 1, lua: LEASE_LUA });
    }
  }

  incr(key: string, cb: Callback, timeWindow: number, max: number): void {
    const now = Date.now();
    let lease = this.leases.get(key);
    if (!lease || (lease.expiresAt <= now && !lease.waiting)) {
      lease = { next: 1, last: 0, expiresAt: 0, counted: 0, size: 0, takenAt: 0, waiting: null };
      this.leases.set(key, lease);
    }
    if (lease.next <= lease.last && lease.expiresAt > now) {
      cb(null, { current: lease.next++, ttl: lease.expiresAt - now });
      return;
    }
    if (lease.waiting) {
      lease.waiting.push({ cb, max });
      return;
    }
    this.take(key, lease, timeWindow, [{ cb, max }]);
  }

  private take(key: string, lease: Lease, timeWindow: number, waiting: { cb: Callback; max: number }[]): void {
    const now = Date.now();
    const sameWindow = lease.expiresAt > now;
    const busy = sameWindow && lease.size > 0 && now - lease.takenAt < BUSY_MS;
    const max = Math.min(...waiting.map((w) => w.max));
    const room = max - (sameWindow ? lease.counted : 0);
    const n = Math.max(1, Math.min(busy ? lease.size * 2 : 1, MAX_LEASE, Math.floor(room / LEASE_SHARE)));
    lease.waiting = waiting;
    (this.redis as unknown as { atriumRateLease: LeaseCommand }).atriumRateLease(this.prefix + key, timeWindow, n, (err, res) => {
      const queue = lease.waiting ?? [];
      lease.waiting = null;
      if (err || !res) {
        this.leases.delete(key);
        for (const w of queue) w.cb(err ?? new Error('rate limit lease: no answer'));
        return;
      }
      const [total, ttl] = res;
      const at = Date.now();
      lease.counted = total;
      lease.last = total;
      lease.next = total - n + 1;
      lease.size = n;
      lease.takenAt = at;
      lease.expiresAt = at + ttl;
      while (queue.length > 0 && lease.next <= lease.last) {
        (queue.shift() as { cb: Callback }).cb(null, { current: lease.next++, ttl });
      }
      if (queue.length > 0) this.take(key, lease, timeWindow, queue);
    });
  }

  child(routeOptions: { routeInfo: { method: string; url: string } }): LeasedRedisStore {
    return new LeasedRedisStore(this.redis, `${this.prefix}${routeOptions.routeInfo.method}${routeOptions.routeInfo.url}-`);
  }
}
