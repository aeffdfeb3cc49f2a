/**
 * The leased Redis rate-limit store (plugins/rate-limit-lease.ts), against the real Redis: a caller at
 * an ordinary pace is counted exactly as before (one count per request, in Redis); a busy caller costs
 * far fewer round trips; and two processes sharing Redis never admit more than the limit between them.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LeasedRedisStore } from '../../src/plugins/rate-limit-lease.ts';

const REDIS = { host: '127.0.0.1', port: 6379 };
const connections: Redis[] = [];

function connect() {
  const redis = new Redis(REDIS);
  connections.push(redis);
  return redis;
}

afterAll(() => {
  for (const r of connections) r.disconnect();
});

/** A store and the number of Redis round trips it made. */
function store(redis: Redis, ns: string) {
  const s = new LeasedRedisStore(redis, ns);
  const command = (redis as unknown as { atriumRateLease: (...a: unknown[]) => unknown }).atriumRateLease;
  const counter = { trips: 0 };
  (redis as unknown as { atriumRateLease: (...a: unknown[]) => unknown }).atriumRateLease = function (this: unknown, ...a: unknown[]) {
    counter.trips++;
    return command.apply(this, a);
  };
  const incr = (key: string, max: number, windowMs = 60_000) =>
    new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      s.incr(key, (err, res) => (err || !res ? reject(err) : resolve(res)), windowMs, max),
    );
  return { incr, counter };
}

describe('leased rate-limit store', () => {
  it('counts a caller at an ordinary pace one request at a time, in Redis, as before', async () => {
    const redis = connect();
    const ns = `atrium-rl-test:${randomUUID()}:`;
    const { incr, counter } = store(redis, ns);
    const currents: number[] = [];
    for (let i = 0; i < 13; i++) {
      currents.push((await incr('k', 10)).current);
      await new Promise((r) => setTimeout(r, 5));
    }
    // Limit 10: every lease is 1 count (1/8 of what is left is below 2), so every request asked Redis.
    expect(currents).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(counter.trips).toBe(13);
    expect(Number(await redis.get(`${ns}k`))).toBe(13);
    expect(await redis.pttl(`${ns}k`)).toBeGreaterThan(50_000);
  });

  it('serves a busy caller with far fewer round trips, every request counted in Redis first', async () => {
    const redis = connect();
    const ns = `atrium-rl-test:${randomUUID()}:`;
    const { incr, counter } = store(redis, ns);
    const currents: number[] = [];
    for (let burst = 0; burst < 20; burst++) {
      const results = await Promise.all(Array.from({ length: 25 }, () => incr('busy', 1_000_000)));
      currents.push(...results.map((r) => r.current));
    }
    expect(new Set(currents).size).toBe(500); // each request has its own place in the count
    const total = Number(await redis.get(`${ns}busy`));
    expect(Math.max(...currents)).toBeLessThanOrEqual(total); // nothing admitted that Redis has not counted
    expect(total - 500).toBeLessThan(64); // at most one lease's worth reserved and not yet used
    expect(counter.trips).toBeLessThan(40); // instead of 500
  });

  it('two processes sharing Redis never admit more than the limit between them', async () => {
    const ns = `atrium-rl-test:${randomUUID()}:`;
    const a = store(connect(), ns);
    const b = store(connect(), ns);
    const max = 200;
    let admitted = 0;
    for (let round = 0; round < 30; round++) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).incr('shared', max).then((r) => r.current)),
      );
      admitted += results.filter((current) => current <= max).length;
    }
    // 600 requests against a limit of 200: at most 200 admitted, and the reservations left
    // unused when the limit was reached cost at most a few early refusals.
    expect(admitted).toBeLessThanOrEqual(max);
    expect(admitted).toBeGreaterThanOrEqual(max - 2 * 64);
    expect(a.counter.trips + b.counter.trips).toBeLessThan(600);
  });

  it('starts a new window when the key expires', async () => {
    const redis = connect();
    const ns = `atrium-rl-test:${randomUUID()}:`;
    const { incr } = store(redis, ns);
    expect((await incr('w', 10, 150)).current).toBe(1);
    expect((await incr('w', 10, 150)).current).toBe(2);
    await new Promise((r) => setTimeout(r, 250));
    const next = await incr('w', 10, 150);
    expect(next.current).toBe(1);
    expect(next.ttl).toBeLessThanOrEqual(150);
  });

  it('passes Redis errors on (the failover store then counts per process)', async () => {
    const redis = new Redis({ ...REDIS, port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    connections.push(redis);
    redis.on('error', () => {});
    const { incr } = store(redis, 'atrium-rl-test:down:');
    await expect(incr('x', 10)).rejects.toThrow();
  });
});
