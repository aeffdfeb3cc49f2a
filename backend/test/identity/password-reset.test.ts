/**
 * Password reset through Better Auth: the mail with the one-time link, the reset itself, and what it
 * does to existing sessions (revokeSessionsOnPasswordReset: every device is signed out).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { cookieHeader, createUser, ORIGIN, PASSWORD, readMail, signIn, type TestUser } from '../helpers/auth.ts';

const NEW_PASSWORD = 'a-brand-new-passphrase-42';
const REDIRECT_TO = `${ORIGIN}/reset-password`;

let t: TestApp;

const post = (url: string, payload: Record<string, unknown>, cookie?: string) =>
  t.app.inject({ method: 'POST', url, headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}) }, payload });

const me = (cookie: string) => t.app.inject({ url: '/api/v1/me', headers: { cookie } });

async function outboxCount(to: string, subject: string): Promise<number> {
  const res = await t.app.inject({ url: `/api/v1/dev/outbox?to=${encodeURIComponent(to)}&limit=100` });
  return (res.json().data as { subject: string }[]).filter((m) => m.subject.includes(subject)).length;
}

/** Requests a reset for `email` and returns the token from the link in the mail (waits for the nth mail). */
async function requestReset(email: string, nth = 1): Promise<{ token: string; link: URL }> {
  const res = await post('/api/auth/request-password-reset', { email, redirectTo: REDIRECT_TO });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ status: true });
  await vi.waitFor(async () => expect(await outboxCount(email, 'Reset your Atrium password')).toBeGreaterThanOrEqual(nth), {
    timeout: 15_000,
  });
  const mail = await readMail(t.app, email, 'Reset your Atrium password');
  const link = new URL(mail.links[0] as string);
  const match = /\/api\/auth\/reset-password\/([^/?]+)$/.exec(link.pathname);
  expect(match, link.toString()).not.toBeNull();
  return { token: match?.[1] as string, link };
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('password reset', () => {
  let user: TestUser;
  let deviceA: string;
  let deviceB: string;
  let token: string;

  beforeAll(async () => {
    user = await createUser(t.app, { label: 'reset' });
    deviceA = user.cookie;
    const second = await signIn(t.app, user.email);
    expect(second.statusCode).toBe(200);
    deviceB = cookieHeader(second.headers['set-cookie']);
    expect(deviceB).not.toBe(deviceA);
  });

  it('both devices are signed in before the reset', async () => {
    for (const cookie of [deviceA, deviceB]) {
      expect((await me(cookie)).statusCode).toBe(200);
      const session = await t.app.inject({ url: '/api/auth/get-session', headers: { cookie } });
      expect(session.json()).toMatchObject({ user: { id: user.id } });
    }
  });

  it('the reset mail links to the web app with a one-time token, and the link redirects to redirectTo', async () => {
    const requested = await requestReset(user.email);
    token = requested.token;
    expect(requested.link.origin).toBe(ORIGIN);
    expect(token.length).toBeGreaterThanOrEqual(16);

    const followed = await t.app.inject({ url: `${requested.link.pathname}${requested.link.search}` });
    expect(followed.statusCode).toBe(302);
    const location = new URL(followed.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_TO);
    expect(location.searchParams.get('token')).toBe(token);
  });

  it('a redirectTo outside the trusted origins is refused', async () => {
    const res = await post('/api/auth/request-password-reset', { email: user.email, redirectTo: 'https://evil.example/steal' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'INVALID_REDIRECT_URL' });
  });

  it('an unknown email gets the same answer and no mail (no account enumeration)', async () => {
    const stranger = `nobody-${Date.now()}@example.com`;
    const res = await post('/api/auth/request-password-reset', { email: stranger, redirectTo: REDIRECT_TO });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: true });
    // The known address's mail has arrived by now; give the worker the same chance for this one.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await outboxCount(stranger, 'Reset')).toBe(0);
  });

  it('a too-short new password or an invented token changes nothing', async () => {
    const short = await post('/api/auth/reset-password', { newPassword: 'short', token });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'PASSWORD_TOO_SHORT' });
    const invented = await post('/api/auth/reset-password', { newPassword: NEW_PASSWORD, token: 'x'.repeat(token.length) });
    expect(invented.statusCode).toBe(400);
    expect(invented.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await me(deviceA)).statusCode).toBe(200);
    expect((await signIn(t.app, user.email)).statusCode).toBe(200);
  });

  it('resetting signs out every device and replaces the password', async () => {
    const res = await post('/api/auth/reset-password', { newPassword: NEW_PASSWORD, token });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: true });

    for (const cookie of [deviceA, deviceB]) {
      const meRes = await me(cookie);
      expect(meRes.statusCode).toBe(401);
      expect(meRes.json()).toMatchObject({ success: false, error: { code: 'unauthorized' } });
      const session = await t.app.inject({ url: '/api/auth/get-session', headers: { cookie } });
      expect(session.statusCode).toBe(200);
      expect(session.json()).toBeNull();
      // An old session cannot mint new API tokens either.
      expect((await t.app.inject({ url: '/api/auth/token', headers: { cookie } })).statusCode).toBe(401);
    }

    const oldPassword = await signIn(t.app, user.email, PASSWORD);
    expect(oldPassword.statusCode).toBe(401);
    expect(oldPassword.json()).toMatchObject({ code: 'INVALID_EMAIL_OR_PASSWORD' });

    const newPassword = await signIn(t.app, user.email, NEW_PASSWORD);
    expect(newPassword.statusCode).toBe(200);
    expect((await me(cookieHeader(newPassword.headers['set-cookie']))).statusCode).toBe(200);
  });

  it('the token cannot be used a second time', async () => {
    const reuse = await post('/api/auth/reset-password', { newPassword: 'attacker-chosen-password', token });
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await signIn(t.app, user.email, 'attacker-chosen-password')).statusCode).toBe(401);
    expect((await signIn(t.app, user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });
});

describe('reset link lifetime', () => {
  it('a reset token older than one hour is refused', async () => {
    const user = await createUser(t.app, { label: 'reset-late' });
    const { token } = await requestReset(user.email);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61 * 60 * 1000);
    const late = await post('/api/auth/reset-password', { newPassword: NEW_PASSWORD, token });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    vi.useRealTimers();
    expect((await signIn(t.app, user.email, PASSWORD)).statusCode).toBe(200);
    expect((await signIn(t.app, user.email, NEW_PASSWORD)).statusCode).toBe(401);
  });
});
