/**
 * GDPR: the export holds the user's data and nothing of other users; deleting the account needs the
 * password, is refused while the user alone owns a workspace, and afterwards the user can no longer
 * sign in. Audit retention follows the plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { enforceAuditRetention } from '../../src/modules/maintenance/maintenance.service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, PASSWORD, signIn, type TestUser } from '../helpers/auth.ts';
import { addMember, createProject, createTask, createTenant, setPlan } from '../helpers/workspace.ts';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let tenantId: string;

beforeAll(async () => {
  t = await startTestApp({ work: true });
  alice = await createUser(t.app, { label: 'alice' });
  tenantId = await createTenant(t.app, alice, 'Shared');
  bob = await addMember(t.app, tenantId, alice, 'editor', 'bob');
  const projectId = await createProject(t.app, tenantId, alice);
  const mine = await createTask(t.app, tenantId, bob, { projectId, title: 'Bob writes the report' });
  await createTask(t.app, tenantId, alice, { projectId, title: 'Alice private plan' });
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/tasks/${mine.id}/comments`,
    headers: bob.h,
    payload: { body: 'Bob comment' },
  });
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/tasks/${mine.id}/comments`,
    headers: alice.h,
    payload: { body: 'Alice comment on Bob task' },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('personal data', () => {
  it("exports the user's data and nothing of other users", async () => {
    const res = await t.app.inject({ url: '/api/v1/me/export', headers: bob.h });
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.user).toMatchObject({ id: bob.id, email: bob.email });
    expect(data.workspaces).toHaveLength(1);
    const ws = data.workspaces[0];
    expect(ws.tasks.map((x: { title: string }) => x.title)).toEqual(['Bob writes the report']);
    expect(ws.comments.map((c: { body: string }) => c.body)).toEqual(['Bob comment']);
    expect(ws.actions.length).toBeGreaterThan(0);
    for (const foreign of [alice.email, alice.id, 'Alice private plan', 'Alice comment on Bob task'])
      expect(res.body).not.toContain(foreign);
    expect(res.body).not.toMatch(/password|secret/i);
  });

  it('deletes an account only with the password, and not while it alone owns a workspace', async () => {
    const wrong = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: alice.h, payload: { password: 'not-the-password' } });
    expect(wrong.statusCode).toBe(401);
    const owner = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: alice.h, payload: { password: PASSWORD } });
    expect(owner.statusCode).toBe(409);
    expect(owner.json().error.details.workspaces).toEqual([{ tenantId, name: 'Shared' }]);
  });

  it('after deletion the user can no longer sign in, and their workspaces no longer list them', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: bob.h, payload: { password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    expect((await signIn(t.app, bob.email)).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bob.h })).statusCode).toBe(401);
    expect((await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: bob.h })).statusCode).toBe(404);
    const members = await t.app.inject({ url: `/api/v1/tenants/${tenantId}/members`, headers: alice.h });
    expect(members.json().data.map((m: { email: string }) => m.email)).toEqual([alice.email]);
    // The workspace keeps the work; authorship is cleared.
    const tasks = await t.app.inject({ url: `/api/v1/tenants/${tenantId}/tasks?q=report`, headers: alice.h });
    expect(tasks.json().data[0]).toMatchObject({ title: 'Bob writes the report', createdBy: null });
    const audit = await t.app.inject({ url: `/api/v1/tenants/${tenantId}/audit-logs?action=member.removed`, headers: alice.h });
    expect(audit.json().data[0].metadata).toMatchObject({ reason: 'account_deleted' });
  });
});

describe('audit retention', () => {
  it('removes audit rows older than the plan keeps them, and nothing younger', async () => {
    const owner = await createUser(t.app, { label: 'retention' });
    const free = await createTenant(t.app, owner, 'Free keeps 7 days');
    const pro = await createTenant(t.app, owner, 'Pro keeps 90 days');
    await setPlan(t.database, pro, 'pro');
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    for (const id of [free, pro]) {
      await withTenant(t.database.db, { tenantId: id }, (tx) =>
        tx.insert(auditLogs).values({ id: newId('aud'), tenantId: id, actorType: 'system', action: 'old.entry', createdAt: tenDaysAgo }),
      );
    }
    await enforceAuditRetention(t.database.db);
    const left = async (id: string) =>
      (await withTenant(t.database.db, { tenantId: id }, (tx) => tx.select().from(auditLogs))).map((r) => r.action);
    expect(await left(free)).not.toContain('old.entry');
    expect(await left(free)).toContain('tenant.created'); // young rows stay
    expect(await left(pro)).toContain('old.entry');
  });
});
