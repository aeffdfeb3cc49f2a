/**
 * Workspace export (GET /api/v1/tenants/:tenantId/export): the owner gets every kind of the
 * workspace's data as a JSON attachment, and nothing of another workspace; other roles 403, API keys
 * 403, a foreign workspace 404 (as every tenant route answers a non-member).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { addMember, call, createTenant, expectError, invite, ok, tenantUrl } from '../identity/support.ts';

let t: TestApp;
let alice: TestUser; // owner of A
let bob: TestUser; // admin of A
let carol: TestUser; // owner of B
let A = '';
let B = '';
const pendingEmail = uniqueEmail('pending-invitee');
let pendingInvitationId = '';

beforeAll(async () => {
  t = await startTestApp({ work: true });
  alice = await createUser(t.app, { label: 'alice' });
  bob = await createUser(t.app, { label: 'bob' });
  carol = await createUser(t.app, { label: 'carol' });
  A = (await createTenant(t.app, alice, 'Alpha Export')).id;
  B = (await createTenant(t.app, carol, 'Beta Secret')).id;
  await addMember(t.app, alice, A, bob, 'admin');
  pendingInvitationId = (await invite(t.app, alice, A, pendingEmail, 'member')).id;
  for (const [tenantId, user, word] of [
    [A, alice, 'alpha'],
    [B, carol, 'beta'],
  ] as const) {
    const project = await ok<{ id: string }>(t.app, user, 'POST', tenantUrl(tenantId, '/projects'), { name: `${word}-project` });
    const task = await ok<{ id: string }>(t.app, user, 'POST', tenantUrl(tenantId, '/tasks'), {
      projectId: project.id,
      title: `${word}-task`,
    });
    await ok(t.app, user, 'POST', tenantUrl(tenantId, `/tasks/${task.id}/comments`), { body: `${word}-comment` });
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('tenant export', () => {
  it('the owner downloads the workspace’s data, and nothing of another workspace', async () => {
    const res = await t.app.inject({ url: tenantUrl(A, '/export'), headers: alice.h });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="atrium-workspace-ten_/);
    const data = res.json().data as Record<string, unknown> & {
      tenant: { id: string; name: string };
      members: { id: string; email: string; role: string }[];
      projects: { name: string }[];
      tasks: { title: string }[];
      comments: { body: string }[];
      invitations: Record<string, unknown>[];
      auditLogs: { action: string; tenantId: string }[];
      subscription: unknown;
      aiUsage: unknown[];
    };
    expect(data.tenant).toMatchObject({ id: A, name: 'Alpha Export' });
    expect(data.members.map((m) => [m.id, m.email, m.role]).sort()).toEqual(
      [
        [alice.id, alice.email, 'owner'],
        [bob.id, bob.email, 'admin'],
      ].sort(),
    );
    expect(data.projects.map((p) => p.name)).toEqual(['alpha-project']);
    expect(data.tasks.map((x) => x.title)).toEqual(['alpha-task']);
    expect(data.comments.map((c) => c.body)).toEqual(['alpha-comment']);
    const pending = data.invitations.find((i) => i.email === pendingEmail);
    expect(pending).toMatchObject({ role: 'member', status: 'pending' });
    expect(pending).not.toHaveProperty('id');
    expect(data.auditLogs.map((l) => l.action)).toEqual(expect.arrayContaining(['tenant.created', 'member.invited', 'task.created']));
    expect(data.auditLogs.every((l) => l.tenantId === A)).toBe(true);
    expect(data).toHaveProperty('subscription');
    expect(Array.isArray(data.aiUsage)).toBe(true);

    const text = res.body;
    for (const foreign of [B, 'Beta Secret', 'beta-project', 'beta-task', 'beta-comment', carol.email, carol.id, pendingInvitationId]) {
      expect(text, foreign).not.toContain(foreign);
    }
    // The export itself is audited.
    const log = await ok<{ action: string }[]>(t.app, alice, 'GET', tenantUrl(A, '/audit-logs?action=tenant.exported'));
    expect(log).toHaveLength(1);
  });

  it('other roles get 403; an API key 403; another workspace’s id 404; anonymous 401', async () => {
    expectError(await call(t.app, bob, 'GET', tenantUrl(A, '/export')), 403, 'forbidden');
    const key = await ok<{ secret: string }>(t.app, alice, 'POST', tenantUrl(A, '/api-keys'), { name: 'k', scopes: ['tasks:read'] });
    expect((await t.app.inject({ url: tenantUrl(A, '/export'), headers: { 'x-api-key': key.secret } })).statusCode).toBe(403);
    expectError(await call(t.app, alice, 'GET', tenantUrl(B, '/export')), 404, 'not_found');
    expectError(await call(t.app, null, 'GET', tenantUrl(A, '/export')), 401, 'unauthorized');
  });
});
