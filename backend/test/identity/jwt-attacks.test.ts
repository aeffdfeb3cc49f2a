/**
 * Forged, altered, expired and misplaced API tokens: every one is refused with 401 `unauthorized` on
 * /api/v1/me and on a tenant route, and the verifier's log line names the reason it was refused (so a
 * test cannot pass because the token failed for some other, accidental reason).
 */
import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, getJwt, type TestUser } from '../helpers/auth.ts';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let tenantId: string;
let jwks: { keys: Record<string, string>[] };

const ISSUER = 'http://localhost:3000';
const AUDIENCE = 'atrium-api';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function parts(token: string) {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return { header, payload, signature };
}

/** Signs a token with the server's real key through Better Auth's server-only API (any claims). */
async function serverSigned(payload: Record<string, unknown>): Promise<string> {
  const { token } = await t.auth.api.signJWT({ body: { payload } });
  return token;
}

/** The reason the verifier logged for rejecting the request `res` (the error name from jose). */
function rejectionReason(res: { headers: Record<string, unknown> }): unknown {
  const requestId = res.headers['x-request-id'];
  const line = t.logs.find((l) => l.requestId === requestId && l.msg === 'rejected bearer token');
  return line?.reason;
}

function expectUnauthorized(res: { statusCode: number; json: () => unknown }, label: string) {
  expect(res.statusCode, label).toBe(401);
  expect(res.json(), label).toMatchObject({ success: false, error: { code: 'unauthorized', message: expect.any(String) } });
}

const protectedUrls = () => ['/api/v1/me', `/api/v1/tenants/${tenantId}`];

/** Sends `token` as a bearer to /api/v1/me and a tenant route; both must be 401 for `reason`. */
async function expectRejected(token: string, reason: string, label: string) {
  for (const url of protectedUrls()) {
    const res = await t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    expectUnauthorized(res, `${label} on ${url}`);
    expect(rejectionReason(res), `${label} on ${url}`).toBe(reason);
  }
}

beforeAll(async () => {
  t = await startTestApp({ work: true, captureLogs: true });
  alice = await createUser(t.app, { label: 'alice' });
  bob = await createUser(t.app, { label: 'bob' });
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: alice.h, payload: { name: 'Alice Co' } });
  expect(created.statusCode).toBe(201);
  tenantId = created.json().data.id;
  jwks = (await t.app.inject({ url: '/api/auth/jwks' })).json();
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('issued tokens and published keys', () => {
  it('GET /api/auth/jwks publishes only public Ed25519 keys for EdDSA', async () => {
    const res = await t.app.inject({ url: '/api/auth/jwks' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.json() as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519', kid: expect.any(String), x: expect.any(String) });
      // No private material ever leaves the server.
      expect(key).not.toHaveProperty('d');
    }
  });

  it('GET /api/auth/token returns a 15-minute EdDSA token for this API', async () => {
    const token = await getJwt(t.app, alice.cookie);
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('EdDSA');
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: alice.id });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    expect(Math.abs((payload.iat as number) - now())).toBeLessThan(60);
  });

  it('GET /api/auth/token without a session is refused', async () => {
    const res = await t.app.inject({ url: '/api/auth/token' });
    expect(res.statusCode).toBe(401);
  });
});

describe('positive controls', () => {
  it('a genuine token works on /api/v1/me and on the tenant route', async () => {
    const me = await t.app.inject({ url: '/api/v1/me', headers: alice.h });
    expect(me.statusCode).toBe(200);
    expect(me.json().data.user.id).toBe(alice.id);
    const tenant = await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: alice.h });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.json().data).toMatchObject({ id: tenantId, role: 'owner' });
  });

  it('a token minted through signJWT with the default claims is accepted (the technique below is sound)', async () => {
    const token = await serverSigned({ sub: alice.id, iat: now() });
    const res = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.user.id).toBe(alice.id);
  });
});

describe('forged tokens', () => {
  it('alg "none" (unsigned) is refused', async () => {
    const { payload, signature } = parts(alice.jwt);
    const kid = decodeProtectedHeader(alice.jwt).kid;
    for (const alg of ['none', 'None', 'NONE']) {
      await expectRejected(`${b64url({ alg, typ: 'JWT' })}.${payload}.`, 'JOSEAlgNotAllowed', `alg ${alg}`);
      await expectRejected(`${b64url({ alg, kid })}.${payload}.`, 'JOSEAlgNotAllowed', `alg ${alg} with kid`);
      // An unsigned header with the original signature left in place.
      await expectRejected(`${b64url({ alg, kid })}.${payload}.${signature}`, 'JOSEAlgNotAllowed', `alg ${alg} with signature`);
    }
  });

  it('HS256 signed with the public key material (algorithm confusion) is refused', async () => {
    const key = jwks.keys[0] as Record<string, string>;
    const claims = b64url({ sub: bob.id, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 });
    const secrets: [string, Buffer | string][] = [
      ['raw x bytes', Buffer.from(key.x as string, 'base64url')],
      ['x as text', key.x as string],
      ['JWK JSON', JSON.stringify(key)],
      ['JWKS JSON', JSON.stringify(jwks)],
    ];
    for (const [label, secret] of secrets) {
      const header = b64url({ alg: 'HS256', typ: 'JWT', kid: key.kid });
      const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
      await expectRejected(`${header}.${claims}.${signature}`, 'JOSEAlgNotAllowed', `HS256 with ${label}`);
    }
  });

  it('a token signed by a key the server does not hold is refused, whatever kid or jwk header it names', async () => {
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const claims = { sub: bob.id, iat: now() };
    const sign = (header: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', ...header })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('10m')
        .sign(attacker.privateKey);
    const serverKid = jwks.keys[0]?.kid as string;
    await expectRejected(await sign({ kid: serverKid }), 'JWSSignatureVerificationFailed', "attacker key, server's kid");
    await expectRejected(await sign({ kid: serverKid, jwk: attackerJwk }), 'JWSSignatureVerificationFailed', 'attacker key, embedded jwk');
    await expectRejected(await sign({ kid: 'key_attacker' }), 'JWKSNoMatchingKey', 'attacker key, unknown kid');
    await expectRejected(await sign({}), 'JWSSignatureVerificationFailed', 'attacker key, no kid');
  });

  it('a tampered payload (sub swapped, signature kept) is refused', async () => {
    const { header, payload, signature } = parts(alice.jwt);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = b64url({ ...claims, sub: bob.id });
    expect(forged).not.toBe(payload);
    await expectRejected(`${header}.${forged}.${signature}`, 'JWSSignatureVerificationFailed', 'sub swapped');
    const longer = b64url({ ...claims, exp: claims.exp + 86_400 });
    await expectRejected(`${header}.${longer}.${signature}`, 'JWSSignatureVerificationFailed', 'exp extended');
    // The untouched token still works: only the change broke it.
    const res = await t.app.inject({ url: '/api/v1/me', headers: alice.h });
    expect(res.statusCode).toBe(200);
  });
});

describe('claims', () => {
  it('an expired token (signed by the server, exp in the past) is refused', async () => {
    const token = await serverSigned({ sub: alice.id, iat: now() - 3600, exp: now() - 1800 });
    await expectRejected(token, 'JWTExpired', 'exp 30 min ago');
    const justExpired = await serverSigned({ sub: alice.id, iat: now() - 901, exp: now() - 1 });
    await expectRejected(justExpired, 'JWTExpired', 'exp 1 s ago');
  });

  it('a real token works until its 15 minutes are up, then is refused', async () => {
    const token = await getJwt(t.app, alice.cookie);
    const { exp } = decodeJwt(token) as { exp: number };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((exp - 60) * 1000);
    const before = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(before.statusCode).toBe(200);
    vi.setSystemTime((exp + 1) * 1000);
    await expectRejected(token, 'JWTExpired', 'real token after exp');
  });

  it('a token not yet valid (nbf in the future) is refused', async () => {
    await expectRejected(await serverSigned({ sub: alice.id, iat: now(), nbf: now() + 600 }), 'JWTClaimValidationFailed', 'nbf +10 min');
  });

  it('a token from another issuer is refused', async () => {
    for (const iss of ['https://evil.example', 'http://localhost:4000', 'http://localhost:3000/']) {
      await expectRejected(await serverSigned({ sub: alice.id, iat: now(), iss }), 'JWTClaimValidationFailed', `iss ${iss}`);
    }
  });

  it('a token for another audience is refused', async () => {
    for (const aud of ['http://localhost:3000', 'atrium-admin', ['other-api']]) {
      await expectRejected(
        await serverSigned({ sub: alice.id, iat: now(), aud }),
        'JWTClaimValidationFailed',
        `aud ${JSON.stringify(aud)}`,
      );
    }
  });

  it('a token missing sub or iat is refused', async () => {
    await expectRejected(await serverSigned({ iat: now() }), 'JWTClaimValidationFailed', 'no sub');
    await expectRejected(await serverSigned({ sub: alice.id }), 'JWTClaimValidationFailed', 'no iat');
  });

  it('a validly signed token for a user that does not exist gets no data', async () => {
    const token = await serverSigned({ sub: 'usr_doesnotexist', iat: now() });
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expectUnauthorized(me, 'ghost user on /me');
    const tenant = await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: { authorization: `Bearer ${token}` } });
    expect(tenant.statusCode).toBe(404);
  });
});

describe('transport', () => {
  it('tokens in the query string are refused, even a valid one and even next to a valid header', async () => {
    for (const param of ['access_token', 'token', 'jwt', 'bearer', 'api_key', 'apikey']) {
      for (const url of protectedUrls()) {
        const target = `${url}?${param}=${encodeURIComponent(alice.jwt)}`;
        expectUnauthorized(await t.app.inject({ url: target }), `${param} without header on ${url}`);
        expectUnauthorized(await t.app.inject({ url: target, headers: alice.h }), `${param} with header on ${url}`);
      }
    }
    // The same token in the header alone is accepted.
    expect((await t.app.inject({ url: '/api/v1/me', headers: alice.h })).statusCode).toBe(200);
  });

  it('garbage and malformed Authorization headers are refused', async () => {
    const bad = [
      'Bearer garbage',
      'Bearer a.b.c',
      'Bearer ',
      'Bearer',
      `Bearer ${alice.jwt}.extra`,
      `Bearer  ${alice.jwt}`,
      `bearer${alice.jwt}`,
      `Basic ${Buffer.from(`${alice.email}:x`).toString('base64')}`,
      `Token ${alice.jwt}`,
      alice.jwt,
      `Bearer ${alice.jwt.slice(0, -4)}`,
      `Bearer ${'x'.repeat(4000)}.${'y'.repeat(4000)}.z`,
    ];
    for (const authorization of bad) {
      for (const url of protectedUrls()) {
        expectUnauthorized(await t.app.inject({ url, headers: { authorization } }), `${authorization.slice(0, 40)} on ${url}`);
      }
    }
  });

  it('a bad bearer is not rescued by a valid session cookie', async () => {
    const res = await t.app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer a.b.c', cookie: alice.cookie } });
    expectUnauthorized(res, 'bad bearer + good cookie');
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: alice.cookie } })).statusCode).toBe(200);
  });
});
