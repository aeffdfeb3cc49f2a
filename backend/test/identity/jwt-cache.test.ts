/**
 * The verified-JWT cache (plugins/auth.ts) must change nothing a token may do: a cached token stops
 * working at its own `exp`, and a token that failed is never remembered as good.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Auth } from '../../src/modules/auth/auth.ts';
import { JwtVerifier } from '../../src/plugins/auth.ts';

const config = loadConfig({ APP_ENV: 'test' });

async function setup() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
  let jwksCalls = 0;
  const auth = {
    api: {
      getJwks: async () => {
        jwksCalls++;
        return { keys: [jwk] };
      },
    },
  } as unknown as Auth;
  const sign = (sub: string, expiresInS: number, key = privateKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject(sub)
      .setIssuer(config.auth.jwtIssuer)
      .setAudience(config.auth.jwtAudience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInS)
      .sign(key);
  return { verifier: new JwtVerifier(auth, config), sign, jwksCalls: () => jwksCalls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('verified-JWT cache', () => {
  it('answers a repeat token from the cache, and refuses it once its exp has passed', async () => {
    const { verifier, sign } = await setup();
    const token = await sign('usr_a', 60);
    expect(await verifier.verify(token)).toEqual({ userId: 'usr_a', impersonatedBy: null });
    expect(await verifier.verify(token)).toEqual({ userId: 'usr_a', impersonatedBy: null });
    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ['Date'] });
    await expect(verifier.verify(token)).rejects.toThrow();
  });

  it('never caches a failure: a forged token stays refused, a good one with the same subject passes', async () => {
    const { verifier, sign } = await setup();
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await sign('usr_b', 60, other.privateKey);
    await expect(verifier.verify(forged)).rejects.toThrow();
    await expect(verifier.verify(forged)).rejects.toThrow();
    expect((await verifier.verify(await sign('usr_b', 60))).userId).toBe('usr_b');
  });
});
