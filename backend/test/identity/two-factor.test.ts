/**
 * TOTP two-factor sign-in through Better Auth's endpoints: enrolment (enable → verify), the second
 * step on every later sign-in, wrong codes, the attempt limit, and single-use backup codes. Codes are
 * computed here from the secret in the otpauth:// URI with our own RFC 6238 implementation, the way an
 * authenticator app would.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, ORIGIN, PASSWORD, signIn, type TestUser } from '../helpers/auth.ts';

// --- RFC 4648 base32 and RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) -------------------------------

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = input.toUpperCase().replace(/=+$/, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function hotp(key: Buffer, counter: number, digits = 6): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

const PERIOD = 30;
const counterNow = () => Math.floor(Date.now() / 1000 / PERIOD);
const totp = (key: Buffer) => hotp(key, counterNow());

/** A 6-digit code that is valid in no time step the server accepts (current ± 1, with margin). */
function wrongCode(key: Buffer): string {
  const c = counterNow();
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => hotp(key, c + d)));
  for (let n = 123456; ; n = (n + 7919) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

function secretOf(totpURI: string): Buffer {
  const uri = new URL(totpURI);
  expect(uri.protocol).toBe('otpauth:');
  expect(uri.host).toBe('totp');
  const secret = uri.searchParams.get('secret');
  expect(secret).toMatch(/^[A-Z2-7]+$/);
  return base32Decode(secret as string);
}

// --- helpers -----------------------------------------------------------------------------------

let t: TestApp;

const post = (url: string, cookie: string | undefined, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}) }, payload });

/** Merges Set-Cookie answers into a cookie jar (later values win, expired cookies drop out). */
function jar(current: string, setCookie: string | string[] | undefined): string {
  const cookies = new Map(
    current
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as const),
  );
  for (const raw of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const [pair] = raw.split(';') as [string];
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    if (value === '' || /max-age=0\b/i.test(raw)) cookies.delete(name);
    else cookies.set(name, value);
  }
  return [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
}

const me = (cookie: string) => t.app.inject({ url: '/api/v1/me', headers: { cookie } });

async function signOut(cookie: string) {
  const res = await post('/api/auth/sign-out', cookie, {});
  expect(res.statusCode).toBe(200);
  expect((await me(cookie)).statusCode).toBe(401);
}

/** Signs in with the password; expects the second-step challenge and returns its cookie. */
async function firstStep(email: string): Promise<string> {
  const res = await signIn(t.app, email);
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ twoFactorRedirect: true, twoFactorMethods: ['totp'] });
  const cookie = jar('', res.headers['set-cookie']);
  expect(cookie).toMatch(/two_factor=/);
  expect(cookie).not.toMatch(/session_token=/);
  // The pending challenge is no session: no API access and no token.
  expect((await me(cookie)).statusCode).toBe(401);
  expect((await t.app.inject({ url: '/api/auth/token', headers: { cookie } })).statusCode).toBe(401);
  const session = await t.app.inject({ url: '/api/auth/get-session', headers: { cookie } });
  expect(session.json()).toBeNull();
  return cookie;
}

/** Enrols `user` in TOTP and returns the secret and backup codes; the user signs in with 2FA from then on. */
async function enrol(user: TestUser): Promise<{ key: Buffer; backupCodes: string[]; cookie: string }> {
  const enabled = await post('/api/auth/two-factor/enable', user.cookie, { password: PASSWORD });
  expect(enabled.statusCode).toBe(200);
  const body = enabled.json() as { method: string; totpURI: string; backupCodes: string[] };
  expect(body.method).toBe('totp');
  const key = secretOf(body.totpURI);
  const activated = await post('/api/auth/two-factor/verify-totp', user.cookie, { code: totp(key) });
  expect(activated.statusCode).toBe(200);
  // Activation replaces the session; continue with the new cookie.
  const cookie = jar(user.cookie, activated.headers['set-cookie']);
  expect((await me(cookie)).statusCode).toBe(200);
  return { key, backupCodes: body.backupCodes, cookie };
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
});
afterAll(async () => {
  await t?.close();
});

describe('enrolment', () => {
  it('enable needs the right password', async () => {
    const user = await createUser(t.app, { label: 'tfa-pw' });
    const res = await post('/api/auth/two-factor/enable', user.cookie, { password: 'not-the-password' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_PASSWORD' });
    const anonymous = await post('/api/auth/two-factor/enable', undefined, { password: PASSWORD });
    expect(anonymous.statusCode).toBe(401);
  });

  it('enable returns an otpauth URI and backup codes; 2FA is not active until a code is verified', async () => {
    const user = await createUser(t.app, { label: 'tfa-enrol' });
    const enabled = await post('/api/auth/two-factor/enable', user.cookie, { password: PASSWORD });
    expect(enabled.statusCode).toBe(200);
    const { totpURI, backupCodes } = enabled.json() as { totpURI: string; backupCodes: string[] };
    const uri = new URL(totpURI);
    expect(uri.searchParams.get('issuer')).toBe('Atrium');
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    const key = secretOf(totpURI);
    expect(key.length).toBeGreaterThanOrEqual(20);
    expect(backupCodes.length).toBeGreaterThanOrEqual(8);
    expect(new Set(backupCodes).size).toBe(backupCodes.length);

    // Not yet verified: the password alone still signs in.
    const early = await signIn(t.app, user.email);
    expect(early.statusCode).toBe(200);
    expect(early.json()).not.toHaveProperty('twoFactorRedirect');

    // A wrong code does not activate it.
    const wrong = await post('/api/auth/two-factor/verify-totp', user.cookie, { code: wrongCode(key) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_CODE' });
    expect((await signIn(t.app, user.email)).json()).not.toHaveProperty('twoFactorRedirect');

    // The right one does.
    const ok = await post('/api/auth/two-factor/verify-totp', user.cookie, { code: totp(key) });
    expect(ok.statusCode).toBe(200);
    const cookie = jar(user.cookie, ok.headers['set-cookie']);
    const meRes = await me(cookie);
    expect(meRes.statusCode).toBe(200);
    const second = await signIn(t.app, user.email);
    expect(second.json()).toMatchObject({ twoFactorRedirect: true });
  });
});

describe('signing in with TOTP', () => {
  let user: TestUser;
  let key: Buffer;

  beforeAll(async () => {
    user = await createUser(t.app, { label: 'tfa-signin' });
    const enrolled = await enrol(user);
    key = enrolled.key;
    await signOut(enrolled.cookie);
  });

  it('the password alone gives only a challenge; a wrong code is refused; the computed code completes sign-in', async () => {
    const challenge = await firstStep(user.email);

    const wrong = await post('/api/auth/two-factor/verify-totp', challenge, { code: wrongCode(key) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_CODE' });
    expect(jar(challenge, wrong.headers['set-cookie'])).not.toMatch(/session_token=/);

    const garbage = await post('/api/auth/two-factor/verify-totp', challenge, { code: 'abcdef' });
    expect(garbage.statusCode).toBe(401);

    const ok = await post('/api/auth/two-factor/verify-totp', challenge, { code: totp(key) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ token: expect.any(String), user: { id: user.id } });
    const cookie = jar(challenge, ok.headers['set-cookie']);
    expect(cookie).toMatch(/session_token=/);

    const meRes = await me(cookie);
    expect(meRes.statusCode).toBe(200);
    expect(meRes.json().data.user.id).toBe(user.id);
    const token = await t.app.inject({ url: '/api/auth/token', headers: { cookie } });
    expect(token.statusCode).toBe(200);

    // The challenge was consumed: replaying its cookie (with a valid code) gets no second session.
    const replay = await post('/api/auth/two-factor/verify-totp', challenge, { code: totp(key) });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_COOKIE' });
  });

  it('a code without a challenge cookie is refused', async () => {
    const res = await post('/api/auth/two-factor/verify-totp', undefined, { code: totp(key) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_COOKIE' });
  });

  it('a challenge allows 5 wrong codes at most; after that even the right code is refused', async () => {
    const cookie = await firstStep(user.email);
    for (let i = 0; i < 5; i++) {
      const wrong = await post('/api/auth/two-factor/verify-totp', cookie, { code: wrongCode(key) });
      expect(wrong.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await post('/api/auth/two-factor/verify-totp', cookie, { code: totp(key) });
    expect(blocked.statusCode).toBe(400);
    expect(blocked.json()).toMatchObject({ code: 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE' });
    expect(jar(cookie, blocked.headers['set-cookie'])).not.toMatch(/session_token=/);
    // A fresh challenge with the right code still works (the wrong codes were under the lockout limit).
    const fresh = await firstStep(user.email);
    const ok = await post('/api/auth/two-factor/verify-totp', fresh, { code: totp(key) });
    expect(ok.statusCode).toBe(200);
  });
});

describe('backup codes', () => {
  it('a backup code signs in once; the same code is refused the second time', async () => {
    const user = await createUser(t.app, { label: 'tfa-backup' });
    const enrolled = await enrol(user);
    await signOut(enrolled.cookie);
    const [first, second] = enrolled.backupCodes as [string, string];

    const challenge1 = await firstStep(user.email);
    const used = await post('/api/auth/two-factor/verify-backup-code', challenge1, { code: first });
    expect(used.statusCode).toBe(200);
    const session = jar(challenge1, used.headers['set-cookie']);
    const meRes = await me(session);
    expect(meRes.statusCode).toBe(200);
    expect(meRes.json().data.user.id).toBe(user.id);
    await signOut(session);

    const challenge2 = await firstStep(user.email);
    const reused = await post('/api/auth/two-factor/verify-backup-code', challenge2, { code: first });
    expect(reused.statusCode).toBe(401);
    expect(reused.json()).toMatchObject({ code: 'INVALID_BACKUP_CODE' });
    expect(jar(challenge2, reused.headers['set-cookie'])).not.toMatch(/session_token=/);

    const invented = await post('/api/auth/two-factor/verify-backup-code', challenge2, { code: 'AAAAA-BBBBB' });
    expect(invented.statusCode).toBe(401);

    // Another unused code still works on the same challenge.
    const other = await post('/api/auth/two-factor/verify-backup-code', challenge2, { code: second });
    expect(other.statusCode).toBe(200);
    expect((await me(jar(challenge2, other.headers['set-cookie']))).statusCode).toBe(200);
  });
});
