import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createProject, createTask, createWorkspace, setPlan, type Workspace } from '../helpers/workspace.ts';

let t: TestApp;
let a: Workspace;
let b: Workspace;
let projectA: string;
let projectB: string;

beforeAll(async () => {
  t = await startTestApp({ work: true, captureLogs: true });
  a = await createWorkspace(t.app, 'Alpha');
  b = await createWorkspace(t.app, 'Beta');
  await setPlan(t.database, a.tenantId, 'pro');
  await setPlan(t.database, b.tenantId, 'pro');
  projectA = await createProject(t.app, a.tenantId, a.users.owner);
  projectB = await createProject(t.app, b.tenantId, b.users.owner);
});
afterAll(async () => {
  await t?.close();
});

async function createKey(ws: Workspace, scopes: string[], extra: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${ws.tenantId}/api-keys`,
    headers: ws.users.admin.h,
    payload: { name: 'CI', scopes, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string; secret: string; prefix: string };
}

describe('API keys', () => {
  it('returns the secret once, stores only a hash, and lists keys without it', async () => {
    const key = await createKey(a, ['tasks:read']);
    expect(key.secret).toMatch(/^atr_[A-Za-z0-9]{40}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    const list = await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/api-keys`, headers: a.users.admin.h });
    expect(list.body).not.toContain(key.secret);
    const rows = await withTenant(t.database.db, { tenantId: a.tenantId }, (tx) => tx.select().from(apiKeys));
    expect(JSON.stringify(rows)).not.toContain(key.secret);
    expect(rows.find((r) => r.id === key.id)?.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads and writes within its scopes, and is refused outside them (403)', async () => {
    const key = await createKey(a, ['tasks:read', 'tasks:write']);
    for (const headers of [{ 'x-api-key': key.secret }, { authorization: `Bearer ${key.secret}` }]) {
      const list = await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/tasks`, headers });
      expect(list.statusCode).toBe(200);
    }
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/tasks`,
      headers: { 'x-api-key': key.secret },
      payload: { projectId: projectA, title: 'Made by a script' },
    });
    expect(created.statusCode).toBe(201);
    // Out of scope: projects, members, audit, and user-only endpoints.
    const project = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/projects`,
      headers: { 'x-api-key': key.secret },
      payload: { name: 'No' },
    });
    expect(project.statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/audit-logs`, headers: { 'x-api-key': key.secret } })).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/members`, headers: { 'x-api-key': key.secret } })).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ url: '/api/v1/me', headers: { 'x-api-key': key.secret } })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/api-keys`, headers: { 'x-api-key': key.secret } })).statusCode).toBe(
      403,
    );
  });

  it('actions by keys are audited with the key as actor', async () => {
    const key = await createKey(a, ['tasks:write', 'audit:read']);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/tasks`,
      headers: { 'x-api-key': key.secret },
      payload: { projectId: projectA, title: 'Audited' },
    });
    const taskId = res.json().data.id;
    const audit = await t.app.inject({
      url: `/api/v1/tenants/${a.tenantId}/audit-logs?targetId=${taskId}`,
      headers: { 'x-api-key': key.secret },
    });
    expect(audit.json().data).toEqual([
      expect.objectContaining({ action: 'task.created', actorType: 'api_key', actorId: key.id, requestId: res.headers['x-request-id'] }),
    ]);
  });

  it("another tenant's ids are 404 to a key", async () => {
    const key = await createKey(a, ['tasks:read', 'tasks:write', 'projects:read', 'projects:write']);
    const h = { 'x-api-key': key.secret };
    const taskB = await createTask(t.app, b.tenantId, b.users.owner, { projectId: projectB, title: 'B only' });
    expect((await t.app.inject({ url: `/api/v1/tenants/${b.tenantId}/tasks`, headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/tasks/${taskB.id}`, headers: h })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${a.tenantId}/tasks/${taskB.id}`, headers: h, payload: { title: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/projects/${projectB}`, headers: h })).statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/tasks`,
      headers: h,
      payload: { projectId: projectB, title: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    const still = await t.app.inject({ url: `/api/v1/tenants/${b.tenantId}/tasks/${taskB.id}`, headers: b.users.owner.h });
    expect(still.json().data.title).toBe('B only');
  });

  it('a revoked key fails on its next request (401); an expired one too', async () => {
    const key = await createKey(a, ['tasks:read']);
    const url = `/api/v1/tenants/${a.tenantId}/tasks`;
    expect((await t.app.inject({ url, headers: { 'x-api-key': key.secret } })).statusCode).toBe(200);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tenants/${a.tenantId}/api-keys/${key.id}`,
      headers: a.users.admin.h,
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().data.revokedAt).toBeTruthy();
    const after = await t.app.inject({ url, headers: { 'x-api-key': key.secret } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');

    const soon = await createKey(a, ['tasks:read'], { expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await t.app.inject({ url, headers: { 'x-api-key': soon.secret } })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    expect((await t.app.inject({ url, headers: { 'x-api-key': soon.secret } })).statusCode).toBe(401);
  });

  it('records last use without a write per request, and the secret never reaches the logs', async () => {
    const key = await createKey(a, ['tasks:read']);
    for (let i = 0; i < 5; i++) await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/tasks`, headers: { 'x-api-key': key.secret } });
    const before = await withTenant(t.database.db, { tenantId: a.tenantId }, (tx) => tx.select().from(apiKeys));
    expect(before.find((k) => k.id === key.id)?.lastUsedAt).toBeNull(); // not yet written
    await t.app.apiKeyUsage.flush();
    const after = await withTenant(t.database.db, { tenantId: a.tenantId }, (tx) => tx.select().from(apiKeys));
    expect(after.find((k) => k.id === key.id)?.lastUsedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(t.logs)).not.toContain(key.secret);
  });

  it('only admins manage keys, and only on plans with the api_keys feature', async () => {
    for (const role of ['editor', 'member', 'viewer', 'guest'] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${a.tenantId}/api-keys`,
        headers: a.users[role].h,
        payload: { name: 'x', scopes: ['tasks:read'] },
      });
      expect(res.statusCode, role).toBe(403);
    }
    await setPlan(t.database, b.tenantId, 'free');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${b.tenantId}/api-keys`,
      headers: b.users.owner.h,
      payload: { name: 'x', scopes: ['tasks:read'] },
    });
    expect(res.statusCode).toBe(402);
    expect(res.json().error.code).toBe('plan_limit_reached');
    await setPlan(t.database, b.tenantId, 'pro');
  });

  it('an idempotent replay of key creation creates nothing and never repeats the secret', async () => {
    const headers = { ...a.users.admin.h, 'idempotency-key': 'key-once' };
    const payload = { name: 'Replayed', scopes: ['tasks:read'] };
    const first = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${a.tenantId}/api-keys`, headers, payload });
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${a.tenantId}/api-keys`, headers, payload });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().data.id).toBe(first.json().data.id);
    expect(again.body).not.toContain(first.json().data.secret);
    const list = await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/api-keys`, headers: a.users.admin.h });
    expect(list.json().data.filter((k: { name: string }) => k.name === 'Replayed')).toHaveLength(1);
  });

  it('replays an idempotent POST on another endpoint than tasks (projects)', async () => {
    const headers = { ...a.users.owner.h, 'idempotency-key': 'project-once' };
    const first = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/projects`,
      headers,
      payload: { name: 'Once only' },
    });
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/projects`,
      headers,
      payload: { name: 'Once only' },
    });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().data.id).toBe(first.json().data.id);
    const list = await t.app.inject({ url: `/api/v1/tenants/${a.tenantId}/projects`, headers: a.users.owner.h });
    expect(list.json().data.filter((p: { name: string }) => p.name === 'Once only')).toHaveLength(1);
    const other = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${a.tenantId}/projects`,
      headers,
      payload: { name: 'Something else' },
    });
    expect(other.statusCode).toBe(409);
  });
});
