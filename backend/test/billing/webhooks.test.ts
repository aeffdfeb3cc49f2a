/**
 * The webhook endpoint: signature checked over the raw body, each event applied once, in order.
 * Duplicates (×10), reordered deliveries, stale timestamps, tampered bodies and wrong secrets: the
 * final state is right, each event has one effect, the bad deliveries get 400 and leave no trace.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../src/lib/clock.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';
import {
  auditForEvent,
  DAY,
  deliver,
  getSubscription,
  ledgerRows,
  postWebhook,
  processed,
  sign,
  stripeEvent,
  subscriptionObject,
  subscriptionRow,
} from './support.ts';

let t: TestApp;
let owner: TestUser;
let secret = '';

beforeAll(async () => {
  t = await startTestApp({ work: true });
  secret = t.config.billing.webhookSecret as string;
  owner = await createUser(t.app, { label: 'owner' });
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const rowsOf = <T>(r: unknown) => (r as { rows: T[] }).rows;

async function jobsFor(eventId: string) {
  const res = await t.database.db.execute(
    sql`select count(*)::int as n from pgboss.job where name = 'billing.webhook' and data ->> 'eventId' = ${eventId}`,
  );
  return rowsOf<{ n: number }>(res)[0]?.n ?? -1;
}

function subscription(tenantId: string, id: string, extra: Partial<Parameters<typeof subscriptionObject>[0]> = {}) {
  const now = clock.nowSeconds();
  return subscriptionObject({
    id,
    customer: `cus_${id}`,
    tenantId,
    planId: 'pro',
    priceId: 'price_offline_pro_monthly',
    periodStart: now,
    periodEnd: now + 30 * DAY,
    ...extra,
  });
}

describe('duplicates', () => {
  it('the same event delivered 10 times (at once): one ledger row, one job, one effect, one audit row', async () => {
    const tenantId = await createTenant(t.app, owner, 'Dup Co');
    const event = stripeEvent(
      'customer.subscription.created',
      subscription(tenantId, 'sub_dup', { status: 'trialing', trialEnd: clock.nowSeconds() + 14 * DAY }),
    );
    const payload = JSON.stringify(event);
    const responses = await Promise.all(Array.from({ length: 10 }, () => postWebhook(t.app, payload, sign(payload, secret))));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const statuses = responses.map((r) => r.body.data.status).sort();
    expect(statuses).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'queued',
    ]);
    expect(await processed(t, tenantId, event.id)).toBe('applied');

    // Redelivered after it was applied: still nothing new.
    const late = await postWebhook(t.app, payload, sign(payload, secret));
    expect(late.body.data.status).toBe('duplicate');

    const ledger = await ledgerRows(t, tenantId);
    expect(ledger.filter((r) => r.id === event.id)).toHaveLength(1);
    expect(await jobsFor(event.id)).toBe(1);
    expect(await auditForEvent(t, tenantId, event.id)).toHaveLength(1);
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({ planId: 'pro', status: 'trialing', trialAvailable: false });
  });
});

describe('order', () => {
  let tenantId = '';
  const SUB = 'sub_order';
  const t0 = clock.nowSeconds();

  beforeAll(async () => {
    tenantId = await createTenant(t.app, owner, 'Order Co');
  });

  it('`updated` delivered before `created`: the newer update wins, the older create is stale', async () => {
    const created = stripeEvent('customer.subscription.created', subscription(tenantId, SUB, { quantity: 1 }), { created: t0 });
    const updated = stripeEvent('customer.subscription.updated', subscription(tenantId, SUB, { quantity: 2, cancelAtPeriodEnd: true }), {
      created: t0 + 10,
    });
    await deliver(t.app, secret, updated);
    expect(await processed(t, tenantId, updated.id)).toBe('applied');
    await deliver(t.app, secret, created);
    expect(await processed(t, tenantId, created.id)).toBe('stale');
    const sub = await getSubscription(t.app, owner, tenantId);
    expect(sub).toMatchObject({ planId: 'pro', status: 'active', seats: 2, cancelAtPeriodEnd: true });
    expect(await auditForEvent(t, tenantId, updated.id)).toHaveLength(1);
    expect(await auditForEvent(t, tenantId, created.id)).toHaveLength(0);
  });

  it('an old `updated` arriving after a newer one changes nothing', async () => {
    const old = stripeEvent('customer.subscription.updated', subscription(tenantId, SUB, { quantity: 5 }), { created: t0 + 5 });
    await deliver(t.app, secret, old);
    expect(await processed(t, tenantId, old.id)).toBe('stale');
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({ seats: 2, cancelAtPeriodEnd: true });
    const row = await subscriptionRow(t, tenantId);
    expect(row?.lastEventAt?.getTime()).toBe((t0 + 10) * 1000);
    expect(row?.lastEventType).toBe('customer.subscription.updated');
  });

  it('a newer `updated` applies', async () => {
    const newer = stripeEvent('customer.subscription.updated', subscription(tenantId, SUB, { quantity: 3 }), { created: t0 + 20 });
    await deliver(t.app, secret, newer);
    expect(await processed(t, tenantId, newer.id)).toBe('applied');
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({ seats: 3, cancelAtPeriodEnd: false });
  });

  it('same second: `deleted` beats `updated`, whichever arrives first', async () => {
    const at = t0 + 30;
    const deleted = stripeEvent('customer.subscription.deleted', subscription(tenantId, SUB, { status: 'canceled' }), { created: at });
    const updated = stripeEvent('customer.subscription.updated', subscription(tenantId, SUB, { quantity: 9 }), { created: at });
    await deliver(t.app, secret, deleted);
    expect(await processed(t, tenantId, deleted.id)).toBe('applied');
    await deliver(t.app, secret, updated);
    expect(await processed(t, tenantId, updated.id)).toBe('stale');
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({ planId: 'free', status: 'canceled', subscribedPlanId: 'free' });
  });

  it('same second the other way round: `updated` first, then `deleted` still applies; `created` after them is stale', async () => {
    const other = await createTenant(t.app, owner, 'Tie Co');
    const at = t0 + 40;
    const updated = stripeEvent('customer.subscription.updated', subscription(other, 'sub_tie', { quantity: 4 }), { created: at });
    const deleted = stripeEvent('customer.subscription.deleted', subscription(other, 'sub_tie', { status: 'canceled' }), { created: at });
    const created = stripeEvent('customer.subscription.created', subscription(other, 'sub_tie'), { created: at });
    for (const [e, outcome] of [
      [updated, 'applied'],
      [deleted, 'applied'],
      [created, 'stale'],
    ] as const) {
      await deliver(t.app, secret, e);
      expect(await processed(t, other, e.id), e.type).toBe(outcome);
    }
    expect(await getSubscription(t.app, owner, other)).toMatchObject({ planId: 'free', status: 'canceled' });
  });
});

describe('refused deliveries', () => {
  let tenantId = '';
  const SUB = 'sub_refused';

  beforeAll(async () => {
    tenantId = await createTenant(t.app, owner, 'Refused Co');
    const good = stripeEvent('customer.subscription.created', subscription(tenantId, SUB, { status: 'active' }));
    await deliver(t.app, secret, good);
    expect(await processed(t, tenantId, good.id)).toBe('applied');
  });

  const expect400 = (res: Awaited<ReturnType<typeof postWebhook>>) => {
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      error: { code: 'validation_error', message: expect.any(String), requestId: expect.any(String) },
    });
  };

  const deletion = () =>
    stripeEvent('customer.subscription.deleted', subscription(tenantId, SUB, { status: 'canceled' }), { created: clock.nowSeconds() + 60 });

  it('a timestamp older than 300 s is refused', async () => {
    const event = deletion();
    const payload = JSON.stringify(event);
    expect400(await postWebhook(t.app, payload, sign(payload, secret, Math.floor(Date.now() / 1000) - 301)));
    // Just inside the tolerance is accepted (the window is exactly 300 s).
    const fresh = deletion();
    const freshPayload = JSON.stringify({ ...fresh, type: 'customer.created' });
    const ok = await postWebhook(t.app, freshPayload, sign(freshPayload, secret, Math.floor(Date.now() / 1000) - 290));
    expect(ok.status).toBe(200);
    expect(ok.body.data.status).toBe('ignored');
    expect((await ledgerRows(t, tenantId)).map((r) => r.id)).not.toContain(event.id);
  });

  it('a tampered body (signed, then changed) is refused', async () => {
    const event = stripeEvent('customer.subscription.updated', subscription(tenantId, SUB, { quantity: 1 }));
    const payload = JSON.stringify(event);
    const signature = sign(payload, secret);
    const tampered = payload.replace('"quantity":1', '"quantity":500');
    expect(tampered).not.toBe(payload);
    expect400(await postWebhook(t.app, tampered, signature));
    // Whitespace counts too: the signature covers the exact bytes.
    expect400(await postWebhook(t.app, JSON.stringify(event, null, 2), signature));
    expect((await ledgerRows(t, tenantId)).map((r) => r.id)).not.toContain(event.id);
  });

  it('a signature made with another secret, a missing or malformed signature: refused', async () => {
    const event = deletion();
    const payload = JSON.stringify(event);
    expect400(await postWebhook(t.app, payload, sign(payload, 'whsec_not_the_right_one')));
    expect400(await postWebhook(t.app, payload, undefined));
    expect400(await postWebhook(t.app, payload, 'garbage'));
    expect400(await postWebhook(t.app, payload, `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`));
    expect((await ledgerRows(t, tenantId)).map((r) => r.id)).not.toContain(event.id);
  });

  it('a correctly signed body that is not an event is refused', async () => {
    for (const payload of ['{"hello":"world"}', 'not json at all']) {
      expect400(await postWebhook(t.app, payload, sign(payload, secret)));
    }
  });

  it('after all that, the state is the one the valid events made', async () => {
    expect(await getSubscription(t.app, owner, tenantId)).toMatchObject({
      planId: 'pro',
      status: 'active',
      seats: 1,
      cancelAtPeriodEnd: false,
    });
    const ledger = await ledgerRows(t, tenantId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]?.outcome).toBe('applied');
  });

  it('event types billing does not handle, and events for no known tenant, are acknowledged and ignored', async () => {
    const other = stripeEvent('customer.created', { id: 'cus_x', object: 'customer', metadata: { tenantId } });
    const res = await deliver(t.app, secret, other);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ received: true, status: 'ignored', eventId: other.id });
    const stranger = stripeEvent('customer.subscription.updated', subscription('ten_doesnotexist', 'sub_stranger'));
    const res2 = await deliver(t.app, secret, stranger);
    expect(res2.status).toBe(200);
    expect(res2.body.data.status).toBe('ignored');
    expect((await ledgerRows(t, tenantId)).map((r) => r.id)).toEqual(expect.not.arrayContaining([other.id, stranger.id]));
  });
});
