/**
 * The basics of Better Auth as mounted in Atrium: its own error shape on /api/auth, sign-up rules,
 * sign-in gated on a verified email (when configured), the session list and revocation, the Origin
 * check on cookie-authenticated POSTs, and how /api/v1 treats no credentials and a session cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { cookieHeader, createUser, ORIGIN, PASSWORD, readMail, signIn, type TestUser, uniqueEmail } from '../helpers/auth.ts';

let t: TestApp;

const post = (app: TestApp['app'], url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { origin: ORIGIN, ...headers }, payload });

const signUp = (app: TestApp['app'], payload: Record<string, unknown>) => post(app, '/api/auth/sign-up/email', payload);

/** Better Auth's own error body: `{ code, message }`, not Atrium's envelope. */
function expectBetterAuthError(res: { statusCode: number; json: () => unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ code, message: expect.any(String) });
  expect(body).not.toHaveProperty('success');
  expect(body).not.toHaveProperty('error');
}

function expectEnvelope401(res: { statusCode: number; json: () => unknown; headers: Record<string, unknown> }) {
  expect(res.statusCode).toBe(401);
  expect(res.json()).toEqual({
    success: false,
    error: { code: 'unauthorized', message: expect.any(String), requestId: res.headers['x-request-id'] },
  });
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
});
afterAll(async () => {
  await t?.close();
});

describe('sign-up', () => {
  it('invalid input is refused with 400 in Better Auth’s own error shape', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email', password: PASSWORD, name: 'X' }, 'VALIDATION_ERROR'],
      [{ email: uniqueEmail('v'), password: PASSWORD }, 'VALIDATION_ERROR'],
      [{}, 'VALIDATION_ERROR'],
      [{ email: uniqueEmail('v'), password: 'short-pw', name: 'X' }, 'PASSWORD_TOO_SHORT'],
      [{ email: uniqueEmail('v'), password: 'x'.repeat(129), name: 'X' }, 'PASSWORD_TOO_LONG'],
    ];
    for (const [payload, code] of cases) {
      const res = await signUp(t.app, payload);
      expectBetterAuthError(res, 400, code);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // The minimum is 10 characters: 9 is refused, 10 is accepted.
    expectBetterAuthError(await signUp(t.app, { email: uniqueEmail('min'), password: '123456789', name: 'X' }), 400, 'PASSWORD_TOO_SHORT');
    expect((await signUp(t.app, { email: uniqueEmail('min'), password: '1234567890', name: 'X' })).statusCode).toBe(200);
  });

  it('malformed JSON is refused by Better Auth, not by the API envelope', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expectBetterAuthError(res, 400, 'BAD_REQUEST');
  });

  it('a second sign-up with a taken email is refused (422), in any letter case, and changes nothing', async () => {
    const user = await createUser(t.app, { label: 'dup' });
    for (const email of [user.email, user.email.toUpperCase()]) {
      const res = await signUp(t.app, { email, password: 'attacker-password-1', name: 'Attacker' });
      expectBetterAuthError(res, 422, 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect((await signIn(t.app, user.email, 'attacker-password-1')).statusCode).toBe(401);
    expect((await signIn(t.app, user.email)).statusCode).toBe(200);
  });

  it('wrong password and unknown email get the same 401 answer', async () => {
    const user = await createUser(t.app, { label: 'wrongpw' });
    const wrong = await signIn(t.app, user.email, 'not-the-password');
    const unknown = await signIn(t.app, uniqueEmail('ghost'), 'not-the-password');
    expectBetterAuthError(wrong, 401, 'INVALID_EMAIL_OR_PASSWORD');
    expectBetterAuthError(unknown, 401, 'INVALID_EMAIL_OR_PASSWORD');
    expect(wrong.json()).toEqual(unknown.json());
  });
});

describe('with AUTH_REQUIRE_EMAIL_VERIFICATION=true', () => {
  let v: TestApp;

  beforeAll(async () => {
    v = await startTestApp({ work: true, env: { AUTH_REQUIRE_EMAIL_VERIFICATION: 'true' } });
  });
  afterAll(async () => {
    await v?.close();
  });

  it('an unverified user cannot sign in (403) and can after verifying', async () => {
    const email = uniqueEmail('verify');
    const up = await signUp(v.app, { email, password: PASSWORD, name: 'Verify Me' });
    expect(up.statusCode).toBe(200);
    // No session from sign-up itself.
    expect(up.json().token).toBeNull();
    expect(cookieHeader(up.headers['set-cookie'])).not.toMatch(/session_token=/);

    const refused = await signIn(v.app, email);
    expectBetterAuthError(refused, 403, 'EMAIL_NOT_VERIFIED');
    expect(cookieHeader(refused.headers['set-cookie'])).not.toMatch(/session_token=/);

    // A forged verification token does not verify.
    const forged = await v.app.inject({ url: '/api/auth/verify-email?token=eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expectBetterAuthError(forged, 401, 'INVALID_TOKEN');
    expectBetterAuthError(await signIn(v.app, email), 403, 'EMAIL_NOT_VERIFIED');

    const mail = await readMail(v.app, email, 'Confirm your email');
    const link = new URL(mail.links[0] as string);
    expect(link.origin).toBe(ORIGIN);
    const verified = await v.app.inject({ url: `${link.pathname}${link.search}` });
    expect(verified.statusCode).toBeLessThan(400);

    const ok = await signIn(v.app, email);
    expect(ok.statusCode).toBe(200);
    const me = await v.app.inject({ url: '/api/v1/me', headers: { cookie: cookieHeader(ok.headers['set-cookie']) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().data.user).toMatchObject({ email, emailVerified: true });
  });

  it('a sign-up with a taken email gets a generic answer (no enumeration) and neither takes over nor creates an account', async () => {
    const email = uniqueEmail('taken');
    expect((await signUp(v.app, { email, password: PASSWORD, name: 'Real' })).statusCode).toBe(200);
    const mail = await readMail(v.app, email, 'Confirm your email');
    const link = new URL(mail.links[0] as string);
    expect((await v.app.inject({ url: `${link.pathname}${link.search}` })).statusCode).toBeLessThan(400);
    const real = await signIn(v.app, email);
    const realId = real.json().user.id;

    const dup = await signUp(v.app, { email, password: 'attacker-password-1', name: 'Attacker' });
    expect(dup.statusCode).toBe(200);
    expect(dup.json().token).toBeNull();
    expect(dup.json().user.id).not.toBe(realId);
    expect(cookieHeader(dup.headers['set-cookie'])).not.toMatch(/session_token=/);
    expectBetterAuthError(await signIn(v.app, email, 'attacker-password-1'), 401, 'INVALID_EMAIL_OR_PASSWORD');
    const again = await signIn(v.app, email);
    expect(again.statusCode).toBe(200);
    expect(again.json().user).toMatchObject({ id: realId, name: 'Real' });
  });
});

describe('sessions', () => {
  let user: TestUser;

  beforeAll(async () => {
    user = await createUser(t.app, { label: 'sessions' });
  });

  it('list-sessions shows the user’s sessions; revoking one kills its cookie and leaves the others', async () => {
    const laptop = await signIn(t.app, user.email);
    const phone = await signIn(t.app, user.email);
    const laptopCookie = cookieHeader(laptop.headers['set-cookie']);
    const phoneCookie = cookieHeader(phone.headers['set-cookie']);
    const phoneToken = phone.json().token as string;
    expect(phoneCookie).toContain(phoneToken);

    const listed = await t.app.inject({ url: '/api/auth/list-sessions', headers: { cookie: laptopCookie } });
    expect(listed.statusCode).toBe(200);
    const sessions = listed.json() as { token: string; userId: string }[];
    expect(sessions.map((s) => s.token)).toEqual(expect.arrayContaining([laptop.json().token, phoneToken]));
    expect(sessions.every((s) => s.userId === user.id)).toBe(true);

    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: phoneCookie } })).statusCode).toBe(200);
    const revoked = await post(t.app, '/api/auth/revoke-session', { token: phoneToken }, { cookie: laptopCookie });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toEqual({ status: true });

    expectEnvelope401(await t.app.inject({ url: '/api/v1/me', headers: { cookie: phoneCookie } }));
    expect((await t.app.inject({ url: '/api/auth/get-session', headers: { cookie: phoneCookie } })).json()).toBeNull();
    expect((await t.app.inject({ url: '/api/auth/token', headers: { cookie: phoneCookie } })).statusCode).toBe(401);
    const after = (await t.app.inject({ url: '/api/auth/list-sessions', headers: { cookie: laptopCookie } })).json() as { token: string }[];
    expect(after.map((s) => s.token)).not.toContain(phoneToken);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: laptopCookie } })).statusCode).toBe(200);
  });

  it('nobody can revoke another user’s session', async () => {
    const victim = await signIn(t.app, user.email);
    const victimCookie = cookieHeader(victim.headers['set-cookie']);
    const other = await createUser(t.app, { label: 'other' });
    const res = await post(t.app, '/api/auth/revoke-session', { token: victim.json().token }, { cookie: other.cookie });
    // Better Auth answers as if it worked (no hint whether the token exists) but deletes nothing.
    expect(res.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: victimCookie } })).statusCode).toBe(200);
    const own = (await t.app.inject({ url: '/api/auth/list-sessions', headers: { cookie: victimCookie } })).json() as { token: string }[];
    expect(own.map((s) => s.token)).toContain(victim.json().token);
    const theirs = (await t.app.inject({ url: '/api/auth/list-sessions', headers: { cookie: other.cookie } })).json() as {
      userId: string;
    }[];
    expect(theirs.every((s) => s.userId === other.id)).toBe(true);
  });

  it('sign-out ends the session', async () => {
    const res = await signIn(t.app, user.email);
    const cookie = cookieHeader(res.headers['set-cookie']);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await post(t.app, '/api/auth/sign-out', {}, { cookie })).statusCode).toBe(200);
    expectEnvelope401(await t.app.inject({ url: '/api/v1/me', headers: { cookie } }));
  });

  it('cookie-authenticated POSTs need a trusted Origin (CSRF)', async () => {
    const res = await signIn(t.app, user.email);
    const cookie = cookieHeader(res.headers['set-cookie']);
    const evil = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie, origin: 'https://evil.example' },
      payload: {},
    });
    expectBetterAuthError(evil, 403, 'INVALID_ORIGIN');
    const none = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie }, payload: {} });
    expectBetterAuthError(none, 403, 'MISSING_OR_NULL_ORIGIN');
    const enable = await t.app.inject({
      method: 'POST',
      url: '/api/auth/two-factor/enable',
      headers: { cookie, origin: 'https://evil.example' },
      payload: { password: PASSWORD },
    });
    expectBetterAuthError(enable, 403, 'INVALID_ORIGIN');
    // None of them took effect.
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
    expect(
      ((await t.app.inject({ url: '/api/auth/get-session', headers: { cookie } })).json() as { user: { twoFactorEnabled: boolean } }).user
        .twoFactorEnabled,
    ).toBe(false);
  });
});

describe('/api/v1 credentials', () => {
  it('no credentials → 401 in the API envelope', async () => {
    expectEnvelope401(await t.app.inject({ url: '/api/v1/me' }));
    expectEnvelope401(await t.app.inject({ url: '/api/v1/tenants' }));
    expectEnvelope401(await t.app.inject({ method: 'POST', url: '/api/v1/tenants', payload: { name: 'Nope' } }));
  });

  it('a cookie that is not a valid session → 401', async () => {
    const user = await createUser(t.app, { label: 'forged-cookie' });
    const [name, value] = user.cookie.split('=') as [string, string];
    const [token] = decodeURIComponent(value).split('.') as [string];
    for (const cookie of [`${name}=${token}`, `${name}=${token}.${'A'.repeat(43)}=`, `${name}=garbage`, 'atrium.other=1']) {
      expectEnvelope401(await t.app.inject({ url: '/api/v1/me', headers: { cookie } }));
    }
  });

  it('a session cookie works for /api/v1 routes (the browser path)', async () => {
    const user = await createUser(t.app, { label: 'browser' });
    const headers = { cookie: user.cookie };
    const me = await t.app.inject({ url: '/api/v1/me', headers });
    expect(me.statusCode).toBe(200);
    expect(me.json().data.user).toMatchObject({ id: user.id, email: user.email });

    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: { name: 'Cookie Co' } });
    expect(created.statusCode).toBe(201);
    const tenantId = created.json().data.id;
    const tenant = await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.json().data).toMatchObject({ id: tenantId, role: 'owner' });
    const list = await t.app.inject({ url: '/api/v1/tenants', headers });
    expect((list.json().data as { id: string }[]).map((x) => x.id)).toContain(tenantId);
  });
});
