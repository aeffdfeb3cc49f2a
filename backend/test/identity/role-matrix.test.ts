/**
 * The role matrix: every tenant-scoped route, called by every role, answers exactly 2xx for the roles
 * the table allows and 403 for the others. The table must list every registered tenant-scoped route,
 * so a new route without a row fails this file. Non-members get 404 everywhere, anonymous callers 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/db/schema/index.ts';
import { ROLE_PERMISSIONS } from '../../src/modules/tenants/permissions.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../ai/fake-openai.ts';
import { MODELS_FILE } from '../ai/support.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let fakeAi: FakeOpenAI;

import { createUser, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { openStream } from '../helpers/sse.ts';
import {
  addMember,
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

const TENANT_PREFIX = '/api/v1/tenants/:tenantId';

let t: TestApp;
/** One user per role in `tenantId` (the owner created it). */
const users = {} as Record<Role, TestUser>;
const membershipIds = {} as Record<Role, string>;
let tenantId = '';
/** Someone who belongs to no workspace of the matrix (they own one of their own). */
let outsider: TestUser;
/** Reused as the target of member-changing calls: a fresh membership each time. */
let spare: TestUser;

interface Params {
  tenantId: string;
  memberId?: string;
  invitationId?: string;
  projectId?: string;
  taskId?: string;
  commentId?: string;
  keyId?: string;
  webhookId?: string;
  suggestionId?: string;
  jobId?: string;
}
interface Prepared {
  params: Params;
  payload?: unknown;
}
interface Outcome {
  status: number;
  body: { success: boolean; error?: { code: string } };
}
interface RouteCase {
  /** Roles that get a 2xx; every other role gets 403. */
  allowed: readonly Role[];
  /** Sets up a fresh target for `role`'s call (destructive calls never hit shared rows). */
  prepare: (role: Role) => Promise<Prepared>;
  /** Checks the call's effect: done when allowed, nothing changed when refused. */
  verify?: (p: Prepared, allowed: boolean) => Promise<void>;
  /** Makes the call itself when `app.inject` cannot (a stream that stays open). */
  send?: (user: TestUser, url: string) => Promise<Outcome>;
}

const ALL = ROLES;
let counter = 0;
/** Makes every payload unique, so a check for "it changed" cannot pass on an earlier call's value. */
const seq = () => ++counter;
const owner = () => users.owner;

/** The spare user joins the matrix tenant as a guest (a fresh membership for each call). */
async function freshMember(): Promise<string> {
  const current = (await members(t.app, owner(), tenantId)).find((m) => m.userId === spare.id);
  if (current) await ok(t.app, owner(), 'DELETE', tenantUrl(tenantId, `/members/${current.id}`));
  return addMember(t.app, owner(), tenantId, spare, 'guest');
}

async function freshInvitation(): Promise<string> {
  return (await invite(t.app, owner(), tenantId, uniqueEmail('throwaway'), 'guest')).id;
}

/** The project the task rows work in (created by the owner). */
let projectId = '';
/** Base URL of the listening app, for the event stream. */
let base = '';

async function freshProject(): Promise<string> {
  return (await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, '/projects'), { name: `Throwaway ${Date.now()}` })).id;
}

/**
 * A task the caller may see: created by the owner and assigned to the caller. (A task that is not
 * theirs does not exist for a guest: 404, not 403 — that rule is the task tests' business.)
 */
async function ownTask(role: Role): Promise<string> {
  return (
    await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, '/tasks'), {
      projectId,
      title: `For the ${role}`,
      assigneeId: users[role].id,
    })
  ).id;
}

/**
 * A workspace of its own for a billing call, where the caller holds `role`: without a subscription,
 * with one bought through the offline checkout, or with one set to cancel at the period's end.
 */
async function billingTenant(role: Role, state: 'none' | 'subscribed' | 'canceling'): Promise<string> {
  const fresh = await createTenant(t.app, owner(), `Billing for ${role} #${seq()}`);
  if (role !== 'owner') await addMember(t.app, owner(), fresh.id, users[role], role);
  if (state === 'none') return fresh.id;
  const { url } = await ok<{ url: string }>(
    t.app,
    owner(),
    'POST',
    tenantUrl(fresh.id, '/billing/checkout'),
    {
      planId: 'pro',
      interval: 'monthly',
    },
    200,
  );
  const path = new URL(url).pathname;
  const done = await t.app.inject({
    method: 'POST',
    url: `${path}/complete`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'outcome=success',
  });
  expect(done.statusCode, done.body).toBe(303);
  if (state === 'canceling') await ok(t.app, owner(), 'POST', tenantUrl(fresh.id, '/billing/cancel'), undefined, 200);
  return fresh.id;
}

/** Webhooks point at a closed local port (private URLs are allowed in this app, see beforeAll). */
const HOOK_URL = 'http://127.0.0.1:9/matrix';
/** An event the matrix never causes in its tenant (billing calls use workspaces of their own). */
const HOOK_EVENT = 'subscription.updated';

async function freshWebhook(): Promise<string> {
  return (
    await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, '/webhooks'), {
      url: `${HOOK_URL}/throwaway-${seq()}`,
      events: [HOOK_EVENT],
    })
  ).id;
}

const taskStatus = async (taskId: string) => (await call(t.app, owner(), 'GET', tenantUrl(tenantId, `/tasks/${taskId}`))).status;

const memberRole = async (memberId: string) => (await members(t.app, owner(), tenantId)).find((m) => m.id === memberId)?.role;

/** Roles whose permissions include `ai:use`. */
const AI_ROLES: Role[] = ['owner', 'admin', 'editor', 'member'];

async function ownersTask(): Promise<string> {
  return (await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: `Break me down #${seq()}` }))
    .id;
}

async function freshSuggestion(): Promise<string> {
  const res = await call(t.app, owner(), 'POST', tenantUrl(tenantId, '/ai/task-breakdown'), { taskId: await ownersTask() });
  const id = (res.body as { data?: { suggestion?: { id: string } } }).data?.suggestion?.id;
  if (!id) throw new Error(`task breakdown failed: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}

async function freshAiJob(): Promise<string> {
  const res = await call(t.app, owner(), 'POST', `${tenantUrl(tenantId, '/ai/task-breakdown')}?async=true`, { taskId: await ownersTask() });
  const id = (res.body as { data?: { jobId?: string } }).data?.jobId;
  if (!id) throw new Error(`async task breakdown failed: ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}

const MATRIX: Record<string, RouteCase> = {
  'GET /api/v1/tenants/:tenantId': {
    allowed: ALL,
    prepare: async () => ({ params: { tenantId } }),
  },
  'PATCH /api/v1/tenants/:tenantId': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId }, payload: { name: `Matrix renamed by ${role} #${seq()}` } }),
    verify: async (p, allowed) => {
      const name = (await ok<TenantDto>(t.app, owner(), 'GET', tenantUrl(tenantId))).name;
      if (allowed) expect(name).toBe((p.payload as { name: string }).name);
      else expect(name).not.toBe((p.payload as { name: string }).name);
    },
  },
  'GET /api/v1/tenants/:tenantId/export': {
    allowed: ['owner'],
    prepare: async () => ({ params: { tenantId } }),
  },
  'DELETE /api/v1/tenants/:tenantId': {
    allowed: ['owner'],
    // A workspace of its own for each call, where the caller holds `role`.
    prepare: async (role) => {
      const fresh = await createTenant(t.app, owner(), `Doomed for ${role}`);
      if (role !== 'owner') await addMember(t.app, owner(), fresh.id, users[role], role);
      return { params: { tenantId: fresh.id } };
    },
    verify: async (p, allowed) => {
      const res = await call(t.app, owner(), 'GET', tenantUrl(p.params.tenantId));
      expect(res.status).toBe(allowed ? 404 : 200);
    },
  },
  'GET /api/v1/tenants/:tenantId/members': {
    allowed: ALL.filter((r) => r !== 'guest'),
    prepare: async () => ({ params: { tenantId } }),
  },
  'PATCH /api/v1/tenants/:tenantId/members/:memberId': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId, memberId: await freshMember() }, payload: { role: 'viewer' } }),
    verify: async (p, allowed) => {
      expect(await memberRole(p.params.memberId as string)).toBe(allowed ? 'viewer' : 'guest');
    },
  },
  'DELETE /api/v1/tenants/:tenantId/members/:memberId': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId, memberId: await freshMember() } }),
    verify: async (p, allowed) => {
      expect(await memberRole(p.params.memberId as string)).toBe(allowed ? undefined : 'guest');
    },
  },
  'POST /api/v1/tenants/:tenantId/invitations': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId }, payload: { email: uniqueEmail(`invited-by-${role}`), role: 'guest' } }),
    verify: async (p, allowed) => {
      const listed = (await invitations(t.app, owner(), tenantId)).some((i) => i.email === (p.payload as { email: string }).email);
      expect(listed).toBe(allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/invitations': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId } }),
  },
  'DELETE /api/v1/tenants/:tenantId/invitations/:invitationId': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId, invitationId: await freshInvitation() } }),
    verify: async (p, allowed) => {
      const pending = (await invitations(t.app, owner(), tenantId)).some((i) => i.id === p.params.invitationId);
      expect(pending).toBe(!allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/audit-logs': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId } }),
  },
  'GET /api/v1/tenants/:tenantId/projects': {
    allowed: ALL,
    prepare: async () => ({ params: { tenantId } }),
  },
  'POST /api/v1/tenants/:tenantId/projects': {
    allowed: ['owner', 'admin', 'editor'],
    prepare: async (role) => ({ params: { tenantId }, payload: { name: `Project of the ${role} #${seq()}` } }),
    verify: async (p, allowed) => {
      const names = (await ok<{ name: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, '/projects'))).map((x) => x.name);
      expect(names.includes((p.payload as { name: string }).name)).toBe(allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/projects/:projectId': {
    allowed: ALL,
    prepare: async () => ({ params: { tenantId, projectId } }),
  },
  'PATCH /api/v1/tenants/:tenantId/projects/:projectId': {
    allowed: ['owner', 'admin', 'editor'],
    prepare: async (role) => ({ params: { tenantId, projectId }, payload: { description: `Described by the ${role} #${seq()}` } }),
    verify: async (p, allowed) => {
      const project = await ok<{ description: string | null }>(t.app, owner(), 'GET', tenantUrl(tenantId, `/projects/${projectId}`));
      expect(project.description === (p.payload as { description: string }).description).toBe(allowed);
    },
  },
  'DELETE /api/v1/tenants/:tenantId/projects/:projectId': {
    allowed: ['owner', 'admin', 'editor'],
    prepare: async () => ({ params: { tenantId, projectId: await freshProject() } }),
    verify: async (p, allowed) => {
      // Archived: gone from the default view, still there with ?archived=true.
      expect((await call(t.app, owner(), 'GET', tenantUrl(tenantId, `/projects/${p.params.projectId}`))).status).toBe(allowed ? 404 : 200);
      expect((await call(t.app, owner(), 'GET', tenantUrl(tenantId, `/projects/${p.params.projectId}?archived=true`))).status).toBe(200);
    },
  },
  'GET /api/v1/tenants/:tenantId/tasks': {
    allowed: ALL,
    prepare: async () => ({ params: { tenantId } }),
  },
  'POST /api/v1/tenants/:tenantId/tasks': {
    allowed: ['owner', 'admin', 'editor', 'member'],
    prepare: async (role) => ({ params: { tenantId }, payload: { projectId, title: `Created by the ${role} #${seq()}` } }),
    verify: async (p, allowed) => {
      const title = (p.payload as { title: string }).title;
      const found = await ok<{ title: string }[]>(
        t.app,
        owner(),
        'GET',
        tenantUrl(tenantId, `/tasks?limit=100&q=${encodeURIComponent(title)}`),
      );
      expect(found.some((x) => x.title === title)).toBe(allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/tasks/:taskId': {
    allowed: ALL,
    prepare: async (role) => ({ params: { tenantId, taskId: await ownTask(role) } }),
  },
  'PATCH /api/v1/tenants/:tenantId/tasks/:taskId': {
    allowed: ['owner', 'admin', 'editor', 'member', 'guest'],
    prepare: async (role) => ({
      params: { tenantId, taskId: await ownTask(role) },
      payload: { title: `Renamed by the ${role} #${seq()}` },
    }),
    verify: async (p, allowed) => {
      const task = await ok<{ title: string }>(t.app, owner(), 'GET', tenantUrl(tenantId, `/tasks/${p.params.taskId}`));
      expect(task.title === (p.payload as { title: string }).title).toBe(allowed);
    },
  },
  'DELETE /api/v1/tenants/:tenantId/tasks/:taskId': {
    allowed: ['owner', 'admin', 'editor', 'member', 'guest'],
    prepare: async (role) => ({ params: { tenantId, taskId: await ownTask(role) } }),
    verify: async (p, allowed) => {
      expect(await taskStatus(p.params.taskId as string)).toBe(allowed ? 404 : 200);
    },
  },
  'GET /api/v1/tenants/:tenantId/tasks/:taskId/comments': {
    allowed: ALL,
    prepare: async (role) => ({ params: { tenantId, taskId: await ownTask(role) } }),
  },
  'POST /api/v1/tenants/:tenantId/tasks/:taskId/comments': {
    allowed: ['owner', 'admin', 'editor', 'member', 'guest'],
    prepare: async (role) => ({ params: { tenantId, taskId: await ownTask(role) }, payload: { body: `Said by the ${role} #${seq()}` } }),
    verify: async (p, allowed) => {
      const list = await ok<{ body: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, `/tasks/${p.params.taskId}/comments`));
      expect(list.map((c) => c.body)).toEqual(allowed ? [(p.payload as { body: string }).body] : []);
    },
  },
  'DELETE /api/v1/tenants/:tenantId/tasks/:taskId/comments/:commentId': {
    allowed: ['owner', 'admin', 'editor'],
    // The owner's comment on a task of the caller's: only its author or someone who may change every task removes it.
    prepare: async (role) => {
      const taskId = await ownTask(role);
      const comment = await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, `/tasks/${taskId}/comments`), {
        body: 'Owner’s note',
      });
      return { params: { tenantId, taskId, commentId: comment.id } };
    },
    verify: async (p, allowed) => {
      const list = await ok<{ id: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, `/tasks/${p.params.taskId}/comments`));
      expect(list.some((c) => c.id === p.params.commentId)).toBe(!allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/api-keys': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId } }),
  },
  'POST /api/v1/tenants/:tenantId/api-keys': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId }, payload: { name: `Key of the ${role} #${seq()}`, scopes: ['tasks:read'] } }),
    verify: async (p, allowed) => {
      const keys = await ok<{ name: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, '/api-keys'));
      expect(keys.some((k) => k.name === (p.payload as { name: string }).name)).toBe(allowed);
    },
  },
  'DELETE /api/v1/tenants/:tenantId/api-keys/:keyId': {
    allowed: ['owner', 'admin'],
    prepare: async () => {
      const key = await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, '/api-keys'), {
        name: `Throwaway key #${seq()}`,
        scopes: ['tasks:read'],
      });
      return { params: { tenantId, keyId: key.id } };
    },
    verify: async (p, allowed) => {
      const keys = await ok<{ id: string; revokedAt: string | null }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, '/api-keys'));
      const key = keys.find((k) => k.id === p.params.keyId);
      expect(key !== undefined && key.revokedAt === null).toBe(!allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/subscription': {
    allowed: ALL,
    prepare: async () => ({ params: { tenantId } }),
  },
  'POST /api/v1/tenants/:tenantId/billing/checkout': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId: await billingTenant(role, 'none') }, payload: { planId: 'pro', interval: 'monthly' } }),
  },
  'POST /api/v1/tenants/:tenantId/billing/portal': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId: await billingTenant(role, 'subscribed') } }),
  },
  'POST /api/v1/tenants/:tenantId/billing/cancel': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId: await billingTenant(role, 'subscribed') } }),
    verify: async (p, allowed) => {
      const sub = await ok<{ cancelAtPeriodEnd: boolean }>(t.app, owner(), 'GET', tenantUrl(p.params.tenantId, '/subscription'));
      expect(sub.cancelAtPeriodEnd).toBe(allowed);
    },
  },
  'POST /api/v1/tenants/:tenantId/billing/resume': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId: await billingTenant(role, 'canceling') } }),
    verify: async (p, allowed) => {
      const sub = await ok<{ cancelAtPeriodEnd: boolean }>(t.app, owner(), 'GET', tenantUrl(p.params.tenantId, '/subscription'));
      expect(sub.cancelAtPeriodEnd).toBe(!allowed);
    },
  },
  'POST /api/v1/tenants/:tenantId/billing/reconcile': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId } }),
  },
  'GET /api/v1/tenants/:tenantId/webhooks': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId } }),
  },
  'POST /api/v1/tenants/:tenantId/webhooks': {
    allowed: ['owner', 'admin'],
    prepare: async (role) => ({ params: { tenantId }, payload: { url: `${HOOK_URL}/${role}-${seq()}`, events: [HOOK_EVENT] } }),
    verify: async (p, allowed) => {
      const hooks = await ok<{ url: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, '/webhooks'));
      expect(hooks.some((h) => h.url === (p.payload as { url: string }).url)).toBe(allowed);
    },
  },
  'DELETE /api/v1/tenants/:tenantId/webhooks/:webhookId': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId, webhookId: await freshWebhook() } }),
    verify: async (p, allowed) => {
      const hooks = await ok<{ id: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, '/webhooks'));
      expect(hooks.some((h) => h.id === p.params.webhookId)).toBe(!allowed);
    },
  },
  'GET /api/v1/tenants/:tenantId/webhooks/:webhookId/deliveries': {
    allowed: ['owner', 'admin'],
    prepare: async () => ({ params: { tenantId, webhookId: await freshWebhook() } }),
  },
  // AI (the app talks to a local OpenAI-compatible fake; the tenant's plan includes AI).
  'POST /api/v1/tenants/:tenantId/ai/task-breakdown': {
    allowed: AI_ROLES,
    prepare: async () => ({ params: { tenantId }, payload: { taskId: await ownersTask() } }),
  },
  'POST /api/v1/tenants/:tenantId/ai/task-breakdown/:suggestionId/accept': {
    allowed: AI_ROLES,
    prepare: async () => ({ params: { tenantId, suggestionId: await freshSuggestion() }, payload: { indexes: [0] } }),
  },
  'POST /api/v1/tenants/:tenantId/ai/project-summary': {
    allowed: AI_ROLES,
    prepare: async () => ({ params: { tenantId }, payload: { projectId } }),
  },
  'GET /api/v1/tenants/:tenantId/ai/jobs/:jobId': {
    allowed: AI_ROLES,
    prepare: async () => ({ params: { tenantId, jobId: await freshAiJob() } }),
  },
  'GET /api/v1/tenants/:tenantId/ai/usage': {
    allowed: AI_ROLES,
    prepare: async () => ({ params: { tenantId } }),
  },
  'GET /api/v1/tenants/:tenantId/events': {
    allowed: ALL,
    prepare: async () => ({ params: { tenantId } }),
    // A stream: opened over a real socket, read up to `ready`, then closed.
    send: async (user, url) => {
      const stream = await openStream(`${base}${url}`, user.h);
      try {
        if (stream.status === 200) await stream.next((e) => e.event === 'ready');
        return { status: stream.status, body: { success: stream.status === 200 } };
      } finally {
        stream.close();
      }
    },
  },
};

function routeOf(key: string): { method: Method; path: string } {
  const [method, path] = key.split(' ');
  return { method: method as Method, path: path as string };
}

function urlFor(path: string, params: Params): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name as keyof Params];
    if (!value) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(value);
  });
}

beforeAll(async () => {
  fakeAi = await startFakeOpenAI();
  t = await startTestApp({
    work: true,
    env: {
      ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
      AI_COMPATIBLE_BASE_URL: fakeAi.url,
      AI_MODELS_FILE: MODELS_FILE,
      AI_REQUESTS_PER_MINUTE: '100000',
    },
  });
  users.owner = await createUser(t.app, { label: 'owner' });
  const tenant = await createTenant(t.app, users.owner, 'Matrix');
  tenantId = tenant.id;
  membershipIds.owner = (await members(t.app, users.owner, tenantId))[0]?.id as string;
  for (const role of ROLES.filter((r) => r !== 'owner')) {
    users[role] = await createUser(t.app, { label: role });
    membershipIds[role] = await addMember(t.app, users.owner, tenantId, users[role], role);
  }
  spare = await createUser(t.app, { label: 'spare' });
  outsider = await createUser(t.app, { label: 'outsider' });
  await createTenant(t.app, outsider, 'Outside');
  projectId = await freshProject();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await t?.close();
  await fakeAi?.close();
});

describe('role matrix', () => {
  it('has one user per role in the tenant', async () => {
    const list = await members(t.app, users.owner, tenantId);
    expect(Object.fromEntries(list.map((m) => [m.role, m.userId]))).toEqual(Object.fromEntries(ROLES.map((r) => [r, users[r].id])));
    expect(list).toHaveLength(ROLES.length);
  });

  it('lists every registered tenant-scoped route, and nothing else', () => {
    const registered = [
      ...new Set(
        t.app.routeInventory.filter((r) => r.url.startsWith(TENANT_PREFIX)).map((r) => `${r.method} ${r.url.replace(/\/+$/, '')}`),
      ),
    ].sort();
    expect(registered.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(MATRIX).sort()).toEqual(registered);
  });

  it('the table agrees with the permission table: higher roles never get less', () => {
    for (const [key, row] of Object.entries(MATRIX)) {
      for (const role of row.allowed) expect(ROLES, key).toContain(role);
      // If a role is allowed, every role holding a superset of its permissions is too.
      for (const role of row.allowed)
        for (const other of ROLES) {
          const superset = [...ROLE_PERMISSIONS[role]].every((p) => ROLE_PERMISSIONS[other].has(p));
          if (superset) expect(row.allowed, `${key}: ${other} ⊇ ${role}`).toContain(other);
        }
    }
  });

  for (const [key, row] of Object.entries(MATRIX)) {
    it(`${key}: 2xx for ${row.allowed.join(', ')}; 403 for the rest`, async () => {
      const { method, path } = routeOf(key);
      // Owner last, so a call that succeeds for it (e.g. a rename) is the one left standing.
      for (const role of [...ROLES].reverse()) {
        const prepared = await row.prepare(role);
        const url = urlFor(path, prepared.params);
        const res = row.send ? await row.send(users[role], url) : await call(t.app, users[role], method, url, prepared.payload);
        const allowed = row.allowed.includes(role);
        if (allowed) {
          expect(res.status, `${role} ${key}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
          expect(res.status, `${role} ${key}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
          expect(res.body.success).toBe(true);
        } else {
          expect(res.status, `${role} ${key}: ${JSON.stringify(res.body)}`).toBe(403);
          expect(res.body.error?.code).toBe('forbidden');
        }
        await row.verify?.(prepared, allowed);
      }
      // Every role still holds its seat: nobody's call touched the role users.
      const list = await members(t.app, users.owner, tenantId);
      for (const role of ROLES) expect(list.find((m) => m.id === membershipIds[role])?.role, role).toBe(role);
    });
  }

  it('non-members get 404 on every tenant-scoped route, and nothing changes', async () => {
    const before = await ok<TenantDto>(t.app, owner(), 'GET', tenantUrl(tenantId));
    const beforeMembers = await members(t.app, owner(), tenantId);
    for (const [key, row] of Object.entries(MATRIX)) {
      const { method, path } = routeOf(key);
      // The targets are real rows of the tenant (as the owner would prepare them), not made-up ids.
      const prepared = await row.prepare('owner');
      const res = await call(t.app, outsider, method, urlFor(path, prepared.params), prepared.payload);
      expectError(res, 404, 'not_found');
      // The row's own check, as for a refused call: the target is as it was.
      await row.verify?.(prepared, false);
      if (prepared.params.tenantId !== tenantId) {
        expect((await call(t.app, owner(), 'GET', tenantUrl(prepared.params.tenantId))).status, key).toBe(200);
      }
    }
    expect(await ok<TenantDto>(t.app, owner(), 'GET', tenantUrl(tenantId))).toEqual(before);
    const afterMembers = await members(t.app, owner(), tenantId);
    expect(afterMembers.filter((m) => m.userId !== spare.id)).toEqual(beforeMembers.filter((m) => m.userId !== spare.id));
  });

  it('a tenant id that does not exist is 404 for every route, for members too', async () => {
    for (const key of Object.keys(MATRIX)) {
      const { method, path } = routeOf(key);
      const url = urlFor(path, {
        tenantId: 'ten_doesnotexist',
        memberId: membershipIds.guest,
        invitationId: 'inv_doesnotexist',
        projectId,
        taskId: 'task_doesnotexist',
        commentId: 'cmt_doesnotexist',
        keyId: 'key_doesnotexist',
        webhookId: 'whk_doesnotexist',
        suggestionId: 'sug_doesnotexist',
        jobId: 'aij_doesnotexist',
      });
      const payload =
        method === 'PATCH' && path.endsWith(':memberId') ? { role: 'viewer' } : method === 'PATCH' ? { name: 'x' } : undefined;
      const body = method === 'POST' ? { email: uniqueEmail('x'), role: 'guest' } : payload;
      expectError(await call(t.app, users.owner, method, url, body), 404, 'not_found');
    }
  });

  it('anonymous callers get 401 on every tenant-scoped route; a bad token too', async () => {
    const invitationId = await freshInvitation();
    const taskId = await ownTask('guest');
    const comment = await ok<{ id: string }>(t.app, owner(), 'POST', tenantUrl(tenantId, `/tasks/${taskId}/comments`), { body: 'Stays' });
    for (const key of Object.keys(MATRIX)) {
      const { method, path } = routeOf(key);
      const url = urlFor(path, {
        tenantId,
        memberId: membershipIds.guest,
        invitationId,
        projectId,
        taskId,
        commentId: comment.id,
        keyId: 'key_any',
        webhookId: 'whk_any',
        suggestionId: 'sug_any',
        jobId: 'aij_any',
      });
      expectError(await call(t.app, null, method, url), 401, 'unauthorized');
      const forged = { ...users.owner, h: { authorization: `Bearer ${users.owner.jwt.slice(0, -4)}AAAA` } };
      expectError(await call(t.app, forged, method, url), 401, 'unauthorized');
    }
    // Nothing was touched.
    expect((await invitations(t.app, owner(), tenantId)).some((i: InvitationDto) => i.id === invitationId)).toBe(true);
    expect(await memberRole(membershipIds.guest)).toBe('guest');
    expect(await taskStatus(taskId)).toBe(200);
    expect((await ok<{ id: string }[]>(t.app, owner(), 'GET', tenantUrl(tenantId, `/tasks/${taskId}/comments`))).map((c) => c.id)).toEqual([
      comment.id,
    ]);
  });

  it('every role may leave (delete its own membership); the last owner may not', async () => {
    const fresh = await createTenant(t.app, users.owner, 'Leavers');
    const seats = {} as Record<Role, string>;
    for (const role of ROLES.filter((r) => r !== 'owner')) seats[role] = await addMember(t.app, users.owner, fresh.id, users[role], role);
    seats.owner = (await members(t.app, users.owner, fresh.id)).find((m) => m.userId === users.owner.id)?.id as string;
    for (const role of ROLES.filter((r) => r !== 'owner')) {
      const res = await call(t.app, users[role], 'DELETE', tenantUrl(fresh.id, `/members/${seats[role]}`));
      expect(res.status, `${role}: ${JSON.stringify(res.body)}`).toBe(200);
      expectError(await call(t.app, users[role], 'GET', tenantUrl(fresh.id)), 404, 'not_found');
    }
    expectError(await call(t.app, users.owner, 'DELETE', tenantUrl(fresh.id, `/members/${seats.owner}`)), 409, 'conflict');
    expect((await members(t.app, users.owner, fresh.id)).map((m) => m.role)).toEqual(['owner']);
  });
});
