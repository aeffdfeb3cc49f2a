/**
 * The Stripe provider against a local fake of Stripe's HTTP API (node:http on 127.0.0.1:0): the
 * official SDK makes its real calls (customer create with the tenant's Idempotency-Key, checkout
 * session, portal session, subscription update, subscription retrieve), and Stripe's side of the
 * story arrives as webhook events signed the way Stripe signs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../src/lib/clock.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTenant } from '../helpers/workspace.ts';
import { FakeStripe } from './fake-stripe.ts';
import {
  billingAudit,
  call,
  DAY,
  deliver,
  expectError,
  getSubscription,
  invoiceObject,
  ledgerRows,
  ok,
  processed,
  stripeEvent,
  subscriptionObject,
  subscriptionRow,
  tenantUrl,
} from './support.ts';

const WEBHOOK_SECRET = 'whsec_test_atrium_fake_endpoint_secret';
const PRICES = {
  pro_m: 'price_pro_monthly_fake',
  pro_y: 'price_pro_yearly_fake',
  biz_m: 'price_business_monthly_fake',
  biz_y: 'price_business_yearly_fake',
};

const fake = new FakeStripe();
let t: TestApp;
let owner: TestUser;
let tenantId = '';
const SUB = 'sub_fake_atrium_1';

beforeAll(async () => {
  await fake.start();
  t = await startTestApp({
    work: true,
    captureLogs: true,
    env: {
      STRIPE_SECRET_KEY: 'sk_test_fake_atrium',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: fake.base,
      STRIPE_PRICE_PRO_MONTHLY: PRICES.pro_m,
      STRIPE_PRICE_PRO_YEARLY: PRICES.pro_y,
      STRIPE_PRICE_BUSINESS_MONTHLY: PRICES.biz_m,
      STRIPE_PRICE_BUSINESS_YEARLY: PRICES.biz_y,
    },
  });
  owner = await createUser(t.app, { label: 'owner' });
  tenantId = await createTenant(t.app, owner, 'Stripe Co');
}, 180_000);
afterAll(async () => {
  await t?.close();
  await fake.stop();
});

describe('Stripe provider through the SDK', () => {
  it('is the configured provider, and the offline checkout routes do not exist', async () => {
    expect(t.config.billing.provider).toBe('stripe');
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/billing/offline/checkout/abcdefghijklmnop' });
    expect(res.statusCode).toBe(404);
  });

  it('checkout: creates the customer once (Idempotency-Key customer:<tenantId>) and a subscription checkout session', async () => {
    const { url } = await ok<{ url: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/checkout'), {
      planId: 'pro',
      interval: 'monthly',
    });
    expect(url).toBe('https://checkout.stripe.com/c/pay/cs_test_fake_1');

    const customers = fake.calls('POST', '/v1/customers');
    expect(customers).toHaveLength(1);
    expect(customers[0]?.headers['idempotency-key']).toBe(`customer:${tenantId}`);
    expect(customers[0]?.headers.authorization).toBe('Bearer sk_test_fake_atrium');
    expect(customers[0]?.form).toMatchObject({ name: 'Stripe Co', 'metadata[tenantId]': tenantId });

    const sessions = fake.calls('POST', '/v1/checkout/sessions');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.form).toMatchObject({
      mode: 'subscription',
      customer: 'cus_fake_1',
      client_reference_id: tenantId,
      'line_items[0][price]': PRICES.pro_m,
      'line_items[0][quantity]': '1',
      'subscription_data[trial_period_days]': '14',
      'subscription_data[metadata][tenantId]': tenantId,
      'subscription_data[metadata][planId]': 'pro',
      success_url: `${t.config.webUrl}/w/${tenantId}/billing?checkout=success`,
      cancel_url: `${t.config.webUrl}/w/${tenantId}/billing?checkout=canceled`,
    });
    // No card data is ever sent to, or through, Atrium.
    expect(JSON.stringify(sessions[0]?.form)).not.toMatch(/card|cvc|number/i);

    const row = await subscriptionRow(t, tenantId);
    expect(row).toMatchObject({ provider: 'stripe', providerCustomerId: 'cus_fake_1', planId: 'free' });
    expect((await billingAudit(t, tenantId, 'billing.checkout_started'))[0]?.metadata).toMatchObject({
      planId: 'pro',
      interval: 'monthly',
      trialDays: 14,
      sessionId: 'cs_test_fake_1',
    });
  });

  it('a second checkout (the first was abandoned) reuses the customer', async () => {
    await ok(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/checkout'), { planId: 'business', interval: 'yearly' });
    expect(fake.calls('POST', '/v1/customers')).toHaveLength(1);
    const sessions = fake.calls('POST', '/v1/checkout/sessions');
    expect(sessions).toHaveLength(2);
    expect(sessions[1]?.form).toMatchObject({ customer: 'cus_fake_1', 'line_items[0][price]': PRICES.biz_y });
  });

  it('Stripe’s events (signed) put the workspace on Pro, trialing', async () => {
    const now = clock.nowSeconds();
    fake.subscriptions.set(SUB, {
      id: SUB,
      customer: 'cus_fake_1',
      status: 'trialing',
      priceId: PRICES.pro_m,
      interval: 'month',
      cancelAtPeriodEnd: false,
      periodStart: now,
      periodEnd: now + 14 * DAY,
      trialEnd: now + 14 * DAY,
      quantity: 1,
      metadata: { tenantId, planId: 'pro', interval: 'monthly' },
    });
    const checkout = stripeEvent('checkout.session.completed', {
      id: 'cs_test_fake_1',
      object: 'checkout.session',
      mode: 'subscription',
      customer: 'cus_fake_1',
      subscription: SUB,
      client_reference_id: tenantId,
      status: 'complete',
      metadata: { tenantId },
    });
    const created = stripeEvent('customer.subscription.created', fake.subscriptionObject(fake.subscriptions.get(SUB) as never));
    const paid = stripeEvent('invoice.paid', invoiceObject({ customer: 'cus_fake_1', subscription: SUB, tenantId, amount: 0 }));
    // Delivered one after the other, as Stripe does for one subscription: each is applied before the next
    // arrives (their `created` seconds may differ, and an older snapshot arriving later is stale by design).
    for (const e of [checkout, created, paid]) {
      const res = await deliver(t.app, WEBHOOK_SECRET, e);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ received: true, status: 'queued', eventId: e.id });
      expect(await processed(t, tenantId, e.id)).toBe('applied');
    }
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({
      planId: 'pro',
      status: 'trialing',
      provider: 'stripe',
      interval: 'monthly',
      cancelAtPeriodEnd: false,
      seats: 1,
    });
    expect(Date.parse(sub.currentPeriodEnd as string)).toBe((now + 14 * DAY) * 1000);
  });

  it('portal: a portal session for the tenant’s customer, returning to the billing page', async () => {
    const { url } = await ok<{ url: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/portal'));
    expect(url).toBe('https://billing.stripe.com/p/session/test_fake');
    expect(fake.calls('POST', '/v1/billing_portal/sessions')[0]?.form).toEqual({
      customer: 'cus_fake_1',
      return_url: `${t.config.webUrl}/w/${tenantId}/billing`,
    });
  });

  it('cancel: updates the Stripe subscription (cancel_at_period_end=true); the plan stays until the period end', async () => {
    const sub = await ok<{ cancelAtPeriodEnd: boolean; planId: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/cancel'));
    expect(sub).toMatchObject({ cancelAtPeriodEnd: true, planId: 'pro' });
    const updates = fake.calls('POST', `/v1/subscriptions/${SUB}`);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.form).toEqual({ cancel_at_period_end: 'true' });
    expect((await billingAudit(t, tenantId, 'billing.canceled')).length).toBe(1);

    // Stripe's own event about the change arrives afterwards and agrees.
    const echo = stripeEvent('customer.subscription.updated', fake.subscriptionObject(fake.subscriptions.get(SUB) as never));
    await deliver(t.app, WEBHOOK_SECRET, echo);
    expect(await processed(t, tenantId, echo.id)).toBe('applied');
    expect((await getSubscription(t.app, owner, tenantId)).cancelAtPeriodEnd).toBe(true);
  });

  it('resume: cancel_at_period_end=false at Stripe and locally', async () => {
    const sub = await ok<{ cancelAtPeriodEnd: boolean }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/resume'));
    expect(sub.cancelAtPeriodEnd).toBe(false);
    expect(fake.calls('POST', `/v1/subscriptions/${SUB}`).at(-1)?.form).toEqual({ cancel_at_period_end: 'false' });
  });

  it('reconcile (202): retrieves the subscription from Stripe and fixes drift, logging and auditing each fix', async () => {
    // Drift: at Stripe the customer went to 3 seats and scheduled a cancellation, and those webhooks were lost.
    const remote = fake.subscriptions.get(SUB);
    if (!remote) throw new Error('no fake subscription');
    remote.quantity = 3;
    remote.cancelAtPeriodEnd = true;
    const before = fake.calls('GET', `/v1/subscriptions/${SUB}`).length;
    const res = await call<{ queued: boolean; provider: string }>(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/reconcile'));
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ queued: true, provider: 'stripe' });
    const fixed = await waitFor(async () => {
      const s = await getSubscription(t.app, owner, tenantId);
      return s.seats === 3 && s.cancelAtPeriodEnd ? s : undefined;
    });
    expect(fixed.planId).toBe('pro');
    expect(fake.calls('GET', `/v1/subscriptions/${SUB}`).length).toBe(before + 1);
    const audit = await billingAudit(t, tenantId, 'billing.reconciled');
    expect(audit).toHaveLength(1);
    const changes = ((audit[0]?.metadata ?? {}) as { changes?: { field: string }[] }).changes?.map((c) => c.field).sort();
    expect(changes).toEqual(['cancelAtPeriodEnd', 'seats']);
    const logged = t.logs.filter((l) => l.msg === 'reconcile: fixed drift' && l.tenantId === tenantId).map((l) => l.field);
    expect(logged.sort()).toEqual(['cancelAtPeriodEnd', 'seats']);

    // Nothing to fix: a second run changes nothing.
    const runs = () => t.logs.filter((l) => l.msg === 'billing reconciliation done' && l.tenantId === tenantId);
    await waitFor(async () => runs().length === 1);
    await call(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/reconcile'));
    await waitFor(async () => runs().length === 2);
    expect(fake.calls('GET', `/v1/subscriptions/${SUB}`).length).toBe(before + 2);
    expect(runs().map((l) => l.fixed)).toEqual([1, 0]);
    expect(await billingAudit(t, tenantId, 'billing.reconciled')).toHaveLength(1);
  });

  it('a Stripe failure is a 503 for the caller and changes nothing', async () => {
    const auditBefore = (await billingAudit(t, tenantId)).length;
    fake.failures.set('/v1/billing_portal/sessions', { status: 400, type: 'invalid_request_error', message: 'No configuration provided' });
    try {
      expectError(await call(t.app, owner, 'POST', tenantUrl(tenantId, '/billing/portal')), 503, 'service_unavailable');
    } finally {
      fake.failures.clear();
    }
    expect((await billingAudit(t, tenantId)).length).toBe(auditBefore);
  });

  it('events signed with another secret are refused (400), and a subscription for an unknown price is ignored', async () => {
    const forged = stripeEvent(
      'customer.subscription.deleted',
      subscriptionObject({
        id: SUB,
        customer: 'cus_fake_1',
        tenantId,
        priceId: PRICES.pro_m,
        status: 'canceled',
        periodStart: clock.nowSeconds(),
        periodEnd: clock.nowSeconds() + DAY,
      }),
    );
    const res = await deliver(t.app, 'whsec_someone_else', forged);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'validation_error' } });

    const unknownPrice = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({
        id: SUB,
        customer: 'cus_fake_1',
        tenantId,
        priceId: 'price_nobody_knows',
        periodStart: clock.nowSeconds(),
        periodEnd: clock.nowSeconds() + 30 * DAY,
      }),
    );
    await deliver(t.app, WEBHOOK_SECRET, unknownPrice);
    expect(await processed(t, tenantId, unknownPrice.id)).toBe('ignored');
    expect((await getSubscription(t.app, owner, tenantId)).planId).toBe('pro');
  });

  it('customer.subscription.deleted moves the workspace to Free', async () => {
    const remote = fake.subscriptions.get(SUB);
    if (!remote) throw new Error('no fake subscription');
    remote.status = 'canceled';
    const deleted = stripeEvent('customer.subscription.deleted', fake.subscriptionObject(remote), { created: clock.nowSeconds() + 1 });
    await deliver(t.app, WEBHOOK_SECRET, deleted);
    expect(await processed(t, tenantId, deleted.id)).toBe('applied');
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({ planId: 'free', status: 'canceled' });
    expect((await billingAudit(t, tenantId, 'billing.downgraded')).length).toBe(1);
    expect((await ledgerRows(t, tenantId)).every((r) => r.processedAt !== null)).toBe(true);
  });
});
