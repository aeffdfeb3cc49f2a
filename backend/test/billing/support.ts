/**
 * Shared steps for the billing tests: API calls as a user, Stripe-shaped events signed the way Stripe
 * signs them (`stripe.webhooks.generateTestHeaderString`), and reads of what billing left behind
 * (ledger, audit rows, tenant events), made in the tenant's own scope under RLS.
 */
import { and, eq, like, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import Stripe from 'stripe';
import { expect } from 'vitest';
import { auditLogs, billingEvents, subscriptions, tasks, tenantEvents } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { clock } from '../../src/lib/clock.ts';
import type { AppInstance } from '../../src/types.ts';
import type { TestApp } from '../helpers/app.ts';
import type { TestUser } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Res<T = unknown> {
  status: number;
  body: { success: boolean; data: T; error: { code: string; message: string; details?: unknown; requestId: string } };
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

export const tenantUrl = (tenantId: string, rest = '') => `/api/v1/tenants/${tenantId}${rest}`;

export async function call<T = unknown>(
  app: AppInstance,
  user: TestUser | null,
  method: Method,
  url: string,
  payload?: unknown,
): Promise<Res<T>> {
  const raw = await app.inject({
    method,
    url,
    headers: { ...(user ? user.h : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  let body: Res<T>['body'];
  try {
    body = raw.json();
  } catch {
    throw new Error(`${method} ${url}: not JSON (${raw.statusCode}): ${raw.body.slice(0, 300)}`);
  }
  return { status: raw.statusCode, body, headers: raw.headers, raw };
}

export async function ok<T = unknown>(
  app: AppInstance,
  user: TestUser | null,
  method: Method,
  url: string,
  payload?: unknown,
  status = 200,
) {
  const res = await call<T>(app, user, method, url, payload);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body.success).toBe(true);
  return res.body.data;
}

export function expectError(res: Res, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String), requestId: expect.any(String) } });
}

export interface UsageLineDto {
  used: number;
  limit: number;
  unlimited: boolean;
  overLimit: boolean;
}

export interface SubscriptionDto {
  planId: string;
  planName: string;
  subscribedPlanId: string;
  status: string;
  interval: string | null;
  provider: string | null;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  trialEnd: string | null;
  trialAvailable: boolean;
  seats: number;
  pastDue: boolean;
  graceUntil: string | null;
  inGracePeriod: boolean;
  downgraded: boolean;
  entitlements: { features: Record<string, boolean>; limits: Record<string, number> };
  usage: Record<'members' | 'projects' | 'tasks' | 'ai_tokens_per_month', UsageLineDto>;
  overLimit: boolean;
}

export const getSubscription = (app: AppInstance, user: TestUser, tenantId: string) =>
  ok<SubscriptionDto>(app, user, 'GET', tenantUrl(tenantId, '/subscription'));

// ---- signed events ------------------------------------------------------------------------------

export function sign(payload: string, secret: string, timestamp?: number) {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp !== undefined ? { timestamp } : {}) });
}

export async function postWebhook(app: AppInstance, payload: string, signature: string | undefined) {
  const raw = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/stripe',
    headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'stripe-signature': signature } : {}) },
    payload,
  });
  return { status: raw.statusCode, body: raw.json() as Res<{ received: true; status: string; eventId?: string }>['body'] };
}

/** Signs `event` with `secret` and posts it; returns the response. */
export async function deliver(app: AppInstance, secret: string, event: object, timestamp?: number) {
  const payload = JSON.stringify(event);
  return postWebhook(app, payload, sign(payload, secret, timestamp));
}

let eventCounter = 0;
export const eventId = (label: string) => `evt_test_${label}_${Date.now().toString(36)}_${++eventCounter}`;

export function stripeEvent(type: string, object: Record<string, unknown>, opts: { id?: string; created?: number } = {}) {
  return {
    id: opts.id ?? eventId(type.replaceAll('.', '_')),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: opts.created ?? clock.nowSeconds(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export interface SubscriptionShape {
  id: string;
  customer: string;
  tenantId: string;
  priceId: string;
  interval?: 'month' | 'year';
  status?: string;
  periodStart: number;
  periodEnd: number;
  cancelAtPeriodEnd?: boolean;
  trialEnd?: number | null;
  quantity?: number;
  planId?: string;
}

/** A subscription object as Stripe sends it (periods on the item, as in current API versions). */
export function subscriptionObject(s: SubscriptionShape) {
  return {
    id: s.id,
    object: 'subscription',
    customer: s.customer,
    status: s.status ?? 'active',
    cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
    cancel_at: s.cancelAtPeriodEnd ? s.periodEnd : null,
    canceled_at: s.status === 'canceled' ? s.periodEnd : null,
    ended_at: s.status === 'canceled' ? s.periodEnd : null,
    created: s.periodStart,
    start_date: s.periodStart,
    currency: 'usd',
    livemode: false,
    trial_end: s.trialEnd ?? null,
    trial_start: s.trialEnd ? s.periodStart : null,
    metadata: { tenantId: s.tenantId, ...(s.planId ? { planId: s.planId } : {}) },
    items: {
      object: 'list',
      has_more: false,
      data: [
        {
          id: `si_${s.id}`,
          object: 'subscription_item',
          subscription: s.id,
          quantity: s.quantity ?? 1,
          current_period_start: s.periodStart,
          current_period_end: s.periodEnd,
          price: {
            id: s.priceId,
            object: 'price',
            currency: 'usd',
            unit_amount: 1200,
            recurring: { interval: s.interval ?? 'month', interval_count: 1 },
          },
        },
      ],
    },
  };
}

export function invoiceObject(i: {
  id?: string;
  customer: string;
  subscription: string;
  tenantId: string;
  status?: string;
  amount?: number;
}) {
  return {
    id: i.id ?? `in_${Math.random().toString(36).slice(2, 12)}`,
    object: 'invoice',
    customer: i.customer,
    status: i.status ?? 'paid',
    currency: 'usd',
    amount_due: i.amount ?? 1200,
    amount_paid: i.status === 'open' ? 0 : (i.amount ?? 1200),
    billing_reason: 'subscription_cycle',
    livemode: false,
    parent: { type: 'subscription_details', subscription_details: { subscription: i.subscription, metadata: { tenantId: i.tenantId } } },
  };
}

// ---- reading what billing left behind --------------------------------------------------------------

export async function ledgerRows(t: TestApp, tenantId: string) {
  return withTenant(t.database.db, { tenantId }, (tx) => tx.select().from(billingEvents).where(eq(billingEvents.tenantId, tenantId)));
}

/** Waits until the ledger row of `eventId` is processed (the job ran) and returns its outcome. */
export async function processed(t: TestApp, tenantId: string, id: string): Promise<string> {
  return waitFor(async () => {
    const rows = await withTenant(t.database.db, { tenantId }, (tx) =>
      tx
        .select()
        .from(billingEvents)
        .where(and(eq(billingEvents.tenantId, tenantId), eq(billingEvents.id, id))),
    );
    return rows[0]?.processedAt ? (rows[0].outcome ?? 'none') : undefined;
  });
}

export async function billingAudit(t: TestApp, tenantId: string, action?: string) {
  return withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), action ? eq(auditLogs.action, action) : like(auditLogs.action, 'billing.%')))
      .orderBy(auditLogs.createdAt, auditLogs.id),
  );
}

/** Audit rows written for one webhook event id. */
export async function auditForEvent(t: TestApp, tenantId: string, id: string) {
  return withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), sql`${auditLogs.metadata} ->> 'eventId' = ${id}`)),
  );
}

export async function subscriptionEvents(t: TestApp, tenantId: string) {
  return withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select()
      .from(tenantEvents)
      .where(and(eq(tenantEvents.tenantId, tenantId), eq(tenantEvents.type, 'subscription.updated'))),
  );
}

export async function subscriptionRow(t: TestApp, tenantId: string) {
  const [row] = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx.select().from(subscriptions).where(eq(subscriptions.tenantId, tenantId)),
  );
  return row;
}

export async function countTaskRows(t: TestApp, tenantId: string) {
  const [row] = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx.select({ n: sql<number>`count(*)::int` }).from(tasks).where(eq(tasks.tenantId, tenantId)),
  );
  return row?.n ?? 0;
}

/** Moves the application clock (and runs the billing lifecycle) through the dev route. */
export async function advanceClock(app: AppInstance, seconds: number) {
  return ok<{ now: string; offsetSeconds: number; lifecycle: { checked: number; eventsSent: number; downgraded: number } }>(
    app,
    null,
    'POST',
    '/api/v1/dev/clock',
    { advanceSeconds: seconds },
  );
}

export const DAY = 24 * 3600;

/** Buys `planId` through the offline checkout, as a browser would: open the page, press "Complete purchase". */
export async function buyOffline(
  app: AppInstance,
  user: TestUser,
  tenantId: string,
  planId: 'pro' | 'business' = 'pro',
  interval = 'monthly',
) {
  const { url } = await ok<{ url: string }>(app, user, 'POST', tenantUrl(tenantId, '/billing/checkout'), { planId, interval });
  const path = new URL(url).pathname;
  const page = await app.inject({ method: 'GET', url: path });
  expect(page.statusCode, page.body).toBe(200);
  const done = await app.inject({
    method: 'POST',
    url: `${path}/complete`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'outcome=success',
  });
  expect(done.statusCode, done.body).toBe(303);
  return { url, path, page, done };
}
