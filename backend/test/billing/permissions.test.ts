/**
 * Who may do what with billing: every billing write needs billing:manage (owner, admin); editor,
 * member, viewer and guest get 403 and change nothing. Every member may read the subscription.
 * Another workspace's owner gets 404 on every billing route of this one (as for a workspace that does
 * not exist), and an anonymous caller 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant, createWorkspace, type RoleName, type Workspace } from '../helpers/workspace.ts';
import { billingAudit, buyOffline, call, expectError, type Method, ok, subscriptionRow, tenantUrl } from './support.ts';

let t: TestApp;
let w: Workspace;
let outsider: TestUser;

const WRITES: { method: Method; path: string; payload?: unknown }[] = [
  { method: 'POST', path: '/billing/checkout', payload: { planId: 'business', interval: 'yearly' } },
  { method: 'POST', path: '/billing/portal' },
  { method: 'POST', path: '/billing/cancel' },
  { method: 'POST', path: '/billing/resume' },
  { method: 'POST', path: '/billing/reconcile' },
];
const READS: { method: Method; path: string }[] = [{ method: 'GET', path: '/subscription' }];
const DENIED: RoleName[] = ['editor', 'member', 'viewer', 'guest'];
const ALL: RoleName[] = ['owner', 'admin', 'editor', 'member', 'viewer', 'guest'];

beforeAll(async () => {
  t = await startTestApp({ work: true });
  w = await createWorkspace(t.app, 'Billing Roles');
  await buyOffline(t.app, w.users.owner, w.tenantId, 'pro');
  outsider = await createUser(t.app, { label: 'outsider' });
  await createTenant(t.app, outsider, 'Outside');
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('billing permissions', () => {
  it('the tests cover every billing route that is registered', () => {
    const registered = t.app.routeInventory
      .filter((r) => r.url.startsWith('/api/v1/tenants/:tenantId/') && /\/(billing|subscription)\b/.test(r.url))
      .map((r) => `${r.method} ${r.url.replace('/api/v1/tenants/:tenantId', '')}`)
      .sort();
    expect(registered).toEqual([...WRITES, ...READS].map((r) => `${r.method} ${r.path}`).sort());
  });

  for (const role of DENIED) {
    it(`${role}: 403 on every billing write, nothing changes`, async () => {
      const before = { row: await subscriptionRow(t, w.tenantId), audit: (await billingAudit(t, w.tenantId)).length };
      for (const route of WRITES) {
        const res = await call(t.app, w.users[role], route.method, tenantUrl(w.tenantId, route.path), route.payload);
        expectError(res, 403, 'forbidden');
        expect(res.body.error.message).toContain('billing:manage');
      }
      expect(await subscriptionRow(t, w.tenantId)).toEqual(before.row);
      expect((await billingAudit(t, w.tenantId)).length).toBe(before.audit);
    });
  }

  it('owner and admin may manage billing', async () => {
    for (const role of ['admin', 'owner'] as const) {
      const user = w.users[role];
      // Already subscribed: a new checkout is a conflict, not a permission problem.
      expectError(await call(t.app, user, 'POST', tenantUrl(w.tenantId, '/billing/checkout'), WRITES[0]?.payload), 409, 'conflict');
      expect((await ok<{ url: string }>(t.app, user, 'POST', tenantUrl(w.tenantId, '/billing/portal'))).url).toContain('/billing');
      expect(
        (await ok<{ cancelAtPeriodEnd: boolean }>(t.app, user, 'POST', tenantUrl(w.tenantId, '/billing/cancel'))).cancelAtPeriodEnd,
      ).toBe(true);
      expect(
        (await ok<{ cancelAtPeriodEnd: boolean }>(t.app, user, 'POST', tenantUrl(w.tenantId, '/billing/resume'))).cancelAtPeriodEnd,
      ).toBe(false);
      expect((await ok<{ queued: boolean }>(t.app, user, 'POST', tenantUrl(w.tenantId, '/billing/reconcile'), undefined, 202)).queued).toBe(
        true,
      );
    }
    const actors = (await billingAudit(t, w.tenantId, 'billing.canceled')).map((a) => a.actorId).sort();
    expect(actors).toEqual([w.users.admin.id, w.users.owner.id].sort());
  });

  it('every role can read the subscription (plan, status, entitlements, usage)', async () => {
    for (const role of ALL) {
      const sub = await ok<{ planId: string; usage: { members: { used: number } } }>(
        t.app,
        w.users[role],
        'GET',
        tenantUrl(w.tenantId, '/subscription'),
      );
      expect(sub.planId, role).toBe('pro');
      expect(sub.usage.members.used, role).toBe(6);
    }
  });

  it('another workspace’s owner gets 404 on every billing route of this one, like for a workspace that does not exist', async () => {
    const before = { row: await subscriptionRow(t, w.tenantId), audit: (await billingAudit(t, w.tenantId)).length };
    for (const route of [...WRITES, ...READS]) {
      const res = await call(
        t.app,
        outsider,
        route.method,
        tenantUrl(w.tenantId, route.path),
        'payload' in route ? route.payload : undefined,
      );
      expectError(res, 404, 'not_found');
      const ghost = await call(
        t.app,
        outsider,
        route.method,
        tenantUrl('ten_doesnotexist', route.path),
        'payload' in route ? route.payload : undefined,
      );
      expect({ status: ghost.status, message: ghost.body.error.message }).toEqual({ status: res.status, message: res.body.error.message });
    }
    expect(await subscriptionRow(t, w.tenantId)).toEqual(before.row);
    expect((await billingAudit(t, w.tenantId)).length).toBe(before.audit);
  });

  it('without credentials: 401 on every billing route', async () => {
    for (const route of [...WRITES, ...READS]) {
      expectError(
        await call(t.app, null, route.method, tenantUrl(w.tenantId, route.path), 'payload' in route ? route.payload : undefined),
        401,
        'unauthorized',
      );
    }
  });
});
