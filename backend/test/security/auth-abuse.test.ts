/**
 * Authentication abuse through real requests (rate limits switched on, as in production):
 * brute force on sign-in is throttled per client IP (IPv6 grouped by /64) and per account (however
 * many addresses the guesses come from); X-Forwarded-For from an untrusted peer is ignored, from a
 * trusted proxy it is believed; a password reset is throttled the same ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_LIMIT, ipKey } from '../../src/plugins/rate-limit.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, ORIGIN, PASSWORD, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { record } from './support.ts';

// Better Auth's own per-IP limits (5 sign-ins, 3 reset requests a minute) are off under APP_ENV=test
// unless asked for; it reads this when the app is created.
process.env.AUTH_RATE_LIMIT = 'on';
const ENV = { RATE_LIMITS: 'on', RATE_LIMIT_AUTH_PER_MINUTE: '60' };

let t: TestApp;
let proxied: TestApp;
let victim: TestUser;
let requests = 0;
const failures: string[] = [];
const figures: string[] = [];

let octet = 0;
/** A fresh documentation-range IPv4 address per call, so counts never mix between tests. */
const freshIp = () => {
  octet++;
  return `198.18.${Math.floor(octet / 250)}.${(octet % 250) + 1}`;
};

async function signIn(app: TestApp, email: string, password: string, opts: { ip: string; xff?: string }) {
  requests++;
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    remoteAddress: opts.ip,
    headers: { origin: ORIGIN, ...(opts.xff ? { 'x-forwarded-for': opts.xff } : {}) },
    payload: { email, password },
  });
  return res.statusCode;
}

async function requestReset(app: TestApp, email: string, ip: string) {
  requests++;
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/auth/request-password-reset',
    remoteAddress: ip,
    headers: { origin: ORIGIN },
    payload: { email, redirectTo: `${ORIGIN}/reset-password` },
  });
  return res.statusCode;
}

/** Attempts until the first 429 (or `max` attempts); returns the attempt number that got it. */
async function attemptsUntil429(
  attempt: (i: number) => Promise<number>,
  max: number,
): Promise<{ at: number | undefined; statuses: number[] }> {
  const statuses: number[] = [];
  for (let i = 1; i <= max; i++) {
    const status = await attempt(i);
    statuses.push(status);
    if (status === 429) return { at: i, statuses };
  }
  return { at: undefined, statuses };
}

function expectThrottled(name: string, result: { at: number | undefined; statuses: number[] }, atMost: number) {
  figures.push(`${name}: 429 at attempt ${result.at ?? 'never'}`);
  const ok = result.at !== undefined && result.at <= atMost && result.statuses.slice(0, -1).every((s) => s !== 429 && s < 500);
  if (!ok) failures.push(`${name}: ${result.statuses.join(',')}`);
  expect(result.at, `${name}: ${result.statuses.join(',')}`).toBeDefined();
  expect(result.at as number).toBeLessThanOrEqual(atMost);
  expect(
    result.statuses.slice(0, -1).every((s) => s !== 429 && s < 500),
    result.statuses.join(','),
  ).toBe(true);
}

beforeAll(async () => {
  t = await startTestApp({ work: true, env: ENV });
  proxied = await startTestApp({ env: { ...ENV, TRUST_PROXY: '127.0.0.1' } });
  victim = await createUser(t.app, { label: 'victim' });
});
afterAll(async () => {
  record({ check: 'Auth abuse (throttling, proxies)', order: 6, cases: requests, failures: failures.length, figures: figures.join('; ') });
  await t?.close();
  await proxied?.close();
});

describe('sign-in brute force', () => {
  it('is throttled per IP: wrong passwords for many accounts from one address', async () => {
    const ip = freshIp();
    const result = await attemptsUntil429((i) => signIn(t, uniqueEmail(`spray${i}`), 'wrong-password-123', { ip }), 12);
    expectThrottled('per IPv4', result, 6);
    // Another address is not affected.
    expect(await signIn(t, uniqueEmail('other'), 'wrong-password-123', { ip: freshIp() })).toBe(401);
  });

  it('groups IPv6 clients by /64: rotating the low 64 bits does not help', async () => {
    const prefix = `2001:db8:${(octet + 100).toString(16)}:7`;
    const result = await attemptsUntil429(
      (i) => signIn(t, uniqueEmail(`v6-${i}`), 'wrong-password-123', { ip: `${prefix}:${i.toString(16)}:0:0:${(i * 7).toString(16)}` }),
      12,
    );
    expectThrottled('per IPv6 /64', result, 6);
    // The neighbouring /64 is someone else.
    expect(await signIn(t, uniqueEmail('v6-next'), 'wrong-password-123', { ip: `2001:db8:${(octet + 100).toString(16)}:8::1` })).toBe(401);
    expect(ipKey('2001:db8:1:2::1')).toBe(ipKey('2001:0db8:0001:0002:ffff:ffff:ffff:fffe'));
    expect(ipKey('2001:db8:1:2::1')).not.toBe(ipKey('2001:db8:1:3::1'));
    expect(ipKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('is throttled per account: guesses for one account from many addresses', async () => {
    const variants = (i: number) => (i % 3 === 0 ? victim.email.toUpperCase() : i % 3 === 1 ? ` ${victim.email} ` : victim.email);
    const result = await attemptsUntil429((i) => signIn(t, variants(i), `wrong-password-${i}`, { ip: freshIp() }), ACCOUNT_LIMIT.max + 3);
    expectThrottled('per account (rotating IPs)', result, ACCOUNT_LIMIT.max + 1);
    // Even the right password waits until the window passes; other accounts are not affected.
    expect(await signIn(t, victim.email, PASSWORD, { ip: freshIp() })).toBe(429);
    expect(await signIn(t, uniqueEmail('bystander'), 'wrong-password-123', { ip: freshIp() })).toBe(401);
  });
});

describe('X-Forwarded-For', () => {
  it('from an untrusted peer is ignored: a new forwarded address per request does not reset the count', async () => {
    const ip = freshIp();
    const result = await attemptsUntil429(
      (i) => signIn(t, uniqueEmail(`xff${i}`), 'wrong-password-123', { ip, xff: `203.0.113.${i}, 10.0.0.${i}` }),
      12,
    );
    expectThrottled('spoofed XFF, untrusted peer', result, 6);
  });

  it('from a trusted proxy (TRUST_PROXY=127.0.0.1) it names the client; from anyone else it is still ignored', async () => {
    // Behind the proxy, two clients have their own counts.
    const clientA = freshIp();
    const a = await attemptsUntil429(
      (i) => signIn(proxied, uniqueEmail(`pa${i}`), 'wrong-password-123', { ip: '127.0.0.1', xff: clientA }),
      12,
    );
    expectThrottled('trusted proxy, client A', a, 6);
    expect(await signIn(proxied, uniqueEmail('pb'), 'wrong-password-123', { ip: '127.0.0.1', xff: freshIp() })).toBe(401);
    // A peer that is not the proxy cannot pick its address.
    const peer = freshIp();
    const spoof = await attemptsUntil429(
      (i) => signIn(proxied, uniqueEmail(`ps${i}`), 'wrong-password-123', { ip: peer, xff: `203.0.113.${i + 50}` }),
      12,
    );
    expectThrottled('spoofed XFF to the proxied app', spoof, 6);
  });
});

describe('password reset', () => {
  it('is throttled per IP', async () => {
    const ip = freshIp();
    const result = await attemptsUntil429((i) => requestReset(t, uniqueEmail(`reset${i}`), ip), 10);
    expectThrottled('reset per IP', result, 4);
  });

  it('is throttled per account from rotating addresses', async () => {
    const user = await createUser(t.app, { label: 'reset-victim' });
    const result = await attemptsUntil429(
      (i) => requestReset(t, i % 2 ? user.email.toUpperCase() : user.email, freshIp()),
      ACCOUNT_LIMIT.max + 3,
    );
    expectThrottled('reset per account (rotating IPs)', result, ACCOUNT_LIMIT.max + 1);
  });
});
