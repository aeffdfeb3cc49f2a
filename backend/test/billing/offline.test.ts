/**
 * The offline provider, end to end over HTTP: a free workspace at its task limit upgrades through the
 * offline checkout page, the very next task is accepted; cancelling keeps Pro until the period ends;
 * once the clock passes the period end the workspace is on Free again, nothing is deleted, and the
 * tasks over the limit are read-only (updates 402) while deleting stays possible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks, tenantUsage } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { newId } from '../../src/lib/ids.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';
import {
  advanceClock,
  billingAudit,
  call,
  countTaskRows,
  DAY,
  expectError,
  getSubscription,
  ledgerRows,
  ok,
  subscriptionEvents,
  tenantUrl,
} from './support.ts';

let t: TestApp;
let owner: TestUser;
let tenantId = '';
let projectId = '';
const apiTasks: string[] = [];
const FREE_TASKS = 200;

beforeAll(async () => {
  t = await startTestApp({ work: true });
  owner = await createUser(t.app, { label: 'owner' });
  tenantId = await createTenant(t.app, owner, 'Offline Co');
  projectId = (await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/projects'), { name: 'Launch' }, 201)).id;
  for (let i = 0; i < 3; i++) {
    apiTasks.push(
      (await ok<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: `Task ${i}` }, 201)).id,
    );
  }
  // The rest of the free plan's 200 tasks, inserted in bulk (with the usage counter the services keep).
  await withTenant(t.database.db, { tenantId }, async (tx) => {
    const rows = Array.from({ length: FREE_TASKS - apiTasks.length }, (_, i) => ({
      id: newId('task'),
      tenantId,
      projectId,
      title: `Bulk ${i}`,
      position: 1000 + i,
      createdBy: owner.id,
    }));
    await tx.insert(tasks).values(rows);
    await tx
      .insert(tenantUsage)
      .values({ tenantId, metric: 'tasks', value: FREE_TASKS })
      .onConflictDoUpdate({ target: [tenantUsage.tenantId, tenantUsage.metric], set: { value: FREE_TASKS } });
  });
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('offline billing, end to end', () => {
  let checkoutPath = '';

  it('lists the plans publicly, with prices per interval in cents, features and limits', async () => {
    const plans = await ok<{ id: string; prices: { monthly: number; yearly: number }; features: object; limits: { tasks: number } }[]>(
      t.app,
      null,
      'GET',
      '/api/v1/plans',
    );
    expect(plans.map((p) => p.id)).toEqual(['free', 'pro', 'business']);
    expect(plans.find((p) => p.id === 'pro')).toMatchObject({
      prices: { monthly: 1200, yearly: 12000 },
      features: { api_keys: true, ai: true, audit_export: true, webhooks: true },
      limits: { tasks: 20_000 },
    });
    expect(plans.find((p) => p.id === 'free')?.limits.tasks).toBe(FREE_TASKS);
  });

  it('a free workspace at its task limit gets 402 plan_limit_reached', async () => {
    const res = await call(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: 'One too many' });
    expectError(res, 402, 'plan_limit_reached');
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({ planId: 'free', status: 'active', trialAvailable: true, pastDue: false });
    expect(sub.usage.tasks).toEqual({ used: FREE_TASKS, limit: FREE_TASKS, unlimited: false, overLimit: false });
    expect(sub.usage.members).toMatchObject({ used: 1, limit: 10 });
  });

  it('checkout answers the URL of the offline checkout page, which shows plan, price and the two buttons', async () => {
    const { url } = await ok<{ url: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/checkout'), {
      planId: 'pro',
      interval: 'monthly',
    });
    expect(url.startsWith(`${t.config.webUrl}/api/v1/billing/offline/checkout/`)).toBe(true);
    checkoutPath = new URL(url).pathname;
    const page = await t.app.inject({ method: 'GET', url: checkoutPath });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('Atrium Pro');
    expect(page.body).toContain('$12.00 per month');
    expect(page.body).toContain('14-day trial');
    expect(page.body).toMatch(/<form method="post" action="\/api\/v1\/billing\/offline\/checkout\/[^"]+\/complete">/);
    expect(page.body).toContain('>Complete purchase</button>');
    expect(page.body).toContain('>Simulate a declined card</button>');
    expect((await billingAudit(t, tenantId, 'billing.checkout_started')).length).toBe(1);
  });

  it('a tampered or unknown session token shows the invalid-link page (404) and changes nothing', async () => {
    const tampered = `${checkoutPath.slice(0, -3)}AAA`;
    const page = await t.app.inject({ method: 'GET', url: tampered });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('This checkout link is not valid');
    const done = await t.app.inject({
      method: 'POST',
      url: `${tampered}/complete`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'outcome=success',
    });
    expect(done.statusCode).toBe(404);
    expect(await ledgerRows(t, tenantId)).toEqual([]);
  });

  it('"Simulate a declined card" shows the page again with an alert, and nothing is bought', async () => {
    const declined = await t.app.inject({
      method: 'POST',
      url: `${checkoutPath}/complete`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'outcome=decline',
    });
    expect(declined.statusCode).toBe(402);
    expect(declined.body).toContain('role="alert"');
    expect(declined.body).toContain('Your card was declined');
    expect((await getSubscription(t.app, owner, tenantId)).planId).toBe('free');
    expect(await ledgerRows(t, tenantId)).toEqual([]);
  });

  it('"Complete purchase" redirects to the billing page, and the very next task is accepted', async () => {
    const done = await t.app.inject({
      method: 'POST',
      url: `${checkoutPath}/complete`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'outcome=success',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${t.config.webUrl}/w/${tenantId}/billing?checkout=success`);
    const created = await call<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: 'Now on Pro' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    apiTasks.push(created.body.data.id);

    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({
      planId: 'pro',
      subscribedPlanId: 'pro',
      status: 'trialing',
      interval: 'monthly',
      provider: 'offline',
      cancelAtPeriodEnd: false,
      trialAvailable: false,
      downgraded: false,
    });
    expect(sub.entitlements.features).toEqual({ api_keys: true, ai: true, audit_export: true, webhooks: true });
    expect(sub.usage.tasks).toMatchObject({ used: FREE_TASKS + 1, limit: 20_000, overLimit: false });
    // A 14-day trial: the first period is the trial.
    const trialDays = (Date.parse(sub.trialEnd as string) - Date.parse(sub.currentPeriodStart as string)) / (DAY * 1000);
    expect(trialDays).toBeCloseTo(14, 3);
    expect(sub.currentPeriodEnd).toBe(sub.trialEnd);

    // Stripe's three events went through the webhook and the ledger, each applied.
    const ledger = await ledgerRows(t, tenantId);
    expect(ledger.map((r) => r.type).sort()).toEqual(['checkout.session.completed', 'customer.subscription.created', 'invoice.paid']);
    expect(ledger.every((r) => r.processedAt !== null && r.outcome === 'applied')).toBe(true);
    const actions = (await billingAudit(t, tenantId)).map((a) => a.action);
    expect(actions).toEqual(['billing.checkout_started', 'billing.checkout_completed', 'billing.upgraded', 'billing.payment_succeeded']);
    expect((await subscriptionEvents(t, tenantId)).length).toBeGreaterThanOrEqual(3);
    expect((await ok<{ plan: string }>(t.app, owner, 'GET', tenantUrl(tenantId))).plan).toBe('pro');
  });

  it('completing the same checkout again is a duplicate: no second effect', async () => {
    const auditBefore = (await billingAudit(t, tenantId)).length;
    const again = await t.app.inject({
      method: 'POST',
      url: `${checkoutPath}/complete`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'outcome=success',
    });
    expect(again.statusCode).toBe(303);
    expect((await ledgerRows(t, tenantId)).length).toBe(3);
    expect((await billingAudit(t, tenantId)).length).toBe(auditBefore);
  });

  it('a second checkout while subscribed is refused (409): plan changes go through the portal', async () => {
    expectError(
      await call(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/checkout'), { planId: 'business', interval: 'yearly' }),
      409,
      'conflict',
    );
    const portal = await ok<{ url: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/portal'));
    expect(portal.url).toBe(`${t.config.webUrl}/w/${tenantId}/billing?portal=offline`);
  });

  it('cancel keeps Pro until the period ends; resume undoes it; cancel again', async () => {
    const canceled = await ok<{ cancelAtPeriodEnd: boolean; planId: string; status: string }>(
      t.app,
      owner,
      'POST',
      tenantUrl(tenantId, '/billing/cancel'),
    );
    expect(canceled).toMatchObject({ cancelAtPeriodEnd: true, planId: 'pro', status: 'trialing' });
    const resumed = await ok<{ cancelAtPeriodEnd: boolean }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/resume'));
    expect(resumed.cancelAtPeriodEnd).toBe(false);
    await ok(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/cancel'));
    const actions = (await billingAudit(t, tenantId)).map((a) => a.action);
    expect(actions.filter((a) => a === 'billing.canceled')).toHaveLength(2);
    expect(actions.filter((a) => a === 'billing.resumed')).toHaveLength(1);

    // Still Pro: another task over the free limit is accepted.
    const created = await call<{ id: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: 'Still Pro' });
    expect(created.status).toBe(201);
    apiTasks.push(created.body.data.id);
  });

  it('13 days later (period not over) it is still Pro', async () => {
    const moved = await advanceClock(t.app, 13 * DAY);
    expect(moved.offsetSeconds).toBe(13 * DAY);
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({ planId: 'pro', cancelAtPeriodEnd: true });
  });

  it('past the period end the workspace is on Free; no data was deleted; over-limit tasks are read-only, deleting works', async () => {
    const moved = await advanceClock(t.app, 2 * DAY);
    expect(moved.lifecycle.eventsSent).toBe(1);
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({ planId: 'free', subscribedPlanId: 'free', status: 'canceled', cancelAtPeriodEnd: false, overLimit: true });
    expect(sub.usage.tasks).toEqual({ used: FREE_TASKS + 2, limit: FREE_TASKS, unlimited: false, overLimit: true });
    expect(sub.entitlements.features.ai).toBe(false);
    expect((await ok<{ plan: string }>(t.app, owner, 'GET', tenantUrl(tenantId))).plan).toBe('free');
    const downgraded = await billingAudit(t, tenantId, 'billing.downgraded');
    expect(downgraded).toHaveLength(1);
    expect(downgraded[0]?.metadata).toMatchObject({ planFrom: 'pro', planTo: 'free', eventType: 'customer.subscription.deleted' });

    // Nothing deleted.
    expect(await countTaskRows(t, tenantId)).toBe(FREE_TASKS + 2);
    // Reads work; changes are refused while over the limit.
    const [first, second, third] = apiTasks;
    await ok(t.app, owner, 'GET', tenantUrl(tenantId, `/tasks/${first}`));
    const refused = await call(t.app, owner, 'PATCH', tenantUrl(tenantId, `/tasks/${first}`), { title: 'Renamed' });
    expectError(refused, 402, 'plan_limit_reached');
    expect(refused.body.error.details).toMatchObject({ metric: 'tasks', limit: FREE_TASKS, used: FREE_TASKS + 2, readOnly: true });
    expectError(await call(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: 'No' }), 402, 'plan_limit_reached');
    // Deleting is allowed, and once back at the limit the rest can be changed again.
    await ok(t.app, owner, 'DELETE', tenantUrl(tenantId, `/tasks/${second}`));
    expectError(await call(t.app, owner, 'PATCH', tenantUrl(tenantId, `/tasks/${first}`), { title: 'Renamed' }), 402, 'plan_limit_reached');
    await ok(t.app, owner, 'DELETE', tenantUrl(tenantId, `/tasks/${third}`));
    expect(await countTaskRows(t, tenantId)).toBe(FREE_TASKS);
    expect((await ok<{ title: string }>(t.app, owner, 'PATCH', tenantUrl(tenantId, `/tasks/${first}`), { title: 'Renamed' })).title).toBe(
      'Renamed',
    );
    expectError(
      await call(t.app, owner, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title: 'Still no' }),
      402,
      'plan_limit_reached',
    );
  });

  it('the trial was used: a new checkout has no trial', async () => {
    const { url } = await ok<{ url: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/checkout'), {
      planId: 'pro',
      interval: 'yearly',
    });
    const page = await t.app.inject({ method: 'GET', url: new URL(url).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('$120.00 per year');
    expect(page.body).not.toContain('trial');
  });
});
