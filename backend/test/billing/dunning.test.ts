/**
 * Dunning: a failed renewal payment puts the subscription past due with a grace period (paid features
 * kept, a flag for the UI banner); when the grace period ends the workspace moves to Free (its data
 * stays); a payment during the grace period restores it as if nothing happened, and a late payment
 * restores it too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../src/lib/clock.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';
import {
  advanceClock,
  billingAudit,
  buyOffline,
  call,
  DAY,
  deliver,
  expectError,
  getSubscription,
  invoiceObject,
  ok,
  processed,
  stripeEvent,
  subscriptionRow,
  tenantUrl,
} from './support.ts';

let t: TestApp;
let owner: TestUser;
let secret = '';
const A = { id: '', projects: [] as string[] };
const B = { id: '' };

async function invoiceEvent(tenantId: string, type: 'invoice.payment_failed' | 'invoice.paid') {
  const row = await subscriptionRow(t, tenantId);
  if (!row?.providerSubscriptionId || !row.providerCustomerId) throw new Error('no provider subscription');
  return stripeEvent(
    type,
    invoiceObject({
      customer: row.providerCustomerId,
      subscription: row.providerSubscriptionId,
      tenantId,
      status: type === 'invoice.paid' ? 'paid' : 'open',
    }),
  );
}

async function send(tenantId: string, type: 'invoice.payment_failed' | 'invoice.paid') {
  const event = await invoiceEvent(tenantId, type);
  const res = await deliver(t.app, secret, event);
  expect(res.status).toBe(200);
  expect(await processed(t, tenantId, event.id)).toBe('applied');
  return event;
}

beforeAll(async () => {
  t = await startTestApp({ work: true, env: { BILLING_GRACE_DAYS: '7' } });
  secret = t.config.billing.webhookSecret as string;
  owner = await createUser(t.app, { label: 'owner' });
  A.id = await createTenant(t.app, owner, 'Late Payer');
  B.id = await createTenant(t.app, owner, 'Recovering Payer');
  await buyOffline(t.app, owner, A.id, 'pro');
  await buyOffline(t.app, owner, B.id, 'pro');
  // Past the 14-day trial: the offline provider renews both (a paid invoice and the next period).
  const moved = await advanceClock(t.app, 15 * DAY);
  expect(moved.lifecycle.eventsSent).toBe(4);
  for (const id of [A.id, B.id]) expect(await getSubscription(t.app, owner, id)).toMatchObject({ planId: 'pro', status: 'active' });
  // Four projects: one more than the free plan allows.
  for (let i = 0; i < 4; i++) {
    A.projects.push((await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(A.id, '/projects'), { name: `P${i}` }, 201)).id);
  }
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('dunning', () => {
  it('invoice.payment_failed: past due, with the grace flag and date; paid features are kept', async () => {
    const failedAt = clock.now();
    await send(A.id, 'invoice.payment_failed');
    const sub = await getSubscription(t.app, owner, A.id);
    expect(sub).toMatchObject({
      planId: 'pro',
      subscribedPlanId: 'pro',
      status: 'past_due',
      pastDue: true,
      inGracePeriod: true,
      downgraded: false,
    });
    const grace = Date.parse(sub.graceUntil as string) - failedAt.getTime();
    expect(Math.abs(grace - 7 * DAY * 1000)).toBeLessThan(2000);
    expect(sub.entitlements.features.ai).toBe(true);
    // Still Pro: a fifth project is fine, and the projects can be changed.
    A.projects.push((await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(A.id, '/projects'), { name: 'P4' }, 201)).id);
    await ok(t.app, owner, 'PATCH', tenantUrl(A.id, `/projects/${A.projects[0]}`), { name: 'Renamed in grace' });
    expect((await billingAudit(t, A.id, 'billing.payment_failed')).length).toBe(1);
  });

  it('a second failure during the grace period does not extend it', async () => {
    const before = (await getSubscription(t.app, owner, A.id)).graceUntil;
    await advanceClock(t.app, DAY);
    await send(A.id, 'invoice.payment_failed');
    expect((await getSubscription(t.app, owner, A.id)).graceUntil).toBe(before);
  });

  it('another workspace: a payment during the grace period restores it to active', async () => {
    await send(B.id, 'invoice.payment_failed');
    expect(await getSubscription(t.app, owner, B.id)).toMatchObject({ status: 'past_due', inGracePeriod: true, planId: 'pro' });
    await advanceClock(t.app, 3 * DAY);
    expect(await getSubscription(t.app, owner, B.id)).toMatchObject({ status: 'past_due', inGracePeriod: true, planId: 'pro' });
    await send(B.id, 'invoice.paid');
    const sub = await getSubscription(t.app, owner, B.id);
    expect(sub).toMatchObject({
      planId: 'pro',
      status: 'active',
      pastDue: false,
      graceUntil: null,
      inGracePeriod: false,
      downgraded: false,
    });
    expect((await billingAudit(t, B.id, 'billing.restored')).length).toBe(1);
    expect(await billingAudit(t, B.id, 'billing.downgraded')).toEqual([]);
  });

  it('when the grace period ends the workspace moves to Free; its data stays, over-limit projects are read-only', async () => {
    // A failed 4 days ago (1 + 3); 3 more days is still inside the 7.
    await advanceClock(t.app, 2 * DAY);
    expect((await getSubscription(t.app, owner, A.id)).planId).toBe('pro');
    const moved = await advanceClock(t.app, 2 * DAY);
    expect(moved.lifecycle.downgraded).toBe(1);

    const sub = await getSubscription(t.app, owner, A.id);
    expect(sub).toMatchObject({
      planId: 'free',
      subscribedPlanId: 'pro',
      status: 'past_due',
      pastDue: true,
      inGracePeriod: false,
      downgraded: true,
    });
    expect(sub.entitlements.features.ai).toBe(false);
    expect(sub.usage.projects).toEqual({ used: 5, limit: 3, unlimited: false, overLimit: true });
    expect((await ok<{ plan: string }>(t.app, owner, 'GET', tenantUrl(A.id))).plan).toBe('free');
    const downgraded = await billingAudit(t, A.id, 'billing.downgraded');
    expect(downgraded).toHaveLength(1);
    expect(downgraded[0]?.metadata).toMatchObject({ reason: 'grace_period_ended', planFrom: 'pro', planTo: 'free' });

    // Nothing deleted; changes refused while over the limit; archiving (the delete) allowed.
    const listed = await ok<{ id: string }[]>(t.app, owner, 'GET', tenantUrl(A.id, '/projects'));
    expect(listed).toHaveLength(5);
    expectError(
      await call(t.app, owner, 'PATCH', tenantUrl(A.id, `/projects/${A.projects[1]}`), { name: 'No' }),
      402,
      'plan_limit_reached',
    );
    expectError(await call(t.app, owner, 'POST', tenantUrl(A.id, '/projects'), { name: 'No' }), 402, 'plan_limit_reached');
    await ok(t.app, owner, 'DELETE', tenantUrl(A.id, `/projects/${A.projects[4]}`));

    // The other workspace, which paid, is untouched.
    expect(await getSubscription(t.app, owner, B.id)).toMatchObject({ planId: 'pro', status: 'active' });
    // A second lifecycle run does not downgrade (or audit) again.
    expect((await advanceClock(t.app, 60)).lifecycle.downgraded).toBe(0);
    expect(await billingAudit(t, A.id, 'billing.downgraded')).toHaveLength(1);
  });

  it('a late payment after the grace period restores the paid plan', async () => {
    await send(A.id, 'invoice.paid');
    const sub = await getSubscription(t.app, owner, A.id);
    expect(sub).toMatchObject({ planId: 'pro', status: 'active', pastDue: false, downgraded: false, overLimit: false });
    await ok(t.app, owner, 'PATCH', tenantUrl(A.id, `/projects/${A.projects[1]}`), { name: 'Changed again' });
  });
});
