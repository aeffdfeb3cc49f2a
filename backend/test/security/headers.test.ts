/**
 * Headers and cookies in production configuration (APP_ENV=production with everything it requires):
 * HSTS, CSP with frame-ancestors, nosniff, referrer policy and no X-Powered-By on every kind of answer;
 * Better Auth's cookies Secure, HttpOnly and SameSite; a foreign Origin gets no credentialed CORS;
 * a known path with an unsupported method is 405.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { cookieHeader, PASSWORD, uniqueEmail } from '../helpers/auth.ts';
import { PROD_WEB_URL, record, startProductionApp } from './support.ts';

let t: TestApp;
let cases = 0;
const failures: string[] = [];
let jwt = '';
let tenantId = '';
const FOREIGN = 'https://evil.example';

/** Like expect, but also counted for the summary table. */
function soft(ok: boolean, what: string) {
  cases++;
  if (!ok) failures.push(what);
}

beforeAll(async () => {
  t = await startProductionApp({ AUTH_REQUIRE_EMAIL_VERIFICATION: 'false' });
  expect(t.config.isProduction).toBe(true);
});
afterAll(async () => {
  record({
    check: 'Headers, cookies, CORS, 405 (production)',
    order: 5,
    cases,
    failures: failures.length,
    figures: failures.length
      ? failures.slice(0, 3).join('; ')
      : 'HSTS, CSP, nosniff, frame-ancestors, referrer, cookies, CORS, 405 all hold',
  });
  await t?.close();
});

function expectSecurityHeaders(headers: Record<string, unknown>, label: string) {
  const h = (name: string) => String(headers[name] ?? '');
  const checks: [boolean, string][] = [
    [/max-age=31536000/.test(h('strict-transport-security')) && /includeSubDomains/i.test(h('strict-transport-security')), 'HSTS'],
    [/default-src 'self'/.test(h('content-security-policy')), 'CSP default-src'],
    [/frame-ancestors 'none'/.test(h('content-security-policy')), 'CSP frame-ancestors'],
    [h('x-content-type-options') === 'nosniff', 'nosniff'],
    [h('referrer-policy') === 'no-referrer', 'referrer-policy'],
    [/^(DENY|SAMEORIGIN)$/i.test(h('x-frame-options')), 'x-frame-options'],
    [headers['x-powered-by'] === undefined, 'no x-powered-by'],
  ];
  for (const [ok, what] of checks) soft(ok, `${label}: ${what}`);
  expect(
    checks.filter(([ok]) => !ok).map(([, what]) => what),
    `${label}: ${JSON.stringify(headers)}`,
  ).toEqual([]);
}

describe('production headers and cookies', () => {
  it('sign-up and sign-in set only Secure, HttpOnly, SameSite cookies', async () => {
    const email = uniqueEmail('prod');
    const signUp = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: PROD_WEB_URL },
      payload: { email, password: PASSWORD, name: 'Prod' },
    });
    expect(signUp.statusCode, signUp.body).toBe(200);
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: PROD_WEB_URL },
      payload: { email, password: PASSWORD },
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    expectSecurityHeaders(signIn.headers, 'sign-in');
    const cookies = [signUp.headers['set-cookie'], signIn.headers['set-cookie']].flat().filter((c): c is string => Boolean(c));
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
      const ok = attrs.includes('secure') && attrs.includes('httponly') && attrs.some((a) => /^samesite=(lax|strict)$/.test(a));
      soft(ok, `cookie ${cookie.split('=')[0]}`);
      expect(ok, cookie).toBe(true);
      // The __Secure- prefix makes browsers refuse the cookie over plain HTTP.
      expect(cookie.startsWith('__Secure-') || cookie.startsWith('__Host-'), cookie).toBe(true);
    }
    const token = await t.app.inject({ url: '/api/auth/token', headers: { cookie: cookieHeader(signIn.headers['set-cookie']) } });
    expect(token.statusCode).toBe(200);
    jwt = token.json().token as string;
    const tenant = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: { authorization: `Bearer ${jwt}` },
      payload: { name: 'Prod' },
    });
    expect(tenant.statusCode).toBe(201);
    tenantId = tenant.json().data.id;
  });

  it('security headers on success, client errors, auth answers and the docs', async () => {
    const auth = { authorization: `Bearer ${jwt}` };
    const answers = {
      'GET /api/v1/status': await t.app.inject({ url: '/api/v1/status' }),
      'GET /api/v1/me': await t.app.inject({ url: '/api/v1/me', headers: auth }),
      'GET tenant tasks': await t.app.inject({ url: `/api/v1/tenants/${tenantId}/tasks`, headers: auth }),
      '401': await t.app.inject({ url: '/api/v1/me' }),
      '404': await t.app.inject({ url: '/api/v1/nope' }),
      '400': await t.app.inject({ url: `/api/v1/tenants/${tenantId}/tasks?limit=abc`, headers: auth }),
      '415': await t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...auth, 'content-type': 'text/plain' },
        payload: 'x',
      }),
      'GET /api/auth/get-session': await t.app.inject({ url: '/api/auth/get-session' }),
      'GET /healthz': await t.app.inject({ url: '/healthz' }),
    };
    for (const [label, res] of Object.entries(answers)) {
      expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
      expectSecurityHeaders(res.headers, label);
    }
    expect(answers['GET /api/v1/me'].statusCode).toBe(200);
    expect(answers['401'].statusCode).toBe(401);
  });

  it('a foreign Origin gets no CORS grant; the web app’s origin gets a credentialed one', async () => {
    const auth = { authorization: `Bearer ${jwt}` };
    const foreign = [
      await t.app.inject({ url: '/api/v1/me', headers: { ...auth, origin: FOREIGN } }),
      await t.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/me',
        headers: { origin: FOREIGN, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
      }),
      await t.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/sign-in/email',
        headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      }),
      await t.app.inject({ url: '/api/v1/status', headers: { origin: 'null' } }),
      await t.app.inject({ url: '/api/v1/status', headers: { origin: `${PROD_WEB_URL}.evil.example` } }),
      await t.app.inject({ url: '/api/v1/status', headers: { origin: PROD_WEB_URL.replace('https', 'http') } }),
    ];
    for (const res of foreign) {
      const ok = res.headers['access-control-allow-origin'] === undefined && res.headers['access-control-allow-credentials'] === undefined;
      soft(ok, `CORS for foreign origin ${res.statusCode}`);
      expect(ok, JSON.stringify(res.headers)).toBe(true);
    }
    const own = await t.app.inject({ url: '/api/v1/me', headers: { ...auth, origin: PROD_WEB_URL } });
    expect(own.headers['access-control-allow-origin']).toBe(PROD_WEB_URL);
    expect(own.headers['access-control-allow-credentials']).toBe('true');
    // A cookie-authenticated Better Auth POST from a foreign origin is refused outright.
    const csrf = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: FOREIGN },
      payload: { email: 'x@example.com', password: PASSWORD },
    });
    soft(csrf.statusCode === 403, 'Better Auth origin check');
    expect(csrf.statusCode).toBe(403);
  });

  it('known paths with unsupported methods are 405 with Allow', async () => {
    const auth = { authorization: `Bearer ${jwt}` };
    const probes: [string, string][] = [
      ['PUT', '/api/v1/me'],
      ['POST', '/api/v1/status'],
      ['DELETE', '/api/v1/plans'],
      ['PUT', '/api/v1/tenants'],
      ['PUT', `/api/v1/tenants/${tenantId}`],
      ['POST', `/api/v1/tenants/${tenantId}/members`],
      ['PUT', `/api/v1/tenants/${tenantId}/tasks`],
      ['TRACE', '/api/v1/status'],
    ];
    for (const [method, url] of probes) {
      const res = await t.app.inject({ method: method as 'PUT', url, headers: auth });
      const ok = res.statusCode === 405 && typeof res.headers.allow === 'string' && res.headers.allow.length > 0;
      soft(ok, `405 ${method} ${url} → ${res.statusCode}`);
      expect({ method, url, status: res.statusCode, allow: Boolean(res.headers.allow) }).toEqual({ method, url, status: 405, allow: true });
    }
  });
});
