/**
 * Tenant API keys: for scripts and integrations. The secret (`atr_…`) is shown once at creation and
 * stored only as a keyed hash; a key acts only inside its tenant and only within its scopes; a revoked
 * or expired key fails on its next request; what a key does is audited with the key as the actor.
 */
import type { AppDb } from '../../db/client.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { cached, invalidateCache } from '../../lib/cache.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { generateSecret, hashApiKey } from '../../lib/secrets.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assertFeature } from '../plans/limits.service.ts';
import type { Permission } from '../tenants/permissions.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './api-keys.repository.ts';

export const API_KEY_PREFIX = 'atr_';
export const API_KEY_SCOPES = ['projects:read', 'projects:write', 'tasks:read', 'tasks:write', 'comments:write', 'audit:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const SCOPE_PERMISSIONS: Record<ApiKeyScope, Permission[]> = {
  'projects:read': ['tenant:read', 'project:read'],
  'projects:write': ['project:write'],
  'tasks:read': ['tenant:read', 'task:read:all'],
  'tasks:write': ['task:create', 'task:write:all'],
  'comments:write': ['comment:write'],
  'audit:read': ['audit:read'],
};

export function permissionsForScopes(scopes: readonly string[]): ReadonlySet<Permission> {
  const set = new Set<Permission>(['tenant:read']);
  for (const s of scopes) for (const p of SCOPE_PERMISSIONS[s as ApiKeyScope] ?? []) set.add(p);
  return set;
}

function toApiKey(k: repo.ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
  };
}

export async function listApiKeys(db: AppDb, ctx: TenantContext) {
  return withTenant(db, ctx, async (tx) => (await repo.findApiKeys(tx, ctx.tenantId)).map(toApiKey));
}

export async function createApiKey(
  db: AppDb,
  authSecret: string,
  ctx: TenantContext,
  data: { name: string; scopes: ApiKeyScope[]; expiresAt?: string | null },
) {
  return withTenant(db, ctx, async (tx) => {
    await assertFeature(tx, ctx.tenantId, 'api_keys');
    const secret = generateSecret(API_KEY_PREFIX);
    const key = await repo.insertApiKey(tx, {
      id: newId('apk'),
      tenantId: ctx.tenantId,
      name: data.name,
      prefix: secret.slice(0, 12),
      secretHash: hashApiKey(authSecret, secret),
      scopes: [...new Set(data.scopes)],
      expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
      createdBy: ctx.userId,
    });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'apikey.created',
      targetType: 'api_key',
      targetId: key.id,
      metadata: { name: key.name, scopes: key.scopes },
    });
    return { ...toApiKey(key), secret };
  });
}

export async function revokeApiKey(db: AppDb, ctx: TenantContext, keyId: string) {
  return withTenant(db, ctx, async (tx) => {
    const key = await repo.revokeApiKeyRow(tx, ctx.tenantId, keyId);
    if (!key) throw notFound('API key');
    await invalidateCache({ keys: [apiKeyCacheKey(key.secretHash)] });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'apikey.revoked',
      targetType: 'api_key',
      targetId: keyId,
      metadata: { name: key.name },
    });
    return toApiKey(key);
  });
}

export interface VerifiedApiKey {
  keyId: string;
  tenantId: string;
  scopes: string[];
}

/** The key for a presented secret, if it exists, is not revoked and has not expired. */
export async function verifyApiKey(db: AppDb, authSecret: string, secret: string): Promise<VerifiedApiKey | null> {
  if (!secret.startsWith(API_KEY_PREFIX) || secret.length > 100) return null;
  const secretHash = hashApiKey(authSecret, secret);
  // Cached like memberships ('strict', lib/cache.ts): only where every instance hears invalidations
  // (with Redis, or on the embedded database); elsewhere read every time. Revoking invalidates the
  // entry at once (and again after the commit), so a revoked key fails on its next request.
  const key = await cached(API_KEY_CACHE, apiKeyCacheKey(secretHash), API_KEY_CACHE_TTL_SECONDS, async () => {
    const row = await withScope(db, { apiKeyHash: secretHash }, (tx) => repo.findApiKeyByHash(tx, secretHash), { lookup: true });
    if (!row || row.revokedAt) return null;
    return { keyId: row.id, tenantId: row.tenantId, scopes: row.scopes, expiresAt: row.expiresAt?.getTime() ?? null };
  });
  if (!key || (key.expiresAt !== null && key.expiresAt <= Date.now())) return null;
  return { keyId: key.keyId, tenantId: key.tenantId, scopes: key.scopes };
}

const API_KEY_CACHE = 'api_key';
const API_KEY_CACHE_TTL_SECONDS = 60;
const apiKeyCacheKey = (secretHash: string) => `apk:${secretHash}`;

/**
 * Last-used times, collected in memory and written in one batch every half minute (and at
 * shutdown), so using a key costs no database write per request.
 */
export class ApiKeyUsage {
  private pending = new Map<string, { tenantId: string; at: Date }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly db: AppDb;

  constructor(db: AppDb) {
    this.db = db;
  }

  record(key: VerifiedApiKey) {
    this.pending.set(key.keyId, { tenantId: key.tenantId, at: new Date() });
  }

  start(intervalMs = 30_000) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), intervalMs);
    this.timer.unref();
  }

  async flush() {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const byTenant = new Map<string, { id: string; at: Date }[]>();
    for (const [id, { tenantId, at }] of batch) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), { id, at }]);
    for (const [tenantId, usage] of byTenant)
      await withTenant(this.db, { tenantId }, (tx) => repo.touchApiKeys(tx, tenantId, usage), { lookup: true });
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => {});
  }
}
