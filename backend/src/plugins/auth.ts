/**
 * Authentication for /api/v1: resolves the caller (the principal) from
 *   - `Authorization: Bearer <jwt>`: Better Auth's short-lived JWT, verified locally against the
 *     JWKS kept in memory (EdDSA only; `iss`, `aud`, `exp` checked), or
 *   - Better Auth's session cookie (the browser).
 * Tokens in the query string are refused. Routes opt in with `requireUser`.
 *
 * A banned user: Better Auth refuses their sign-in and the ban deletes their sessions; a JWT they still
 * hold is refused here (the ban state is read per user, remembered for BAN_CHECK_TTL_MS in this
 * process and forgotten at once when this process bans; another process sees a ban within the TTL).
 * An impersonation session (or a JWT minted from one, claim `act.sub`) names the acting admin in
 * `principal.impersonatedBy`.
 */

import { fromNodeHeaders } from 'better-auth/node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createLocalJWKSet, type JSONWebKeySet, errors as joseErrors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config.ts';
import type { AppDb } from '../db/client.ts';
import { AppError, forbidden, unauthorized } from '../lib/errors.ts';
import { findBanState } from '../modules/admin/admin.repository.ts';
import { API_KEY_PREFIX, type ApiKeyUsage, verifyApiKey } from '../modules/api-keys/api-keys.service.ts';
import type { Auth } from '../modules/auth/auth.ts';

export type Principal =
  | { kind: 'user'; userId: string; via: 'jwt' | 'session'; impersonatedBy?: string | null }
  | { kind: 'api_key'; keyId: string; tenantId: string; scopes: string[] };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    banCheck: BanCheck;
  }
}

export const BAN_CHECK_TTL_MS = 5_000;

/** Is this user banned (and the ban not yet over)? Read per user at most every BAN_CHECK_TTL_MS. */
export class BanCheck {
  private readonly cache = new LRUCache<string, { banned: boolean; until: number | null }>({ max: 10_000, ttl: BAN_CHECK_TTL_MS });
  private readonly db: AppDb;

  constructor(db: AppDb) {
    this.db = db;
  }

  async isBanned(userId: string): Promise<boolean> {
    let state = this.cache.get(userId);
    if (!state) {
      const row = await findBanState(this.db, userId);
      state = { banned: row?.banned ?? false, until: row?.banExpires ? row.banExpires.getTime() : null };
      this.cache.set(userId, state);
    }
    return state.banned && (state.until === null || state.until > Date.now());
  }

  /** After a ban or unban in this process. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }
}

const QUERY_TOKEN_PARAMS = ['access_token', 'token', 'jwt', 'bearer', 'api_key', 'apikey'];
const ALLOWED_ALGORITHMS = ['EdDSA'];

/** Verifies API JWTs against the signing keys, held in memory and refreshed when an unknown key id appears. */
export class JwtVerifier {
  private keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  private loadedAt = 0;
  private readonly auth: Auth;
  private readonly config: AppConfig;

  constructor(auth: Auth, config: AppConfig) {
    this.auth = auth;
    this.config = config;
  }

  private async keys(force = false) {
    if (!this.keySet || (force && Date.now() - this.loadedAt > 10_000)) {
      const jwks = (await this.auth.api.getJwks()) as unknown as JSONWebKeySet;
      this.keySet = createLocalJWKSet(jwks);
      this.loadedAt = Date.now();
    }
    return this.keySet;
  }

  /**
   * Tokens already verified, until their own `exp`: a repeat request with the same JWT costs a map
   * lookup instead of an Ed25519 signature check. Only successes are kept, and nothing outlives the
   * token, so what a token may do and how long it lasts are unchanged (docs/security.md: up to
   * 15 minutes after sign-out). Bounded: the least recently used tokens make room.
   */
  private readonly verified = new LRUCache<string, { userId: string; impersonatedBy: string | null; expiresAt: number }>({
    max: 10_000,
  });

  async verify(token: string): Promise<{ userId: string; impersonatedBy: string | null }> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt > Date.now()) return { userId: hit.userId, impersonatedBy: hit.impersonatedBy };
      this.verified.delete(token);
    }
    const attempt = async (force: boolean) =>
      jwtVerify(token, await this.keys(force), {
        algorithms: ALLOWED_ALGORITHMS,
        issuer: this.config.auth.jwtIssuer,
        audience: this.config.auth.jwtAudience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
    let result: Awaited<ReturnType<typeof attempt>>;
    try {
      result = await attempt(false);
    } catch (err) {
      if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
      result = await attempt(true);
    }
    const act = result.payload.act as { sub?: unknown } | undefined;
    const principal = { userId: result.payload.sub as string, impersonatedBy: typeof act?.sub === 'string' ? act.sub : null };
    this.verified.set(token, { ...principal, expiresAt: (result.payload.exp as number) * 1000 });
    return principal;
  }
}

/** The signed-in user; API keys act only inside their tenant's routes and are refused here. */
export function requireUser(request: FastifyRequest): UserPrincipal {
  if (!request.principal) throw unauthorized();
  if (request.principal.kind !== 'user') throw forbidden('This endpoint needs a signed-in user; API keys cannot use it');
  return request.principal;
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

export default fp(async function authPlugin(app: FastifyInstance, opts: { auth: Auth; config: AppConfig; apiKeyUsage: ApiKeyUsage }) {
  const verifier = new JwtVerifier(opts.auth, opts.config);
  const banCheck = new BanCheck(app.database.db);
  app.decorate('banCheck', banCheck);
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/v1/')) return;
    const query = request.url.includes('?') ? new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1)) : undefined;
    if (query && QUERY_TOKEN_PARAMS.some((p) => query.has(p))) {
      throw new AppError('unauthorized', 'Credentials in the query string are not accepted; send an Authorization header');
    }
    const apiKeyHeader = request.headers['x-api-key'];
    const header = request.headers.authorization;
    const presentedKey =
      typeof apiKeyHeader === 'string'
        ? apiKeyHeader
        : header?.startsWith(`Bearer ${API_KEY_PREFIX}`)
          ? header.slice('Bearer '.length)
          : undefined;
    if (presentedKey !== undefined) {
      const key = await verifyApiKey(app.database.db, opts.config.auth.secret, presentedKey.trim());
      if (!key) throw unauthorized('Invalid, revoked or expired API key');
      opts.apiKeyUsage.record(key);
      request.principal = { kind: 'api_key', keyId: key.keyId, tenantId: key.tenantId, scopes: key.scopes };
      return;
    }
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*\.[A-Za-z0-9\-_]*)$/.exec(header);
      if (!match?.[1]) throw unauthorized('Malformed Authorization header; expected "Bearer <token>"');
      let verified: Awaited<ReturnType<JwtVerifier['verify']>>;
      try {
        verified = await verifier.verify(match[1]);
      } catch (err) {
        request.log.info({ reason: (err as Error).name }, 'rejected bearer token');
        throw unauthorized('Invalid or expired token');
      }
      if (await banCheck.isBanned(verified.userId)) throw unauthorized('This account is banned');
      request.principal = { kind: 'user', userId: verified.userId, via: 'jwt', impersonatedBy: verified.impersonatedBy };
      return;
    }
    if (request.headers.cookie) {
      const session = await opts.auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
      if (session) {
        const impersonatedBy = (session.session as { impersonatedBy?: string | null }).impersonatedBy ?? null;
        request.principal = { kind: 'user', userId: session.user.id, via: 'session', impersonatedBy };
      }
    }
  });
});
