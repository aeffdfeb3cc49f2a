/**
 * Platform administration (/api/v1/admin): who may use it (platform admins by role; 401 anonymous,
 * 403 users and API keys), user and workspace search, ban/unban (sign-in, sessions and JWTs refused;
 * back after unban), impersonation (acts as the target, shows in the target's workspace audit log,
 * stop restores the admin), business figures that move, top queries, /me additions and the
 * `admin:create` command (its function and the real script).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/admin-cli.ts';
import { withScope } from '../../src/db/tenant.ts';
import { findPlatformAudit } from '../../src/modules/admin/admin.repository.ts';
import { ROLE_PERMISSIONS } from '../../src/modules/tenants/permissions.ts';
import { buyOffline } from '../billing/support.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { cookieHeader, createUser, getJwt, ORIGIN, PASSWORD, signIn, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { auditAll, call, createTenant, expectError, type Method, ok, tenantUrl } from '../identity/support.ts';

let t: TestApp;
let admin: TestUser;
let alice: TestUser;
let aliceTenant = '';
let apiKey = '';

const ADMIN_ROUTES: [Method, string, unknown?][] = [
  ['GET', '/api/v1/admin/users'],
  ['POST', '/api/v1/admin/users/usr_x/ban', { reason: 'spam' }],
  ['POST', '/api/v1/admin/users/usr_x/unban'],
  ['POST', '/api/v1/admin/users/usr_x/impersonate', { reason: 'support' }],
  ['GET', '/api/v1/admin/tenants'],
  ['GET', '/api/v1/admin/subscriptions'],
  ['GET', '/api/v1/admin/metrics'],
  ['GET', '/api/v1/admin/queries'],
  ['GET', '/api/v1/admin/ai-models'],
  ['PATCH', '/api/v1/admin/ai-models/aim_x', { enabled: false }],
];

interface AdminUserDto {
  id: string;
  email: string;
  role: string;
  banned: boolean;
  banReason: string | null;
  banExpires: string | null;
  workspaceCount: number;
}
interface MetricsDto {
  users: number;
  signupsLast7Days: number;
  signupsLast30Days: number;
  tenants: number;
  dailyActiveUsers: number;
  weeklyActiveUsers: number;
  activeSubscriptionsByPlan: Record<string, number>;
  mrrCentsByPlan: Record<string, number>;
  mrrCents: number;
  aiLast30Days: { tokens: number; costMicros: number; byModel: unknown[] };
}

const platformAudit = (targetId: string) =>
  withScope(t.database.db, {}, (tx) => findPlatformAudit(tx, { targetId, limit: 50 }), { lookup: true });

/** A call with a cookie (the browser) instead of a bearer token. */
async function withCookie(cookie: string, method: Method, url: string, payload?: unknown) {
  const raw = await t.app.inject({
    method,
    url,
    headers: { cookie, origin: ORIGIN },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: raw.statusCode, body: raw.json(), cookies: raw.headers['set-cookie'] };
}

/** Replaces the cookies named in set-cookie (deleted ones dropped), as a browser would. */
function mergeCookies(jar: string, setCookie: string | string[] | undefined): string {
  const map = new Map(
    jar
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c] as const),
  );
  for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const pair = c.split(';')[0] as string;
    const name = pair.slice(0, pair.indexOf('='));
    if (/max-age=0/i.test(c) || pair.endsWith('=')) map.delete(name);
    else map.set(name, pair);
  }
  return [...map.values()].join('; ');
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  admin = await createUser(t.app, { label: 'platform-admin' });
  const promoted = await createAdmin(t.config, t.database, { email: admin.email.toUpperCase() });
  expect(promoted).toMatchObject({ userId: admin.id, action: 'promoted' });
  alice = await createUser(t.app, { label: 'alice' });
  aliceTenant = (await createTenant(t.app, alice, 'Alice Works')).id;
  apiKey = (await ok<{ secret: string }>(t.app, alice, 'POST', tenantUrl(aliceTenant, '/api-keys'), { name: 'CI', scopes: ['tasks:read'] }))
    .secret;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('who may use /api/v1/admin', () => {
  it('the access table lists every registered admin route (stop: only the impersonation session, tested below)', () => {
    const covered = [...ADMIN_ROUTES.map(([m, u]) => `${m} ${u}`), 'POST /api/v1/admin/impersonation/stop'];
    const registered = t.app.routeInventory.filter((r) => r.url.startsWith('/api/v1/admin/'));
    expect(registered.length).toBeGreaterThan(0);
    for (const r of registered) {
      const pattern = new RegExp(`^${r.method} ${r.url.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
      expect(
        covered.some((c) => pattern.test(c)),
        `${r.method} ${r.url} is missing from ADMIN_ROUTES`,
      ).toBe(true);
    }
  });

  it('anonymous: 401; a signed-in user: 403; an API key: 403; a platform admin: allowed', async () => {
    for (const [method, url, payload] of ADMIN_ROUTES) {
      expectError(await call(t.app, null, method, url, payload), 401, 'unauthorized');
      expectError(await call(t.app, alice, method, url, payload), 403, 'forbidden');
      const byKey = await t.app.inject({
        method,
        url,
        headers: { 'x-api-key': apiKey },
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(byKey.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await call(t.app, admin, 'GET', '/api/v1/admin/users')).status).toBe(200);
  });

  it('admin:create — promotes once, then reports the user is already an admin; refuses a short password', async () => {
    expect(await createAdmin(t.config, t.database, { email: admin.email })).toMatchObject({ action: 'already_admin' });
    await expect(createAdmin(t.config, t.database, { email: uniqueEmail('x'), password: 'short' })).rejects.toThrow(/10 to 128/);
  });

  it('admin:create — creates a verified admin who can sign in with the given password and use the admin API', async () => {
    const email = uniqueEmail('fresh-admin');
    const result = await createAdmin(t.config, t.database, { email, password: 'a-long-enough-password', name: 'Fresh Admin' });
    expect(result).toMatchObject({ action: 'created', email });
    expect(result.generatedPassword).toBeUndefined();
    const signedIn = await signIn(t.app, email, 'a-long-enough-password');
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const jwt = await getJwt(t.app, cookieHeader(signedIn.headers['set-cookie']));
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${jwt}` } });
    expect(me.json().data.user).toMatchObject({ email, name: 'Fresh Admin', emailVerified: true, role: 'admin', platformAdmin: true });
    expect((await t.app.inject({ url: '/api/v1/admin/metrics', headers: { authorization: `Bearer ${jwt}` } })).statusCode).toBe(200);
    // Without --password, one is generated and it works.
    const other = await createAdmin(t.config, t.database, { email: uniqueEmail('gen-admin') });
    expect(other.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await signIn(t.app, other.email, other.generatedPassword)).statusCode).toBe(200);
  });
});

describe('/me additions', () => {
  it('role, platformAdmin, impersonatedBy and the permissions of each membership', async () => {
    const me = (await ok<{
      user: { role: string; platformAdmin: boolean };
      impersonatedBy: unknown;
      memberships: { tenantId: string; role: 'owner'; permissions: string[] }[];
    }>(t.app, alice, 'GET', '/api/v1/me')) as {
      user: { role: string; platformAdmin: boolean };
      impersonatedBy: unknown;
      memberships: { tenantId: string; role: 'owner'; permissions: string[] }[];
    };
    expect(me.user).toMatchObject({ role: 'user', platformAdmin: false });
    expect(me.impersonatedBy).toBeNull();
    const m = me.memberships.find((x) => x.tenantId === aliceTenant);
    expect(m?.role).toBe('owner');
    expect([...(m?.permissions ?? [])].sort()).toEqual([...ROLE_PERMISSIONS.owner].sort());
    expect(m?.permissions).toContain('tenant:export');
    expect((await ok<{ user: { platformAdmin: boolean } }>(t.app, admin, 'GET', '/api/v1/me')).user.platformAdmin).toBe(true);
  });
});

describe('search', () => {
  it('users by email or name, case-insensitive, with their workspace count; paged by cursor', async () => {
    const found = await call<AdminUserDto[]>(t.app, admin, 'GET', `/api/v1/admin/users?q=${encodeURIComponent(alice.email.toUpperCase())}`);
    expect(found.status).toBe(200);
    expect(found.body.data).toHaveLength(1);
    expect(found.body.data[0]).toMatchObject({ id: alice.id, email: alice.email, role: 'user', banned: false, workspaceCount: 1 });
    expect(found.body.meta?.nextCursor).toBeNull();
    const byName = await ok<AdminUserDto[]>(t.app, admin, 'GET', '/api/v1/admin/users?q=ALIC');
    expect(byName.map((u) => u.id)).toContain(alice.id);
    // Paging: one per page, every user once.
    const all = await ok<AdminUserDto[]>(t.app, admin, 'GET', '/api/v1/admin/users?limit=100');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = `limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await call<AdminUserDto[]>(t.app, admin, 'GET', `/api/v1/admin/users?${qs}`);
      seen.push(...res.body.data.map((u) => u.id));
      cursor = res.body.meta?.nextCursor ?? null;
    } while (cursor);
    expect(seen).toEqual(all.map((u) => u.id));
    expectError(await call(t.app, admin, 'GET', '/api/v1/admin/users?cursor=garbage'), 400, 'validation_error');
    // LIKE wildcards are matched literally.
    expect(await ok(t.app, admin, 'GET', '/api/v1/admin/users?q=%25%25%25')).toEqual([]);
  });

  it('tenants by name or slug, with member count and subscription status', async () => {
    const list = await ok<{ id: string; memberCount: number; plan: string; subscriptionStatus: string | null }[]>(
      t.app,
      admin,
      'GET',
      '/api/v1/admin/tenants?q=alice works',
    );
    expect(list).toEqual([expect.objectContaining({ id: aliceTenant, name: 'Alice Works', memberCount: 1, plan: 'business' })]);
  });
});

describe('ban and unban', () => {
  it('a banned user cannot sign in; their session and still-valid JWT are refused; unban restores access', async () => {
    const bob = await createUser(t.app, { label: 'bob' });
    expect((await call(t.app, bob, 'GET', '/api/v1/me')).status).toBe(200);
    expectError(await call(t.app, admin, 'POST', `/api/v1/admin/users/${admin.id}/ban`, { reason: 'oops' }), 409, 'conflict');
    expectError(await call(t.app, admin, 'POST', `/api/v1/admin/users/${bob.id}/ban`, { reason: '' }), 400, 'validation_error');
    expectError(await call(t.app, admin, 'POST', '/api/v1/admin/users/usr_nobody/ban', { reason: 'x' }), 404, 'not_found');

    const banned = await ok<AdminUserDto>(
      t.app,
      admin,
      'POST',
      `/api/v1/admin/users/${bob.id}/ban`,
      { reason: 'Spam', expiresInDays: 7 },
      200,
    );
    expect(banned).toMatchObject({ id: bob.id, banned: true, banReason: 'Spam' });
    expect(new Date(banned.banExpires as string).getTime()).toBeGreaterThan(Date.now() + 6.9 * 24 * 3600 * 1000);

    expectError(await call(t.app, bob, 'GET', '/api/v1/me'), 401, 'unauthorized'); // the JWT
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: bob.cookie } })).statusCode).toBe(401); // the session
    expect((await t.app.inject({ url: '/api/auth/token', headers: { cookie: bob.cookie } })).statusCode).toBe(401);
    const refused = await signIn(t.app, bob.email);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('BANNED_USER');

    const audit = await platformAudit(bob.id);
    expect(audit[0]).toMatchObject({
      action: 'admin.user_banned',
      actorId: admin.id,
      actorEmail: admin.email,
      metadata: { reason: 'Spam' },
    });

    const unbanned = await ok<AdminUserDto>(t.app, admin, 'POST', `/api/v1/admin/users/${bob.id}/unban`, undefined, 200);
    expect(unbanned).toMatchObject({ banned: false, banReason: null, banExpires: null });
    const again = await signIn(t.app, bob.email, PASSWORD);
    expect(again.statusCode).toBe(200);
    const jwt = await getJwt(t.app, cookieHeader(again.headers['set-cookie']));
    expect((await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${jwt}` } })).statusCode).toBe(200);
    expect((await platformAudit(bob.id)).map((r) => r.action)).toEqual(['admin.user_unbanned', 'admin.user_banned']);
  });

  it('Better Auth’s own admin endpoints are switched off (every admin write goes through the audited API)', async () => {
    for (const p of ['ban-user', 'impersonate-user', 'set-role', 'list-users']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/auth/admin/${p}`,
        headers: { cookie: admin.cookie, origin: ORIGIN, 'content-type': 'application/json' },
        payload: { userId: alice.id, role: 'admin' },
      });
      expect(res.statusCode, p).toBe(404);
    }
    expect((await ok<{ user: { role: string } }>(t.app, alice, 'GET', '/api/v1/me')).user.role).toBe('user');
  });
});

describe('impersonation', () => {
  it('acts as the target, shows in the target’s workspace audit log, and stop restores the admin', async () => {
    // A bearer token cannot start one (there is no browser session to set aside).
    expectError(await call(t.app, admin, 'POST', `/api/v1/admin/users/${alice.id}/impersonate`, { reason: 'x' }), 403, 'forbidden');

    const started = await withCookie(admin.cookie, 'POST', `/api/v1/admin/users/${alice.id}/impersonate`, { reason: 'Ticket #42' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.data.impersonating).toEqual({ userId: alice.id, email: alice.email });
    const expiresIn = new Date(started.body.data.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    const jar = mergeCookies(admin.cookie, started.cookies);
    expect(jar).not.toBe(admin.cookie);

    // The cookie now acts as Alice, and says who is behind it.
    const me = await withCookie(jar, 'GET', '/api/v1/me');
    expect(me.body.data.user.id).toBe(alice.id);
    expect(me.body.data.impersonatedBy).toEqual({ userId: admin.id, email: admin.email });
    expect((await withCookie(jar, 'GET', tenantUrl(aliceTenant))).status).toBe(200);
    // A JWT minted from the impersonation session carries the actor too.
    const jwt = await getJwt(t.app, jar);
    const viaJwt = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${jwt}` } });
    expect(viaJwt.json().data).toMatchObject({ user: { id: alice.id }, impersonatedBy: { userId: admin.id } });
    // While impersonating, the admin API is Alice's: closed.
    expect((await withCookie(jar, 'GET', '/api/v1/admin/users')).status).toBe(403);

    // Alice's workspace sees it in its audit log.
    const rows = await auditAll(t.app, alice, aliceTenant, { action: 'admin.impersonation_started' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'user',
      actorId: admin.id,
      targetId: alice.id,
      metadata: { reason: 'Ticket #42', adminEmail: admin.email },
    });

    // Stop: back to the admin.
    const stopped = await withCookie(jar, 'POST', '/api/v1/admin/impersonation/stop');
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
    expect(stopped.body.data.restored).toEqual({ userId: admin.id, email: admin.email });
    const restored = mergeCookies(jar, stopped.cookies);
    const after = await withCookie(restored, 'GET', '/api/v1/me');
    expect(after.body.data).toMatchObject({ user: { id: admin.id, platformAdmin: true }, impersonatedBy: null });
    // The impersonation session is gone.
    expect((await withCookie(jar, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await auditAll(t.app, alice, aliceTenant, { action: 'admin.impersonation_stopped' })).map((r) => r.actorId)).toEqual([
      admin.id,
    ]);
    expect((await platformAudit(alice.id)).map((r) => r.action)).toEqual(['admin.impersonation_stopped', 'admin.impersonation_started']);

    // Stop without impersonating: 409.
    expectError(await call(t.app, alice, 'POST', '/api/v1/admin/impersonation/stop'), 409, 'conflict');
  });

  it('another platform admin cannot be impersonated; nor can oneself', async () => {
    const other = await createUser(t.app, { label: 'other-admin' });
    await createAdmin(t.config, t.database, { email: other.email });
    expect((await withCookie(admin.cookie, 'POST', `/api/v1/admin/users/${other.id}/impersonate`, { reason: 'x' })).status).toBe(403);
    expect((await withCookie(admin.cookie, 'POST', `/api/v1/admin/users/${admin.id}/impersonate`, { reason: 'x' })).status).toBe(409);
  });
});

describe('business figures, subscriptions, queries', () => {
  it('metrics move after a sign-up, a workspace and a paid subscription', async () => {
    const before = await ok<MetricsDto>(t.app, admin, 'GET', '/api/v1/admin/metrics');
    const carol = await createUser(t.app, { label: 'carol' });
    const tenant = await ok<{ id: string }>(t.app, carol, 'POST', '/api/v1/tenants', { name: 'Carol Paid' });
    await buyOffline(t.app, carol, tenant.id, 'pro');
    const after = await ok<MetricsDto>(t.app, admin, 'GET', '/api/v1/admin/metrics');
    expect(after.users).toBe(before.users + 1);
    expect(after.signupsLast7Days).toBe(before.signupsLast7Days + 1);
    expect(after.signupsLast30Days).toBe(before.signupsLast30Days + 1);
    expect(after.tenants).toBe(before.tenants + 1);
    expect(after.dailyActiveUsers).toBeGreaterThanOrEqual(before.dailyActiveUsers + 1);
    expect(after.activeSubscriptionsByPlan.pro ?? 0).toBe((before.activeSubscriptionsByPlan.pro ?? 0) + 1);
    expect(after.mrrCentsByPlan.pro ?? 0).toBeGreaterThan(before.mrrCentsByPlan.pro ?? 0);
    expect(after.mrrCents).toBe(Object.values(after.mrrCentsByPlan).reduce((a, b) => a + b, 0));
    expect(after.aiLast30Days).toMatchObject({ tokens: expect.any(Number), costMicros: expect.any(Number) });

    type Sub = { tenantId: string; tenantName: string; plan: string; status: string; provider: string };
    const subs = await ok<Sub[]>(t.app, admin, 'GET', '/api/v1/admin/subscriptions?plan=pro');
    const mine = subs.find((s) => s.tenantId === tenant.id) as Sub;
    expect(mine).toMatchObject({ tenantName: 'Carol Paid', plan: 'pro', provider: 'offline' });
    expect(['active', 'trialing']).toContain(mine.status);
    const byStatus = await ok<Sub[]>(t.app, admin, 'GET', `/api/v1/admin/subscriptions?status=${mine.status}&plan=pro`);
    expect(byStatus.map((s) => s.tenantId)).toContain(tenant.id);
    expect(await ok(t.app, admin, 'GET', '/api/v1/admin/subscriptions?status=canceled&plan=pro')).toEqual([]);
    const business = await ok<Sub[]>(t.app, admin, 'GET', '/api/v1/admin/subscriptions?plan=business');
    expect(business.map((s) => s.tenantId)).not.toContain(tenant.id);
    const tenants = await ok<{ id: string; subscriptionStatus: string }[]>(t.app, admin, 'GET', '/api/v1/admin/tenants?q=carol paid');
    expect(tenants[0]).toMatchObject({ id: tenant.id, subscriptionStatus: mine.status });
  });

  it('top queries: available on PostgreSQL with pg_stat_statements loaded, else available:false with the reason', async () => {
    const res = await ok<{ available: boolean; reason: string | null; queries: { query: string; calls: number }[] }>(
      t.app,
      admin,
      'GET',
      '/api/v1/admin/queries',
    );
    if (t.database.kind === 'pglite') {
      expect(res).toEqual({ available: false, reason: expect.stringContaining('PGlite'), queries: [] });
      return;
    }
    // As the owner role: the app role may not read server settings (and that is right).
    const owner = <T>(text: string) => t.database.withOwner(async (r) => (await r.query<T>(text)).rows);
    const preload = (await owner<{ shared_preload_libraries: string }>('show shared_preload_libraries'))[0]?.shared_preload_libraries ?? '';
    // This test's own database: without the extension, then with it (CREATE EXTENSION changes no server setting).
    if ((await owner(`select 1 from pg_extension where extname = 'pg_stat_statements'`)).length === 0) {
      expect(res).toEqual({ available: false, reason: expect.stringContaining('not installed'), queries: [] });
      await owner('create extension if not exists pg_stat_statements');
    }
    const now = await ok<typeof res>(t.app, admin, 'GET', '/api/v1/admin/queries');
    if (preload.includes('pg_stat_statements')) {
      expect(now.available).toBe(true);
      expect(now.reason).toBeNull();
      expect(now.queries.length).toBeGreaterThan(0);
      expect(now.queries.length).toBeLessThanOrEqual(20);
      expect(now.queries[0]).toMatchObject({ query: expect.any(String), calls: expect.any(Number) });
    } else {
      // Installed but not preloaded (this machine's PostgreSQL): the reason says so.
      expect(now).toEqual({ available: false, reason: expect.stringMatching(/shared_preload_libraries/), queries: [] });
    }
  });
});

describe('npm run admin:create (the script itself)', () => {
  it('creates an admin in a fresh DATA_DIR, prints a generated password, and promotes nobody twice', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-admin-cli-'));
    try {
      const script = fileURLToPath(new URL('../../src/admin-cli.ts', import.meta.url));
      const env = { ...process.env, APP_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '' };
      const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8', timeout: 120_000 });
      const usage = run();
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('--email');
      const first = run('--email', 'ops@example.com', '--name', 'Ops');
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/Created platform admin ops@example\.com \(usr_/);
      expect(first.stdout).toMatch(/Generated password \(shown once\): \S{24}/);
      const second = run('--email', 'OPS@example.com');
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain('already a platform admin');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
