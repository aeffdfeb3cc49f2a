/**
 * Scenario 3: Redis disappears under load, then comes back.
 *
 * The API runs with REDIS_URL (rate limits switched on, so the shared counters live in Redis; the
 * shared cache of lib/cache.ts uses it too where it is wired in). A private redis-server is killed
 * with SIGKILL mid-load and restarted, empty, on the same port a few seconds later.
 * - The API keeps serving: every request answers 2xx, none slow (limits count per process meanwhile,
 *   and the rate-limit headers are still sent);
 * - it goes back to Redis by itself: keys appear in the new, empty Redis within 5 s of its return.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiProcess,
  bootstrapWorkspace,
  CI_MODE,
  type HttpResult,
  http,
  PrivatePostgres,
  PrivateRedis,
  sleep,
  type Workspace,
} from './harness.ts';
import { Scenario } from './report.ts';

const CLIENTS = 4;
const WARM_MS = CI_MODE ? 2_000 : 4_000;
const OUTAGE_MS = CI_MODE ? 4_000 : 8_000;
const AFTER_MS = CI_MODE ? 5_000 : 10_000;

interface Sample extends HttpResult {
  start: number;
  end: number;
  limited: boolean;
}

const report = new Scenario(3, 'Redis killed and restarted under load');
let pgdb: PrivatePostgres;
let redis: PrivateRedis;
let api: ApiProcess;
let ws: Workspace;

beforeAll(async () => {
  pgdb = await PrivatePostgres.create();
  redis = await PrivateRedis.create();
  api = await ApiProcess.start({
    DATABASE_URL: pgdb.url,
    REDIS_URL: redis.url,
    RATE_LIMITS: 'on',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000',
  });
  ws = await bootstrapWorkspace(api.base, pgdb, 'redis');
});

afterAll(async () => {
  report.save();
  await api?.kill();
  await redis?.kill();
  await pgdb?.destroy();
});

const dbsize = async () => Number(/:(\d+)/.exec(await redis.command('DBSIZE').catch(() => ''))?.[1] ?? -1);

describe('Redis outage under load', () => {
  it('keeps serving while Redis is gone and goes back to it when it returns', async () => {
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const samples: Sample[] = [];
    let stop = false;
    let seq = 0;
    const run = Date.now().toString(36);

    const client = async (n: number) => {
      while (!stop) {
        const start = now();
        const write = ++seq % 4 === n % 4;
        const r = write
          ? await http(api.base, 'POST', `/api/v1/tenants/${ws.tenantId}/tasks`, {
              headers: ws.headers,
              body: { projectId: ws.projectId, title: `Redis ${run} #${seq}` },
            })
          : await http(api.base, 'GET', `/api/v1/tenants/${ws.tenantId}/tasks?limit=20`, { headers: ws.headers });
        samples.push({ ...r, start, end: now(), limited: r.headers?.has('ratelimit-limit') ?? false });
        await sleep(60);
      }
    };

    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    await sleep(WARM_MS);
    const keysBefore = await dbsize();
    const downAt = now();
    await redis.kill();
    await sleep(OUTAGE_MS);
    await redis.start();
    const upAt = now();
    let backMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 100 && now() - upAt < AFTER_MS; i++) {
      if ((await dbsize()) > 0) {
        backMs = now() - upAt;
        break;
      }
      await sleep(100);
    }
    await sleep(Math.max(0, AFTER_MS - (now() - upAt)));
    stop = true;
    await load;

    const during = samples.filter((s) => s.end >= downAt && s.start <= upAt);
    const errors = samples.filter((s) => s.status < 200 || s.status >= 300);
    const maxDuring = Math.max(0, ...during.map((s) => s.ms));
    report.figure('requests', samples.length);
    report.figure('during outage', during.length);
    report.figure('errors', errors.length);
    report.figure('max latency during outage', `${Math.round(maxDuring)} ms`);
    report.figure('keys in Redis before', keysBefore);
    report.figure('back on Redis after', Number.isFinite(backMs) ? `${Math.round(backMs)} ms` : 'never');

    await report.check(() => {
      expect(keysBefore, 'Redis was in use before the fault').toBeGreaterThan(0);
      expect(during.length, 'load ran through the outage').toBeGreaterThan(10);
    });
    await report.check(() => {
      expect(
        errors.map((s) => `${s.status} ${s.error ?? ''} ${JSON.stringify(s.body).slice(0, 200)}`),
        'requests that failed',
      ).toEqual([]);
      expect(maxDuring, 'latency while Redis was gone').toBeLessThan(2_000);
      expect(api.alive, api.output).toBe(true);
    });
    await report.check(() => {
      // Rate limiting never switched off: every answer carries the limit headers.
      expect(samples.filter((s) => !s.limited).length).toBe(0);
      expect(backMs, 'counting went back to Redis within 5 s').toBeLessThanOrEqual(5_000);
    });
  });
});
