/**
 * Entitlements drive every limit: the member limit on invitations (create and accept), and a plan
 * that lapsed by the clock alone (period ended on a cancelled subscription) before any job ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, users } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { clock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, readMail, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';
import { advanceClock, billingAudit, buyOffline, call, DAY, expectError, getSubscription, ok, tenantUrl } from './support.ts';

let t: TestApp;
let owner: TestUser;
let tenantId = '';

beforeAll(async () => {
  t = await startTestApp({ work: true });
  owner = await createUser(t.app, { label: 'owner' });
  tenantId = await createTenant(t.app, owner, 'Crowded');
  // The free plan allows 10 members: the owner and 8 more, added in bulk (users who never sign in).
  await withTenant(t.database.db, { tenantId }, async (tx) => {
    const filler = Array.from({ length: 8 }, (_, i) => ({
      id: newId('usr'),
      name: `Viewer ${i}`,
      email: uniqueEmail(`viewer${i}`),
      emailVerified: true,
    }));
    await tx.insert(users).values(filler);
    await tx.insert(memberships).values(filler.map((u) => ({ id: newId('mem'), tenantId, userId: u.id, role: 'viewer' as const })));
  });
}, 180_000);
afterAll(async () => {
  await t?.close();
});

async function invite(email: string) {
  return call<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/invitations'), { email, role: 'member' });
}

describe('member limit', () => {
  const late: { user?: TestUser; invitationId?: string } = {};

  it('invitations are accepted until the plan is full; then accepting and inviting answer 402', async () => {
    expect((await getSubscription(t.app, owner, tenantId)).usage.members).toMatchObject({ used: 9, limit: 10, overLimit: false });
    const first = await createUser(t.app, { label: 'first' });
    const second = await createUser(t.app, { label: 'second' });
    const inv1 = await invite(first.email);
    const inv2 = await invite(second.email);
    expect([inv1.status, inv2.status]).toEqual([201, 201]);
    await readMail(t.app, second.email, 'invited');
    await ok(t.app, first, 'POST', `/api/v1/invitations/${inv1.body.data.id}/accept`);

    const refused = await call(t.app, second, 'POST', `/api/v1/invitations/${inv2.body.data.id}/accept`);
    expectError(refused, 402, 'plan_limit_reached');
    expect(refused.body.error.details).toMatchObject({ metric: 'members', limit: 10, plan: 'free' });
    expectError(await invite(uniqueEmail('third')), 402, 'plan_limit_reached');
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub.usage.members).toMatchObject({ used: 10, limit: 10 });
    late.user = second;
    late.invitationId = inv2.body.data.id;
  });

  it('after an upgrade the same invitation can be accepted', async () => {
    await buyOffline(t.app, owner, tenantId, 'pro');
    await ok(t.app, late.user as TestUser, 'POST', `/api/v1/invitations/${late.invitationId}/accept`);
    expect((await getSubscription(t.app, owner, tenantId)).usage.members).toMatchObject({ used: 11, limit: 25 });
  });
});

describe('a plan that lapses by the clock', () => {
  it('is free at once for every limit, before the lifecycle job has run; the job then records the downgrade once', async () => {
    await ok(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/cancel'));
    // Past the end of the (trial) period, without running the lifecycle: only the clock moves.
    clock.advance(15 * DAY);
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({ planId: 'free', subscribedPlanId: 'pro', cancelAtPeriodEnd: true, downgraded: true });
    expect(sub.usage.members).toMatchObject({ used: 11, limit: 10, overLimit: true });
    expectError(await invite(uniqueEmail('fourth')), 402, 'plan_limit_reached');
    expect(await billingAudit(t, tenantId, 'billing.downgraded')).toEqual([]);

    await advanceClock(t.app, 0);
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({ planId: 'free', subscribedPlanId: 'free', status: 'canceled' });
    expect((await ok<{ plan: string }>(t.app, owner, 'GET', tenantUrl(tenantId))).plan).toBe('free');
    expect(await billingAudit(t, tenantId, 'billing.downgraded')).toHaveLength(1);
    // The members stay.
    expect((await ok<unknown[]>(t.app, owner, 'GET', tenantUrl(tenantId, '/members'))).length).toBe(11);
  });
});
