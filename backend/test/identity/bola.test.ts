/**
 * Broken object-level authorization: user A, owner of tenant A, aims every tenant route at tenant B's
 * objects (B's tenant id in the path; B's member and invitation ids under A's tenant; B's ids in query
 * strings and bodies). Every attempt is a 404 (or an empty filter result) and B's data stays exactly as
 * it was. Below the API, the database itself (row-level security) hides and protects B's rows from a
 * transaction scoped to A — for every table with a tenant_id column, found from the catalogue.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/client.ts';
import { withScope, withTenant } from '../../src/db/tenant.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { expectDbError } from '../helpers/wait.ts';
import {
  addMember,
  auditAll,
  call,
  createTenant,
  expectError,
  type InvitationDto,
  invitations,
  invite,
  type Method,
  members,
  ok,
  type TenantDto,
  tenantUrl,
} from './support.ts';

let t: TestApp;
let alice: TestUser; // owner of A
let bob: TestUser; // owner of B
let carol: TestUser; // admin of B
let dave: TestUser; // member of B
let ann: TestUser; // member of A
const A = { id: '', memberId: '', annMemberId: '', invitationId: '', projectId: '', taskId: '', commentId: '' };
const B = {
  id: '',
  projectId: '',
  taskId: '',
  commentId: '',
  keyId: '',
  webhookId: '',
  slug: '',
  ownerMemberId: '',
  carolMemberId: '',
  daveMemberId: '',
  invitationId: '',
  invitationEmail: '',
  otherInvitationId: '',
};

/** B as its owner sees it, through B's own API. */
async function snapshotB() {
  const [tenant, memberList, invitationList, audit, projects, tasks, comments, apiKeys, webhooks] = await Promise.all([
    ok<TenantDto>(t.app, bob, 'GET', tenantUrl(B.id)),
    members(t.app, bob, B.id),
    invitations(t.app, bob, B.id),
    auditAll(t.app, bob, B.id),
    ok<unknown[]>(t.app, bob, 'GET', tenantUrl(B.id, '/projects?archived=true')),
    ok<unknown[]>(t.app, bob, 'GET', tenantUrl(B.id, '/tasks?limit=100')),
    ok<unknown[]>(t.app, bob, 'GET', tenantUrl(B.id, `/tasks/${B.taskId}/comments`)),
    ok<unknown[]>(t.app, bob, 'GET', tenantUrl(B.id, '/api-keys')),
    ok<unknown[]>(t.app, bob, 'GET', tenantUrl(B.id, '/webhooks')),
  ]);
  return { tenant, members: memberList, invitations: invitationList, audit, projects, tasks, comments, apiKeys, webhooks };
}

/** A project, a task in it (assigned to `assignee`) and a comment on the task, through the API. */
async function workspaceRows(owner: TestUser, tenantId: string, assignee: TestUser) {
  const project = await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/projects'), { name: 'Secret project' });
  const task = await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), {
    projectId: project.id,
    title: 'Secret task',
    assigneeId: assignee.id,
  });
  const comment = await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, `/tasks/${task.id}/comments`), {
    body: 'Secret comment',
  });
  return { projectId: project.id, taskId: task.id, commentId: comment.id };
}

async function snapshotA() {
  return {
    tenant: await ok<TenantDto>(t.app, alice, 'GET', tenantUrl(A.id)),
    members: await members(t.app, alice, A.id),
    invitations: await invitations(t.app, alice, A.id),
  };
}

const rowsOf = <T>(r: unknown) => (r as { rows: T[] }).rows;

beforeAll(async () => {
  // Webhooks of B point at a closed local port.
  t = await startTestApp({ work: true, env: { ALLOW_PRIVATE_WEBHOOK_URLS: 'true' } });
  alice = await createUser(t.app, { label: 'alice' });
  bob = await createUser(t.app, { label: 'bob' });
  carol = await createUser(t.app, { label: 'carol' });
  dave = await createUser(t.app, { label: 'dave' });
  ann = await createUser(t.app, { label: 'ann' });

  const a = await createTenant(t.app, alice, 'Tenant A');
  A.id = a.id;
  A.memberId = (await members(t.app, alice, A.id))[0]?.id as string;
  A.annMemberId = await addMember(t.app, alice, A.id, ann, 'member');
  A.invitationId = (await invite(t.app, alice, A.id, uniqueEmail('a-invitee'), 'viewer')).id;
  Object.assign(A, await workspaceRows(alice, A.id, ann));

  const b = await createTenant(t.app, bob, 'Tenant B', 'tenant-b');
  B.id = b.id;
  B.slug = b.slug;
  B.ownerMemberId = (await members(t.app, bob, B.id))[0]?.id as string;
  B.carolMemberId = await addMember(t.app, bob, B.id, carol, 'admin');
  B.daveMemberId = await addMember(t.app, bob, B.id, dave, 'member');
  B.invitationEmail = uniqueEmail('b-invitee');
  B.invitationId = (await invite(t.app, bob, B.id, B.invitationEmail, 'editor')).id;
  B.otherInvitationId = (await invite(t.app, carol, B.id, uniqueEmail('b-invitee2'), 'guest')).id;
  await ok(t.app, bob, 'PATCH', tenantUrl(B.id), { name: 'Tenant B', settings: { secret: 'b-only' } });
  Object.assign(B, await workspaceRows(bob, B.id, dave));
  B.keyId = (await ok<{ id: string }>(t.app, bob, 'POST', tenantUrl(B.id, '/api-keys'), { name: 'B key', scopes: ['tasks:read'] })).id;
  B.webhookId = (
    await ok<{ id: string }>(t.app, bob, 'POST', tenantUrl(B.id, '/webhooks'), {
      url: 'http://127.0.0.1:9/b-hook',
      events: ['subscription.updated'],
    })
  ).id;
});

/** B's object ids by path parameter name. */
const idsOfB = () => ({
  memberId: B.daveMemberId,
  invitationId: B.invitationId,
  projectId: B.projectId,
  taskId: B.taskId,
  commentId: B.commentId,
  keyId: B.keyId,
  webhookId: B.webhookId,
});
afterAll(async () => {
  await t?.close();
});

/** Fills a route's path parameters: tenant id as given, the others from `ids` (B's, unless told). */
function fill(path: string, tenantId: string, ids: Record<string, string>) {
  return path.replace(/:(\w+)/g, (_, name: string) => (name === 'tenantId' ? tenantId : (ids[name] ?? `${name.slice(0, 3)}_bola_${name}`)));
}

/** A body an attacker would send to the route (valid-looking, aimed at B where it can be). */
function attackBody(method: Method, path: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (path.endsWith('/members/:memberId')) return { role: 'owner' };
  if (path.endsWith('/invitations')) return { email: alice.email, role: 'owner' };
  if (path === '/api/v1/tenants/:tenantId') return { name: 'Pwned by A', slug: 'pwned', settings: { pwned: true } };
  if (path.endsWith('/projects') || path.endsWith('/projects/:projectId')) return { name: 'Pwned by A' };
  if (path.endsWith('/tasks')) return { projectId: B.projectId, title: 'Pwned by A' };
  if (path.endsWith('/tasks/:taskId')) return { title: 'Pwned by A' };
  if (path.endsWith('/comments')) return { body: 'Pwned by A' };
  return { name: 'Pwned by A', title: 'Pwned by A', body: 'Pwned by A', tenantId: B.id };
}

describe('BOLA over HTTP', () => {
  it('the setup holds: A and B each see their own data', async () => {
    const b = await snapshotB();
    expect(b.members.map((m) => m.userId).sort()).toEqual([bob.id, carol.id, dave.id].sort());
    expect(b.invitations.map((i) => i.id).sort()).toEqual([B.invitationId, B.otherInvitationId].sort());
    expect(b.audit.length).toBeGreaterThanOrEqual(6);
    expect(b.tenant.settings).toEqual({ secret: 'b-only' });
    expect([b.projects.length, b.tasks.length, b.comments.length, b.apiKeys.length, b.webhooks.length]).toEqual([1, 1, 1, 1, 1]);
    const a = await snapshotA();
    expect(a.members.map((m) => m.userId)).toEqual([alice.id, ann.id]);
    expect(a.invitations.map((i) => i.id)).toEqual([A.invitationId]);
  });

  it('B’s tenant id in the path: 404 on every tenant route, B unchanged', async () => {
    const before = await snapshotB();
    const routes = t.app.routeInventory.filter((r) => r.url.startsWith('/api/v1/tenants/:tenantId'));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const ids = idsOfB();
    for (const route of routes) {
      const method = route.method as Method;
      const url = fill(route.url, B.id, ids);
      const res = await call(t.app, alice, method, url, attackBody(method, route.url));
      expectError(res, 404, 'not_found');
      // The answer is the same as for a tenant that does not exist: nothing tells that B exists.
      const ghost = await call(t.app, alice, method, fill(route.url, 'ten_doesnotexist', ids), attackBody(method, route.url));
      expect({ status: ghost.status, code: ghost.body.error?.code, message: ghost.body.error?.message }, `${method} ${route.url}`).toEqual({
        status: res.status,
        code: res.body.error.code,
        message: res.body.error.message,
      });
    }
    // Also with B's owner membership id and B's other invitation.
    expectError(await call(t.app, alice, 'DELETE', tenantUrl(B.id, `/members/${B.ownerMemberId}`)), 404, 'not_found');
    expectError(await call(t.app, alice, 'DELETE', tenantUrl(B.id, `/invitations/${B.otherInvitationId}`)), 404, 'not_found');
    // A's own membership id under B's tenant does not help either.
    expectError(await call(t.app, alice, 'DELETE', tenantUrl(B.id, `/members/${A.memberId}`)), 404, 'not_found');
    expect(await snapshotB()).toEqual(before);
  });

  it('A’s tenant id in the path with B’s member, invitation, project, task and comment ids: 404, B unchanged', async () => {
    const before = await snapshotB();
    const beforeA = await snapshotA();
    for (const memberId of [B.ownerMemberId, B.carolMemberId, B.daveMemberId]) {
      expectError(await call(t.app, alice, 'PATCH', tenantUrl(A.id, `/members/${memberId}`), { role: 'viewer' }), 404, 'not_found');
      expectError(await call(t.app, alice, 'PATCH', tenantUrl(A.id, `/members/${memberId}`), { role: 'owner' }), 404, 'not_found');
      expectError(await call(t.app, alice, 'DELETE', tenantUrl(A.id, `/members/${memberId}`)), 404, 'not_found');
    }
    for (const invitationId of [B.invitationId, B.otherInvitationId]) {
      expectError(await call(t.app, alice, 'DELETE', tenantUrl(A.id, `/invitations/${invitationId}`)), 404, 'not_found');
    }
    // Every route that takes an object id, with A's tenant and B's object: 404.
    const routes = t.app.routeInventory.filter((r) => r.url.startsWith('/api/v1/tenants/:tenantId/') && /:(?!tenantId)\w+/.test(r.url));
    expect(routes.length).toBeGreaterThanOrEqual(3);
    for (const route of routes) {
      const method = route.method as Method;
      const res = await call(t.app, alice, method, fill(route.url, A.id, idsOfB()), attackBody(method, route.url));
      expect(res.status, `${method} ${route.url}: ${JSON.stringify(res.body)}`).toBe(404);
      expectError(res, 404, 'not_found');
    }
    // A's own task with B's comment id.
    expectError(await call(t.app, alice, 'DELETE', tenantUrl(A.id, `/tasks/${A.taskId}/comments/${B.commentId}`)), 404, 'not_found');
    // The same answer as for ids that do not exist at all.
    const ghost = await call(t.app, alice, 'DELETE', tenantUrl(A.id, '/members/mem_doesnotexist'));
    const real = await call(t.app, alice, 'DELETE', tenantUrl(A.id, `/members/${B.daveMemberId}`));
    expect(real.body.error.message).toBe(ghost.body.error.message);
    expect(await snapshotB()).toEqual(before);
    expect(await snapshotA()).toEqual(beforeA);
  });

  it('B’s ids in audit-log filters: an empty list', async () => {
    const before = await snapshotB();
    const queries: Record<string, string>[] = [
      { actorId: bob.id },
      { actorId: carol.id },
      { targetId: B.id },
      { targetId: B.daveMemberId },
      { targetId: B.invitationId },
      { action: 'member.invited', actorId: bob.id },
    ];
    for (const query of queries) {
      expect(await auditAll(t.app, alice, A.id, query), JSON.stringify(query)).toEqual([]);
    }
    for (const qs of [
      `projectId=${B.projectId}`,
      `assigneeId=${dave.id}`,
      `q=${encodeURIComponent('Secret task')}&projectId=${B.projectId}`,
    ]) {
      const res = await call<unknown[]>(t.app, alice, 'GET', tenantUrl(A.id, `/tasks?${qs}`));
      expect([200, 400], qs).toContain(res.status);
      if (res.status === 200) expect(res.body.data, qs).toEqual([]);
    }
    // The same filters in B (as B's owner) do find rows: the filters are not simply broken.
    expect((await auditAll(t.app, bob, B.id, { actorId: carol.id })).length).toBeGreaterThan(0);
    expect((await auditAll(t.app, bob, B.id, { targetId: B.daveMemberId })).length).toBeGreaterThan(0);
    // A tenant id in the query string is ignored: still A's rows only.
    const smuggled = await call<{ id: string }[]>(t.app, alice, 'GET', tenantUrl(A.id, `/audit-logs?tenantId=${B.id}&limit=100`));
    expect([200, 400]).toContain(smuggled.status);
    if (smuggled.status === 200) expect(smuggled.body.data.map((r) => r.id)).toEqual((await auditAll(t.app, alice, A.id)).map((r) => r.id));
    const listed = await call<{ userId: string }[]>(t.app, alice, 'GET', tenantUrl(A.id, `/members?tenantId=${B.id}`));
    expect([200, 400]).toContain(listed.status);
    if (listed.status === 200) expect(listed.body.data.map((m) => m.userId)).toEqual([alice.id, ann.id]);
    expect(await snapshotB()).toEqual(before);
  });

  it('B’s ids in request bodies are ignored: the change lands in A only', async () => {
    const before = await snapshotB();
    const renamed = await call<TenantDto>(t.app, alice, 'PATCH', tenantUrl(A.id), { name: 'Tenant A2', id: B.id, tenantId: B.id });
    expect([200, 400]).toContain(renamed.status);
    if (renamed.status === 200) expect(renamed.body.data).toMatchObject({ id: A.id, name: 'Tenant A2' });

    const email = uniqueEmail('smuggled');
    const invited = await call<InvitationDto>(t.app, alice, 'POST', tenantUrl(A.id, '/invitations'), {
      email,
      role: 'viewer',
      tenantId: B.id,
      id: B.invitationId,
    });
    expect([201, 400]).toContain(invited.status);
    if (invited.status === 201) {
      expect(invited.body.data.id).not.toBe(B.invitationId);
      expect((await invitations(t.app, alice, A.id)).map((i) => i.email)).toContain(email);
    }

    const changed = await call(t.app, alice, 'PATCH', tenantUrl(A.id, `/members/${A.annMemberId}`), {
      role: 'viewer',
      tenantId: B.id,
      id: B.daveMemberId,
      userId: dave.id,
    });
    expect([200, 400]).toContain(changed.status);
    if (changed.status === 200) expect((await members(t.app, alice, A.id)).find((m) => m.id === A.annMemberId)?.role).toBe('viewer');

    const created = await call<TenantDto>(t.app, alice, 'POST', '/api/v1/tenants', { name: 'Tenant C', id: B.id, tenantId: B.id });
    expect([201, 400]).toContain(created.status);
    if (created.status === 201) expect(created.body.data.id).not.toBe(B.id);

    // B's project or user in a task body: refused, nothing written anywhere.
    const tasksOfA = await ok<unknown[]>(t.app, alice, 'GET', tenantUrl(A.id, '/tasks?limit=100'));
    for (const [method, url, body] of [
      ['POST', tenantUrl(A.id, '/tasks'), { projectId: B.projectId, title: 'Into B' }],
      ['POST', tenantUrl(A.id, '/tasks'), { projectId: A.projectId, title: 'For dave', assigneeId: dave.id }],
      ['PATCH', tenantUrl(A.id, `/tasks/${A.taskId}`), { projectId: B.projectId }],
      ['PATCH', tenantUrl(A.id, `/tasks/${A.taskId}`), { assigneeId: bob.id }],
    ] as [Method, string, unknown][]) {
      const res = await call(t.app, alice, method, url, body);
      expect([400, 404], `${method} ${url} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toContain(res.status);
    }
    expect(await ok<unknown[]>(t.app, alice, 'GET', tenantUrl(A.id, '/tasks?limit=100'))).toEqual(tasksOfA);

    // B's slug cannot be taken over.
    expectError(await call(t.app, alice, 'PATCH', tenantUrl(A.id), { slug: B.slug }), 409, 'conflict');
    expect(await snapshotB()).toEqual(before);
  });

  it('A cannot accept B’s invitation addressed to someone else', async () => {
    const before = await snapshotB();
    expectError(await call(t.app, alice, 'POST', `/api/v1/invitations/${B.invitationId}/accept`), 404, 'not_found');
    expectError(await call(t.app, alice, 'POST', `/api/v1/invitations/${B.otherInvitationId}/accept`), 404, 'not_found');
    // Same answer as an invitation that does not exist.
    const ghost = await call(t.app, alice, 'POST', '/api/v1/invitations/inv_doesnotexist/accept');
    expectError(ghost, 404, 'not_found');
    expectError(await call(t.app, alice, 'GET', tenantUrl(B.id)), 404, 'not_found');
    expect(await snapshotB()).toEqual(before);
    expect((await invitations(t.app, bob, B.id)).find((i) => i.id === B.invitationId)?.status).toBe('pending');
  });
});

describe('BOLA in the database (row-level security)', () => {
  let tables: string[] = [];
  /** Per table, the columns an INSERT may set (not generated). */
  const writable: Record<string, string[]> = {};
  /** Rows of B per table, counted inside B's own scope. */
  const countB = async () => {
    const out: Record<string, number> = {};
    await withTenant(t.database.db, { tenantId: B.id }, async (tx) => {
      for (const table of tables) {
        out[table] =
          rowsOf<{ n: number }>(await tx.execute(sql.raw(`select count(*)::int as n from "${table}" where tenant_id = '${B.id}'`)))[0]?.n ??
          -1;
      }
      out.tenants =
        rowsOf<{ n: number }>(await tx.execute(sql.raw(`select count(*)::int as n from tenants where id = '${B.id}'`)))[0]?.n ?? -1;
    });
    return out;
  };
  const scopes = () => [
    { name: 'withTenant(A)', run: <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.database.db, { tenantId: A.id }, fn) },
    { name: 'withScope(user A)', run: <T>(fn: (tx: Tx) => Promise<T>) => withScope(t.database.db, { userId: alice.id }, fn) },
    {
      name: 'withScope(tenant A, user A)',
      run: <T>(fn: (tx: Tx) => Promise<T>) => withScope(t.database.db, { tenantId: A.id, userId: alice.id }, fn),
    },
  ];

  beforeAll(async () => {
    tables = rowsOf<{ table_name: string }>(
      await t.database.db.execute(
        sql`select distinct c.table_name from information_schema.columns c join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name where c.table_schema = 'public' and c.column_name = 'tenant_id' and tb.table_type = 'BASE TABLE' order by 1`,
      ),
    ).map((r) => r.table_name);
    for (const table of tables) {
      writable[table] = rowsOf<{ column_name: string }>(
        await t.database.db.execute(
          sql`select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table} and is_generated = 'NEVER' and coalesce(identity_generation, '') <> 'ALWAYS' order by ordinal_position`,
        ),
      ).map((r) => r.column_name);
    }
  });

  it('finds the tenant tables in the catalogue', async () => {
    expect(tables).toEqual(expect.arrayContaining(['audit_logs', 'invitations', 'memberships']));
    const counts = await countB();
    // B has rows in the identity tables: "nothing visible" below is not vacuous.
    // Invitations: two pending, two accepted (carol's and dave's).
    expect(counts).toMatchObject({ tenants: 1, memberships: 3, invitations: 4 });
    for (const table of ['projects', 'tasks', 'comments'].filter((x) => tables.includes(x))) expect(counts[table], table).toBe(1);
    expect(counts.audit_logs).toBeGreaterThanOrEqual(6);
  });

  it('no row of B is visible to a transaction scoped to A', async () => {
    // Alice's workspaces: A, and the one she created in the body test. A user scope may see all of them.
    const aliceTenants = (await ok<TenantDto[]>(t.app, alice, 'GET', '/api/v1/tenants')).map((x) => x.id);
    expect(aliceTenants).toContain(A.id);
    expect(aliceTenants).not.toContain(B.id);
    for (const scope of scopes()) {
      const visible = scope.name === 'withTenant(A)' ? [A.id] : aliceTenants;
      await scope.run(async (tx) => {
        const tenantIds = rowsOf<{ id: string }>(await tx.execute(sql`select id from tenants`)).map((r) => r.id);
        expect(tenantIds.sort(), scope.name).toEqual([...visible].sort());
        expect(rowsOf(await tx.execute(sql`select id from tenants where id = ${B.id} or slug = ${B.slug}`)), scope.name).toEqual([]);
        for (const table of tables) {
          const seen = rowsOf<{ tenant_id: string }>(await tx.execute(sql.raw(`select distinct tenant_id from "${table}"`))).map(
            (r) => r.tenant_id,
          );
          expect(seen, `${scope.name}: ${table}`).not.toContain(B.id);
          expect(
            seen.filter((id) => !visible.includes(id)),
            `${scope.name}: ${table}`,
          ).toEqual([]);
          const direct = rowsOf(await tx.execute(sql.raw(`select 1 from "${table}" where tenant_id = '${B.id}'`)));
          expect(direct, `${scope.name}: ${table}`).toEqual([]);
        }
        // A's own rows are visible where the scope allows (the queries do see data).
        if (scope.name !== 'withScope(user A)') {
          for (const table of ['memberships', 'invitations', 'audit_logs']) {
            const mine = rowsOf(await tx.execute(sql.raw(`select 1 from "${table}" where tenant_id = '${A.id}'`)));
            expect(mine.length, `${scope.name}: ${table}`).toBeGreaterThan(0);
          }
        }
      });
    }
  });

  it('updates and deletes aimed at B’s rows fail or affect 0 rows', async () => {
    const before = await countB();
    const beforeApi = await snapshotB();
    const zeroOrDenied = async (label: string, statement: string) => {
      for (const scope of scopes()) {
        try {
          const affected = await scope.run(async (tx) => rowsOf(await tx.execute(sql.raw(statement))));
          expect(affected, `${scope.name}: ${label}`).toEqual([]);
        } catch (err) {
          const messages: string[] = [];
          for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) messages.push(String((e as Error).message));
          expect(messages.join(' <- '), `${scope.name}: ${label}`).toMatch(/row-level security|permission denied/);
        }
      }
    };
    for (const table of tables) {
      await zeroOrDenied(`${table} update`, `update "${table}" set tenant_id = tenant_id where tenant_id = '${B.id}' returning tenant_id`);
      await zeroOrDenied(`${table} delete`, `delete from "${table}" where tenant_id = '${B.id}' returning tenant_id`);
    }
    await zeroOrDenied('tenants update', `update tenants set name = 'Pwned', slug = 'pwned-b' where id = '${B.id}' returning id`);
    await zeroOrDenied('tenants soft delete', `update tenants set deleted_at = now() where id = '${B.id}' returning id`);
    await zeroOrDenied('tenants delete', `delete from tenants where id = '${B.id}' returning id`);
    await zeroOrDenied('membership takeover', `update memberships set role = 'guest' where id = '${B.ownerMemberId}' returning id`);
    await zeroOrDenied('invitation revoke', `update invitations set status = 'revoked' where id = '${B.invitationId}' returning id`);
    expect(await countB()).toEqual(before);
    expect(await snapshotB()).toEqual(beforeApi);
  });

  it('inserting rows into B, or moving A’s rows into B, fails with a row-level security error', async () => {
    const before = await countB();
    const beforeApi = await snapshotB();
    for (const scope of scopes().filter((s) => s.name !== 'withScope(user A)')) {
      for (const table of tables) {
        // A bare row for B: the policy refuses it before any other constraint is looked at.
        await expectDbError(
          scope.run((tx) => tx.execute(sql.raw(`insert into "${table}" (tenant_id) values ('${B.id}')`))),
          /row-level security/,
        );
        const hasRow =
          rowsOf(await scope.run((tx) => tx.execute(sql.raw(`select 1 from "${table}" where tenant_id = '${A.id}' limit 1`)))).length > 0;
        if (!hasRow) continue;
        // A complete, valid row (a copy of one of A's, with a new id), labelled as B's.
        const cols = (writable[table] ?? []).map((c) => `"${c}"`).join(', ');
        await expectDbError(
          scope.run((tx) =>
            tx.execute(
              sql.raw(
                `insert into "${table}" (${cols}) select ${cols} from (select (jsonb_populate_record(null::"${table}", to_jsonb(x) || jsonb_build_object('tenant_id', '${B.id}') || case when jsonb_typeof(to_jsonb(x) -> 'id') = 'string' then jsonb_build_object('id', 'bola_' || md5(random()::text)) else '{}'::jsonb end)).* from "${table}" x where x.tenant_id = '${A.id}' limit 1) copy`,
              ),
            ),
          ),
          /row-level security/,
        );
        // Moving one of A's rows into B.
        await expectDbError(
          scope.run((tx) =>
            tx.execute(
              sql.raw(
                `update "${table}" set tenant_id = '${B.id}' where ctid = (select ctid from "${table}" where tenant_id = '${A.id}' limit 1)`,
              ),
            ),
          ),
          /row-level security|permission denied/,
        );
      }
      // A tenant row cannot be created with another id than the scope's, nor can A's row become B's.
      await expectDbError(
        scope.run((tx) =>
          tx.execute(
            sql.raw(`insert into tenants (id, name, slug) values ('ten_bola_${scope.name.length}', 'X', 'bola-x-${scope.name.length}')`),
          ),
        ),
        /row-level security/,
      );
    }
    // A user-only scope (no tenant) can write no tenant row at all.
    for (const table of tables) {
      await expectDbError(
        withScope(t.database.db, { userId: alice.id }, (tx) =>
          tx.execute(sql.raw(`insert into "${table}" (tenant_id) values ('${B.id}')`)),
        ),
        /row-level security/,
      );
    }
    expect(await countB()).toEqual(before);
    expect(await snapshotB()).toEqual(beforeApi);
    // A is intact too.
    expect((await members(t.app, alice, A.id)).map((m) => m.userId)).toEqual([alice.id, ann.id]);
  });

  it('without any scope, nothing is visible at all', async () => {
    for (const table of [...tables, 'tenants']) {
      const rows = rowsOf(await t.database.db.execute(sql.raw(`select 1 from "${table}" limit 1`)));
      expect(rows, table).toEqual([]);
    }
  });
});
