/**
 * Must show 3: two API processes (`node src/server.ts` ×2, WORKER_MODE=off) and one worker
 * (`node src/worker.ts`) against one PostgreSQL database and one Redis. A browser-less client spread
 * across both API processes sees one app: the session and JWT of one work on the other, a plan limit
 * is enforced exactly across both, jobs enqueued by either run once on the worker, and a membership
 * change on one is seen by the other on the very next request (cache invalidation through Redis).
 *
 * PostgreSQL only: PGlite is an embedded, single-process database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/types.ts';
import { cookieHeader, createUser, ORIGIN, PASSWORD, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';
import { addMember, createTenant } from '../helpers/workspace.ts';
import { type Child, freshPostgresDatabase, isPostgres, type PrivateRedis, remote, spawnBackend, startRedis } from './processes.ts';

const skip = !isPostgres();
if (skip)
  console.warn('scale-out.test.ts skipped: it needs TEST_DB=postgres (PGlite is single-process; several processes cannot share it).');

let a: Child;
let b: Child;
let worker: Child;
let A: AppInstance;
let B: AppInstance;
let redis: PrivateRedis | undefined;
let dropDb: (() => Promise<void>) | undefined;

async function outbox(app: AppInstance, to: string) {
  const res = await app.inject({ url: `/api/v1/dev/outbox?to=${encodeURIComponent(to)}` });
  return res.json().data as { subject: string; links: string[] }[];
}

async function cacheHits(child: Child, cache: string): Promise<number> {
  const text = await (await fetch(`${child.url}/metrics`)).text();
  const m = new RegExp(`^atrium_cache_requests_total\\{cache="${cache}",result="hit"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe.skipIf(skip)('two API processes and a worker on one PostgreSQL and Redis (needs TEST_DB=postgres)', () => {
  beforeAll(async () => {
    const db = await freshPostgresDatabase();
    dropDb = db.drop;
    redis = await startRedis();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      WORKER_MODE: 'off',
      AUTH_REQUIRE_EMAIL_VERIFICATION: 'true',
    };
    [a, b] = await Promise.all([spawnBackend('server', env), spawnBackend('server', env)]);
    worker = await spawnBackend('worker', env);
    A = remote(a.url);
    B = remote(b.url);
  }, 170_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
    await redis?.stop();
    await dropDb?.().catch(() => {});
  });

  it('sign up and verify on A, sign in on B: the session and the JWT of one process work on the other', async () => {
    const email = uniqueEmail('spread');
    const signUp = await A.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: ORIGIN },
      payload: { email, password: PASSWORD, name: 'Spread' },
    });
    expect(signUp.statusCode).toBe(200);
    // Unverified: refused on B too.
    const early = await B.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: ORIGIN },
      payload: { email, password: PASSWORD },
    });
    expect(early.statusCode).toBe(403);

    // The verification mail is a job enqueued by A and sent by the worker, exactly once.
    const mails = await waitFor(async () => {
      const list = await outbox(A, email);
      return list.length > 0 ? list : undefined;
    });
    const link = new URL(mails[0]?.links[0] as string);
    expect((await B.inject({ url: `${link.pathname}${link.search}` })).statusCode).toBeLessThan(400);

    const signIn = await B.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: ORIGIN },
      payload: { email, password: PASSWORD },
    });
    expect(signIn.statusCode).toBe(200);
    const cookie = cookieHeader(signIn.headers['set-cookie']);
    // B's session cookie, on A.
    const meA = await A.inject({ url: '/api/v1/me', headers: { cookie } });
    expect(meA.statusCode).toBe(200);
    expect(meA.json().data.user.email).toBe(email);
    // A JWT minted by A, accepted by B (and the other way round).
    const jwtA = (await A.inject({ url: '/api/auth/token', headers: { cookie } })).json().token as string;
    const jwtB = (await B.inject({ url: '/api/auth/token', headers: { cookie } })).json().token as string;
    expect((await B.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${jwtA}` } })).statusCode).toBe(200);
    expect((await A.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${jwtB}` } })).statusCode).toBe(200);

    // Jobs ran once, on the worker only.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await outbox(B, email)).filter((m) => m.subject.includes('Confirm your email'))).toHaveLength(1);
    const ran = (c: Child) => c.logs.filter((l) => l.msg === 'job completed' && l.queue === 'mail.send').length;
    expect(ran(worker)).toBeGreaterThanOrEqual(1);
    expect(ran(a) + ran(b)).toBe(0);
    // Tracing is off here (no OTEL_EXPORTER_OTLP_ENDPOINT): no log line carries a trace id.
    expect([...a.logs, ...b.logs, ...worker.logs].some((l) => 'traceId' in l)).toBe(false);
  });

  it('enforces a plan limit exactly across both processes (free plan: 3 projects)', async () => {
    const owner = await createUser(A, { label: 'limit-owner' });
    const tenantId = await createTenant(B, owner, 'Limits');
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? A : B).inject({
          method: 'POST',
          url: `/api/v1/tenants/${tenantId}/projects`,
          headers: owner.h,
          payload: { name: `Project ${i}` },
        }),
      ),
    );
    const created = attempts.filter((r) => r.statusCode === 201);
    const refused = attempts.filter((r) => r.statusCode !== 201);
    expect(created).toHaveLength(3);
    for (const r of refused) expect(r.json().error.code).toBe('plan_limit_reached');
    const listed = await A.inject({ url: `/api/v1/tenants/${tenantId}/projects`, headers: owner.h });
    expect(listed.json().data).toHaveLength(3);
  });

  it('a role change and a removal on A are enforced by B on the very next request', async () => {
    const owner: TestUser = await createUser(A, { label: 'cache-owner' });
    const tenantId = await createTenant(A, owner, 'Shared cache');
    const editor = await addMember(B, tenantId, owner, 'editor');
    // The invitation mail: one job, one mail.
    expect((await outbox(A, editor.email)).filter((m) => m.subject.includes('invited'))).toHaveLength(1);

    // B has the editor's membership cached (hits counted in its /metrics).
    const hitsBefore = await cacheHits(b, 'membership');
    for (let i = 0; i < 3; i++) expect((await B.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).statusCode).toBe(200);
    expect(await cacheHits(b, 'membership')).toBeGreaterThan(hitsBefore);

    const members = (await A.inject({ url: `/api/v1/tenants/${tenantId}/members`, headers: owner.h })).json().data as {
      id: string;
      userId: string;
    }[];
    const memberId = members.find((m) => m.userId === editor.id)?.id as string;
    const demoted = await A.inject({
      method: 'PATCH',
      url: `/api/v1/tenants/${tenantId}/members/${memberId}`,
      headers: owner.h,
      payload: { role: 'viewer' },
    });
    expect(demoted.statusCode).toBe(200);
    // No waiting: the next request on B already sees the new role.
    expect((await B.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).json().data.role).toBe('viewer');
    const write = await B.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/projects`,
      headers: editor.h,
      payload: { name: 'x' },
    });
    expect(write.statusCode).toBe(403);

    expect((await B.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).statusCode).toBe(200);
    const removed = await A.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenantId}/members/${memberId}`, headers: owner.h });
    expect(removed.statusCode).toBeLessThan(300);
    expect((await B.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).statusCode).toBe(404);
    expect((await A.inject({ url: `/api/v1/tenants/${tenantId}`, headers: editor.h })).statusCode).toBe(404);
  });
});
