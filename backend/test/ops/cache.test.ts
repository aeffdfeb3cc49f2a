/**
 * The cache (lib/cache.ts): membership, entitlement and plan lookups are served from it, every change
 * invalidates them so the next request sees it (role change, removal, plan change), the hit ratio is
 * in /metrics; with Redis, two caches (two instances) share invalidations, and Redis going down
 * breaks nothing (the database answers) and caching resumes when it returns.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, createCache } from '../../src/lib/cache.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';
import { addMember, createProject, createTenant, setPlan } from '../helpers/workspace.ts';
import { isPostgres, type PrivateRedis, startRedis } from './processes.ts';

/** atrium_cache_requests_total{cache,result} from /metrics. */
async function cacheCounts(t: TestApp): Promise<Record<string, number>> {
  const text = (await t.app.inject({ url: '/metrics' })).body;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^atrium_cache_requests_total\{cache="([^"]+)",result="([^"]+)"\} (\d+)/gm))
    out[`${m[1]}:${m[2]}`] = Number(m[3]);
  return out;
}

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { lines, logger };
}

describe('cache in front of membership, entitlements and plans', () => {
  let t: TestApp;
  let owner: TestUser;
  let editor: TestUser;
  let tenantId: string;
  // PGlite (one process): the in-process LRU caches everything. PostgreSQL: another process could
  // change the rows, so authorization data is cached only with Redis; use a private one.
  let redis: PrivateRedis | undefined;

  beforeAll(async () => {
    if (isPostgres()) redis = await startRedis();
    t = await startTestApp({ work: true, env: redis ? { REDIS_URL: redis.url } : {} });
    owner = await createUser(t.app, { label: 'owner' });
    tenantId = await createTenant(t.app, owner);
    editor = await addMember(t.app, tenantId, owner, 'editor');
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('serves repeated membership lookups from the cache and counts hits in /metrics', async () => {
    const before = await cacheCounts(t);
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h });
      expect(res.statusCode).toBe(200);
    }
    const after = await cacheCounts(t);
    expect((after['membership:hit'] ?? 0) - (before['membership:hit'] ?? 0)).toBeGreaterThanOrEqual(4);
    expect(t.cache.kind).toBe(redis ? 'redis' : 'memory');
  });

  it('a role change takes effect on the very next request', async () => {
    expect((await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).json().data.role).toBe('editor');
    const members = (await t.app.inject({ url: `/api/v1/tenants/${tenantId}/members`, headers: owner.h })).json().data as {
      id: string;
      userId: string;
    }[];
    const memberId = members.find((m) => m.userId === editor.id)?.id as string;
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenantId}/members/${memberId}`,
      headers: owner.h,
      payload: { role: 'viewer' },
    });
    expect(changed.statusCode).toBe(200);
    const now = await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h });
    expect(now.json().data.role).toBe('viewer');
    const write = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/projects`,
      headers: editor.h,
      payload: { name: 'Nope' },
    });
    expect(write.statusCode).toBe(403);

    // Removal: the next request is refused (404: the tenant no longer exists for them).
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenantId}/members/${memberId}`, headers: owner.h });
    expect(removed.statusCode).toBeLessThan(300);
    expect((await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).statusCode).toBe(404);
  });

  it('a plan change reaches the cached entitlements at once', async () => {
    for (let i = 0; i < 3; i++) await createProject(t.app, tenantId, owner, `P${i}`);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/projects`,
      headers: owner.h,
      payload: { name: 'P4' },
    });
    expect(refused.json().error?.code).toBe('plan_limit_reached');
    const counts = await cacheCounts(t);
    expect(counts['entitlements:hit'] ?? 0).toBeGreaterThan(0);
    await setPlan(t.database, tenantId, 'pro');
    const allowed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/projects`,
      headers: owner.h,
      payload: { name: 'P4' },
    });
    expect(allowed.statusCode).toBe(201);
  });

  it('a deleted tenant disappears for its members at once', async () => {
    const mine = await createTenant(t.app, owner, 'Doomed');
    expect((await t.app.inject({ url: `/api/v1/tenants/${mine}`, headers: owner.h })).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${mine}`, headers: owner.h });
    expect(del.statusCode).toBeLessThan(300);
    expect((await t.app.inject({ url: `/api/v1/tenants/${mine}`, headers: owner.h })).statusCode).toBe(404);
  });
});

describe('without Redis on PostgreSQL', () => {
  it('never caches authorization data (another process could not tell this one to forget it)', async () => {
    const { logger } = logSink();
    const cache = await createCache({ logger, singleProcess: false });
    let loads = 0;
    const load = async () => ++loads;
    await cache.getOrLoad('membership', 'mem:x:y', 60, load);
    await cache.getOrLoad('membership', 'mem:x:y', 60, load);
    expect(loads).toBe(2);
    expect(cache.stats()).toContainEqual({ cache: 'membership', result: 'bypass', count: 2 });
    // The plan catalogue (changed only by a deployment) is cached per process.
    await cache.getOrLoad('plan', 'plan:free', 60, load, 'relaxed');
    await cache.getOrLoad('plan', 'plan:free', 60, load, 'relaxed');
    expect(loads).toBe(3);
    await cache.close();
  });
});

describe('Redis cache shared by two instances', () => {
  let redis: PrivateRedis;
  const caches: Cache[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of caches) await c.close();
    await redis?.stop();
  });

  async function instance() {
    const sink = logSink();
    const cache = await createCache({ redisUrl: redis.url, logger: sink.logger, singleProcess: false, localTtlSeconds: 60 });
    caches.push(cache);
    return { cache, ...sink };
  }

  it('a value loaded on A is served to B from Redis; an invalidation on A clears B’s local copy at once', async () => {
    const a = await instance();
    const b = await instance();
    expect(a.cache.kind).toBe('redis');
    let loads = 0;
    const load = async () => {
      loads++;
      return { role: loads === 1 ? 'editor' : 'viewer' };
    };
    expect(await a.cache.getOrLoad('membership', 'mem:t1:u1', 60, load)).toEqual({ role: 'editor' });
    expect(await b.cache.getOrLoad('membership', 'mem:t1:u1', 60, load)).toEqual({ role: 'editor' });
    // Served from B's local copy now (no Redis round trip needed), still one load in all.
    expect(await b.cache.getOrLoad('membership', 'mem:t1:u1', 60, load)).toEqual({ role: 'editor' });
    expect(loads).toBe(1);

    await a.cache.delete('mem:t1:u1');
    // B hears of it through pub/sub within milliseconds; its next lookup loads the new value.
    await waitFor(async () => (await b.cache.get('mem:t1:u1')) === undefined, { timeoutMs: 2_000, intervalMs: 5 });
    expect(await b.cache.getOrLoad('membership', 'mem:t1:u1', 60, load)).toEqual({ role: 'viewer' });
    expect(loads).toBe(2);

    // Prefix invalidation (a deleted tenant): every key of the tenant, on both instances.
    await a.cache.getOrLoad('membership', 'mem:t2:u1', 60, async () => ({ role: 'owner' }));
    await b.cache.getOrLoad('membership', 'mem:t2:u2', 60, async () => ({ role: 'member' }));
    await b.cache.invalidatePrefix('mem:t2:');
    await waitFor(async () => (await a.cache.get('mem:t2:u1')) === undefined && (await a.cache.get('mem:t2:u2')) === undefined, {
      timeoutMs: 2_000,
      intervalMs: 5,
    });
    expect(await b.cache.get('mem:t1:u1')).toEqual({ role: 'viewer' });
  });

  it('a load racing with an invalidation does not store the old value', async () => {
    const a = await instance();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = a.cache.getOrLoad('membership', 'mem:race:u', 60, async () => {
      await gate;
      return { role: 'owner' };
    });
    await a.cache.delete('mem:race:u');
    release();
    expect(await slow).toEqual({ role: 'owner' });
    expect(await a.cache.get('mem:race:u')).toBeUndefined();
  });

  it('Redis down: lookups go to the loader (logged once), then caching resumes with a new generation', async () => {
    const a = await instance();
    const b = await instance();
    await a.cache.getOrLoad('membership', 'mem:outage:u', 60, async () => ({ role: 'admin' }));
    expect(await b.cache.get('mem:outage:u')).toEqual({ role: 'admin' });

    await redis.stop();
    await waitFor(async () => !a.cache.healthy() && !b.cache.healthy(), { timeoutMs: 5_000, intervalMs: 20 });
    let loads = 0;
    for (let i = 0; i < 3; i++) {
      const v = await b.cache.getOrLoad('membership', 'mem:outage:u', 60, async () => {
        loads++;
        return { role: 'viewer' };
      });
      expect(v).toEqual({ role: 'viewer' });
    }
    expect(loads).toBe(3);
    // An invalidation during the outage cannot reach Redis; it must not be lost either.
    await a.cache.delete('mem:outage:u');
    expect(b.lines.filter((l) => String(l.msg).includes('Redis is unavailable'))).toHaveLength(1);

    await redis.start();
    await waitFor(async () => a.cache.healthy() && b.cache.healthy(), { timeoutMs: 10_000, intervalMs: 50 });
    // The entry written before the outage belongs to an old generation: never served again.
    expect(await b.cache.get('mem:outage:u')).toBeUndefined();
    expect(await a.cache.get('mem:outage:u')).toBeUndefined();
    // Both recovered and each started a generation; the one that recovered first moves to the other's
    // when its flush message arrives (until then it misses, which is safe): they converge. A value B
    // stores before it has moved is stored under the generation it leaves (and its local copy dropped
    // with the flush), so B loads again until A is served what B loaded.
    const shared = await waitFor(
      async () => {
        await b.cache.getOrLoad('membership', 'mem:outage:u', 60, async () => ({ role: 'viewer' }));
        return a.cache.get('mem:outage:u');
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(shared).toEqual({ role: 'viewer' });
    expect(b.lines.some((l) => String(l.msg).includes('Redis is back'))).toBe(true);
  });
});

describe('the app with REDIS_URL, while Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let owner: TestUser;
  let tenantId: string;

  beforeAll(async () => {
    redis = await startRedis();
    t = await startTestApp({ work: true, env: { REDIS_URL: redis.url } });
    owner = await createUser(t.app, { label: 'owner' });
    tenantId = await createTenant(t.app, owner);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('keeps answering from the database when Redis is down, and caches again when it is back', async () => {
    expect(t.cache.kind).toBe('redis');
    const get = () => t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: owner.h });
    expect((await get()).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(200);
    const warm = await cacheCounts(t);
    expect(warm['membership:hit'] ?? 0).toBeGreaterThan(0);

    await redis.stop();
    await waitFor(async () => !t.cache.healthy(), { timeoutMs: 5_000, intervalMs: 20 });
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect((await get()).statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(6_000); // no request waits for Redis
    const down = await cacheCounts(t);
    expect((down['membership:bypass'] ?? 0) - (warm['membership:bypass'] ?? 0)).toBeGreaterThanOrEqual(3);

    await redis.start();
    await waitFor(async () => t.cache.healthy(), { timeoutMs: 10_000, intervalMs: 50 });
    expect((await get()).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(200);
    const back = await cacheCounts(t);
    expect((back['membership:hit'] ?? 0) - (down['membership:hit'] ?? 0)).toBeGreaterThan(0);
  });
});
