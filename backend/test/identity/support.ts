/**
 * Shared steps for the identity/tenancy contract tests: calls through the public HTTP API only
 * (`app.inject`), with a user's JWT.
 */

import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type Role, tenants } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { cacheKeys, invalidateCache } from '../../src/lib/cache.ts';
import type { AppInstance } from '../../src/types.ts';
import { createUser, type TestUser, uniqueEmail } from '../helpers/auth.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Res<T = unknown> {
  status: number;
  body: {
    success: boolean;
    data: T;
    meta?: { nextCursor: string | null };
    error: { code: string; message: string; details?: unknown; requestId: string };
  };
  requestId: string;
  raw: LightMyRequestResponse;
}

/** One call to the API as `user` (null: no credentials). */
export async function call<T = unknown>(
  app: AppInstance,
  user: TestUser | null,
  method: Method,
  url: string,
  payload?: unknown,
): Promise<Res<T>> {
  const raw = await app.inject({
    method,
    url,
    headers: user ? user.h : {},
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: raw.statusCode, body: raw.json(), requestId: String(raw.headers['x-request-id']), raw };
}

/** Asserts a success status and returns the envelope's data. */
export async function ok<T = unknown>(
  app: AppInstance,
  user: TestUser | null,
  method: Method,
  url: string,
  payload?: unknown,
  status = method === 'POST' && !url.includes('/accept') ? 201 : 200,
): Promise<T> {
  const res = await call<T>(app, user, method, url, payload);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body.success).toBe(true);
  return res.body.data;
}

/** Asserts the failure envelope with `status` and `code` (and the request id echoed). */
export function expectError(res: Res, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String), requestId: res.requestId } });
}

export interface TenantDto {
  id: string;
  name: string;
  slug: string;
  plan: string;
  settings: Record<string, unknown>;
  role?: Role;
  createdAt: string;
  updatedAt: string;
}
export interface MemberDto {
  id: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}
export interface InvitationDto {
  id: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invitedBy: string | null;
  expiresAt: string;
  createdAt: string;
}
export interface AuditDto {
  id: string;
  action: string;
  actorType: string;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export const tenantUrl = (tenantId: string, rest = '') => `/api/v1/tenants/${tenantId}${rest}`;

/**
 * Moves a tenant to the business plan, directly in the database (as the task tests do). These tests
 * make more requests per minute, and fill more seats, than the free plan allows; plans are not what
 * they test.
 */
export async function liftPlan(app: AppInstance, tenantId: string) {
  await withTenant(app.database.db, { tenantId }, (tx) => tx.update(tenants).set({ plan: 'business' }).where(eq(tenants.id, tenantId)));
  // Written behind billing's back: drop the cached entitlements as billing would (lib/cache.ts).
  await invalidateCache({ keys: [cacheKeys.entitlements(tenantId)] });
}

/** Creates a tenant through the API (the caller becomes owner), on the business plan (see liftPlan). */
export async function createTenant(app: AppInstance, owner: TestUser, name: string, slug?: string) {
  const tenant = await ok<TenantDto>(app, owner, 'POST', '/api/v1/tenants', slug ? { name, slug } : { name });
  await liftPlan(app, tenant.id);
  return tenant;
}

export async function invite(app: AppInstance, by: TestUser, tenantId: string, email: string, role: Role) {
  return ok<InvitationDto>(app, by, 'POST', tenantUrl(tenantId, '/invitations'), { email, role });
}

/** `by` invites `user` with `role`; `user` accepts. Returns the new membership id. */
export async function addMember(app: AppInstance, by: TestUser, tenantId: string, user: TestUser, role: Role): Promise<string> {
  const inv = await invite(app, by, tenantId, user.email, role);
  const accepted = await ok<{ tenant: TenantDto; membershipId: string }>(app, user, 'POST', `/api/v1/invitations/${inv.id}/accept`);
  expect(accepted.tenant).toMatchObject({ id: tenantId, role });
  return accepted.membershipId;
}

/** A new user, signed up and verified, who joins the tenant with `role`. */
export async function newMember(app: AppInstance, by: TestUser, tenantId: string, role: Role, label = `m-${role}`) {
  const user = await createUser(app, { label });
  const membershipId = await addMember(app, by, tenantId, user, role);
  return { user, membershipId };
}

export async function members(app: AppInstance, user: TestUser, tenantId: string) {
  return ok<MemberDto[]>(app, user, 'GET', tenantUrl(tenantId, '/members'));
}

export async function invitations(app: AppInstance, user: TestUser, tenantId: string) {
  return ok<InvitationDto[]>(app, user, 'GET', tenantUrl(tenantId, '/invitations'));
}

/** Every audit row of the tenant (newest first), following the cursor to the end. */
export async function auditAll(app: AppInstance, user: TestUser, tenantId: string, query: Record<string, string> = {}) {
  const rows: AuditDto[] = [];
  let cursor: string | null = null;
  do {
    const qs: URLSearchParams = new URLSearchParams({ limit: '100', ...query, ...(cursor ? { cursor } : {}) });
    const res: Res<AuditDto[]> = await call<AuditDto[]>(app, user, 'GET', tenantUrl(tenantId, `/audit-logs?${qs}`));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    rows.push(...res.body.data);
    cursor = res.body.meta?.nextCursor ?? null;
  } while (cursor);
  return rows;
}

export { uniqueEmail };
