/**
 * Workspace fixtures through the public API: a tenant with one user per role, projects and tasks.
 * The same factories feed the demo seed.
 */
import type { AppInstance } from '../../src/types.ts';
import { createUser, readMail, type TestUser } from './auth.ts';

export type RoleName = 'owner' | 'admin' | 'editor' | 'member' | 'viewer' | 'guest';

export interface Workspace {
  tenantId: string;
  users: Record<RoleName, TestUser>;
}

export async function createTenant(app: AppInstance, owner: TestUser, name = 'Acme'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/tenants', headers: owner.h, payload: { name } });
  if (res.statusCode !== 201) throw new Error(`create tenant: ${res.statusCode} ${res.body}`);
  return res.json().data.id as string;
}

export async function addMember(
  app: AppInstance,
  tenantId: string,
  inviter: TestUser,
  role: RoleName,
  label: string = role,
): Promise<TestUser> {
  const user = await createUser(app, { label });
  const inv = await app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/invitations`,
    headers: inviter.h,
    payload: { email: user.email, role },
  });
  if (inv.statusCode !== 201) throw new Error(`invite: ${inv.statusCode} ${inv.body}`);
  await readMail(app, user.email, 'invited');
  const accepted = await app.inject({ method: 'POST', url: `/api/v1/invitations/${inv.json().data.id}/accept`, headers: user.h });
  if (accepted.statusCode !== 200) throw new Error(`accept: ${accepted.statusCode} ${accepted.body}`);
  return user;
}

export async function createWorkspace(app: AppInstance, name = 'Acme'): Promise<Workspace> {
  const owner = await createUser(app, { label: 'owner' });
  const tenantId = await createTenant(app, owner, name);
  const users = { owner } as Record<RoleName, TestUser>;
  for (const role of ['admin', 'editor', 'member', 'viewer', 'guest'] as const) users[role] = await addMember(app, tenantId, owner, role);
  return { tenantId, users };
}

export async function createProject(app: AppInstance, tenantId: string, user: TestUser, name = 'Launch'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/projects`, headers: user.h, payload: { name } });
  if (res.statusCode !== 201) throw new Error(`create project: ${res.statusCode} ${res.body}`);
  return res.json().data.id as string;
}

export async function createTask(app: AppInstance, tenantId: string, user: TestUser, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/tasks`, headers: user.h, payload: body });
  if (res.statusCode !== 201) throw new Error(`create task: ${res.statusCode} ${res.body}`);
  return res.json().data as { id: string; version: number; [k: string]: unknown };
}

/** Puts a tenant on a plan directly (for tests of paid features; billing has its own end-to-end tests). */
export async function setPlan(
  database: { db: import('../../src/db/client.ts').AppDb },
  tenantId: string,
  plan: 'free' | 'pro' | 'business',
) {
  const { withTenant } = await import('../../src/db/tenant.ts');
  const { tenants } = await import('../../src/db/schema/index.ts');
  const { eq } = await import('drizzle-orm');
  await withTenant(database.db, { tenantId }, (tx) => tx.update(tenants).set({ plan }).where(eq(tenants.id, tenantId)));
  // Written behind billing's back: drop the cached entitlements as billing would (lib/cache.ts).
  const { cacheKeys, invalidateCache } = await import('../../src/lib/cache.ts');
  await invalidateCache({ keys: [cacheKeys.entitlements(tenantId)] });
}
