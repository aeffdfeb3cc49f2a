/**
 * The offline provider: billing without Stripe keys (local development, demos, tests).
 *
 * - Checkout is a page of our own API (`GET /api/v1/billing/offline/checkout/:sessionToken`). The
 *   session token is stateless: tenant, plan, interval, trial and expiry, HMAC-signed with a key
 *   derived from AUTH_SECRET.
 * - "Complete purchase" plays Stripe: it builds the events Stripe would send (checkout.session.completed,
 *   customer.subscription.created, invoice.paid), signs them with the offline webhook secret exactly as
 *   Stripe signs (`Stripe.webhooks.generateTestHeaderString`) and posts them to the same webhook
 *   handler. Their ids derive from the session, so completing twice is a duplicate delivery.
 * - When time passes (the lifecycle job, or the dev clock) it sends the renewal or the period-end
 *   cancellation the same way.
 * No card data exists anywhere in this flow.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import type { AppConfig } from '../../../config.ts';
import type { BillingInterval } from '../../../db/schema/index.ts';
import { clock } from '../../../lib/clock.ts';
import { PLANS } from '../../plans/plans.config.ts';
import { WEBHOOK_TOLERANCE_SECONDS } from './stripe.ts';
import { normalizeSubscription, stripeIntervalOf } from './stripe-objects.ts';
import type { BillingProvider, CheckoutInput, LocalSubscription, ProviderSubscription, WebhookEvent } from './types.ts';

/** How the offline provider hands its events to the webhook handler, and waits for their effect. */
export interface OfflineDelivery {
  /** Posts one signed event to the webhook endpoint. */
  deliver(payload: string, signature: string): Promise<void>;
  /** Applies the tenant's received, not yet processed events now (instead of waiting for the job). */
  settle(tenantId: string): Promise<void>;
}

export interface OfflineSession {
  tenantId: string;
  planId: 'pro' | 'business';
  interval: BillingInterval;
  trialDays: number;
  /** Seconds since the epoch (application clock). */
  expiresAt: number;
  nonce: string;
  token: string;
}

export const OFFLINE_SESSION_TTL_SECONDS = 3600;
const DAY = 24 * 3600;

const digest = (text: string, length = 24) => createHash('sha256').update(text).digest('base64url').replace(/[-_]/g, '').slice(0, length);

/** Adds one billing interval (calendar month or year, UTC). */
export function addInterval(from: Date, interval: BillingInterval): Date {
  const d = new Date(from.getTime());
  if (interval === 'monthly') d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d;
}

const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

export class OfflineProvider implements BillingProvider {
  readonly name = 'offline' as const;
  readonly stateless = true;
  private readonly config: AppConfig;
  private readonly delivery: OfflineDelivery;
  private readonly sessionKey: Buffer;

  constructor(config: AppConfig, delivery: OfflineDelivery) {
    this.config = config;
    this.delivery = delivery;
    this.sessionKey = createHmac('sha256', config.auth.secret).update('atrium-offline-checkout-session').digest();
  }

  private get webhookSecret(): string {
    return this.config.billing.webhookSecret as string;
  }

  priceIdOf(planId: 'pro' | 'business', interval: BillingInterval): string {
    return this.config.billing.prices[planId][interval] ?? `price_offline_${planId}_${interval}`;
  }

  // ---- the provider interface ------------------------------------------------------------------

  async createCustomer(input: { tenantId: string; name: string }) {
    // Derived from the tenant: the same tenant always gets the same customer.
    return { id: `cus_offline_${digest(`customer:${input.tenantId}`)}` };
  }

  async createCheckoutSession(input: CheckoutInput) {
    const token = this.signSession({
      tenantId: input.tenantId,
      planId: input.planId,
      interval: input.interval,
      trialDays: input.trialDays,
      expiresAt: clock.nowSeconds() + OFFLINE_SESSION_TTL_SECONDS,
      nonce: randomBytes(6).toString('base64url'),
    });
    return { id: `cs_offline_${digest(token)}`, url: `${this.config.webUrl}/api/v1/billing/offline/checkout/${token}` };
  }

  async createPortalSession(input: { tenantId: string; customerId: string; returnUrl: string }) {
    // There is no hosted portal offline: the billing page itself offers cancel and resume.
    return { url: `${this.config.webUrl}/w/${input.tenantId}/billing?portal=offline` };
  }

  async setCancelAtPeriodEnd(input: { subscription: LocalSubscription; cancel: boolean }): Promise<ProviderSubscription> {
    return normalizeSubscription(this.subscriptionObject(input.subscription, { cancelAtPeriodEnd: input.cancel }));
  }

  async retrieveSubscription(): Promise<ProviderSubscription | undefined> {
    // The offline provider keeps no state of its own: the local subscription is the only truth.
    return undefined;
  }

  verifyWebhook(rawBody: Buffer, signature: string): WebhookEvent {
    return Stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret, WEBHOOK_TOLERANCE_SECONDS) as unknown as WebhookEvent;
  }

  async advanceTime(sub: LocalSubscription, now: Date): Promise<number> {
    if (!sub.providerSubscriptionId || !sub.currentPeriodEnd || !sub.interval || sub.planId === 'free') return 0;
    if (sub.currentPeriodEnd.getTime() > now.getTime()) return 0;
    if (sub.status !== 'active' && sub.status !== 'trialing') return 0;
    const periodKey = seconds(sub.currentPeriodEnd);
    if (sub.cancelAtPeriodEnd) {
      // The period ended on a subscription set to cancel: Stripe deletes it.
      const object = this.subscriptionObject(sub, { status: 'canceled', cancelAtPeriodEnd: false, endedAt: sub.currentPeriodEnd });
      await this.send(sub.tenantId, [
        this.event(`deleted:${sub.providerSubscriptionId}:${periodKey}`, 'customer.subscription.deleted', object),
      ]);
      return 1;
    }
    // Renewal: one paid invoice for the period that contains `now`, then the subscription moves on.
    let start = sub.currentPeriodEnd;
    let end = addInterval(start, sub.interval);
    while (end.getTime() <= now.getTime()) {
      start = end;
      end = addInterval(start, sub.interval);
    }
    const object = this.subscriptionObject(sub, { status: 'active', periodStart: start, periodEnd: end });
    const invoice = this.invoiceObject(sub, 'subscription_cycle', start, end, this.amountOf(sub.planId, sub.interval));
    await this.send(sub.tenantId, [
      this.event(`renew-invoice:${sub.providerSubscriptionId}:${periodKey}`, 'invoice.paid', invoice),
      this.event(`renew:${sub.providerSubscriptionId}:${periodKey}`, 'customer.subscription.updated', object),
    ]);
    return 2;
  }

  // ---- the offline checkout ----------------------------------------------------------------------

  /** The session a token stands for, if its signature holds and it has not expired. */
  readSession(token: string): OfflineSession | undefined {
    const [body, mac] = token.split('.');
    if (!body || !mac || token.split('.').length !== 2) return undefined;
    const expected = createHmac('sha256', this.sessionKey).update(body).digest().subarray(0, 16);
    let given: Buffer;
    try {
      given = Buffer.from(mac, 'base64url');
    } catch {
      return undefined;
    }
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const [version, tenantId, planId, interval, trialDays, expiresAt, nonce] = Buffer.from(body, 'base64url').toString('utf8').split('|');
    if (version !== '1' || !tenantId || (planId !== 'pro' && planId !== 'business') || (interval !== 'm' && interval !== 'y'))
      return undefined;
    const session: OfflineSession = {
      tenantId,
      planId,
      interval: interval === 'm' ? 'monthly' : 'yearly',
      trialDays: Number(trialDays),
      expiresAt: Number(expiresAt),
      nonce: nonce ?? '',
      token,
    };
    if (!Number.isInteger(session.trialDays) || !Number.isInteger(session.expiresAt) || session.expiresAt < clock.nowSeconds())
      return undefined;
    return session;
  }

  private signSession(s: Omit<OfflineSession, 'token'>): string {
    const body = Buffer.from(
      ['1', s.tenantId, s.planId, s.interval === 'monthly' ? 'm' : 'y', String(s.trialDays), String(s.expiresAt), s.nonce].join('|'),
    ).toString('base64url');
    const mac = createHmac('sha256', this.sessionKey).update(body).digest().subarray(0, 16).toString('base64url');
    return `${body}.${mac}`;
  }

  amountOf(planId: string, interval: BillingInterval): number {
    const plan = PLANS.find((p) => p.id === planId);
    return plan ? plan.prices[interval] : 0;
  }

  /**
   * "Complete purchase": the three events Stripe sends for a successful subscription checkout, signed
   * and delivered to the webhook, then applied before this returns.
   */
  async completeCheckout(session: OfflineSession): Promise<void> {
    const now = clock.now();
    const key = digest(session.token, 20);
    const customer = (await this.createCustomer({ tenantId: session.tenantId, name: '' })).id;
    const trial = session.trialDays > 0;
    const periodEnd = trial ? new Date(now.getTime() + session.trialDays * DAY * 1000) : addInterval(now, session.interval);
    const sub: LocalSubscription = {
      tenantId: session.tenantId,
      planId: session.planId,
      interval: session.interval,
      status: trial ? 'trialing' : 'active',
      providerCustomerId: customer,
      providerSubscriptionId: `sub_offline_${key}`,
      currentPeriodStart: now,
      currentPeriodEnd: periodEnd,
      cancelAtPeriodEnd: false,
      trialEnd: trial ? periodEnd : null,
      seats: 1,
    };
    const metadata = { tenantId: session.tenantId, planId: session.planId, interval: session.interval };
    const checkout = {
      id: `cs_offline_${digest(session.token)}`,
      object: 'checkout.session',
      mode: 'subscription',
      status: 'complete',
      payment_status: trial ? 'no_payment_required' : 'paid',
      client_reference_id: session.tenantId,
      customer,
      subscription: sub.providerSubscriptionId,
      metadata,
      livemode: false,
      created: seconds(now),
    };
    const amount = trial ? 0 : this.amountOf(session.planId, session.interval);
    await this.send(session.tenantId, [
      this.event(`checkout:${key}`, 'checkout.session.completed', checkout),
      this.event(`created:${key}`, 'customer.subscription.created', this.subscriptionObject(sub, {})),
      this.event(`invoice:${key}`, 'invoice.paid', this.invoiceObject(sub, 'subscription_create', now, periodEnd, amount)),
    ]);
  }

  // ---- Stripe-shaped objects -------------------------------------------------------------------

  private event(key: string, type: string, object: Record<string, unknown>) {
    return {
      id: `evt_offline_${digest(`${key}:${type}`)}`,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: clock.nowSeconds(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
  }

  /** The subscription as Stripe would show it, built from the local one (plus changes). */
  subscriptionObject(
    sub: LocalSubscription,
    change: { status?: string; cancelAtPeriodEnd?: boolean; periodStart?: Date; periodEnd?: Date; endedAt?: Date },
  ): Record<string, unknown> {
    const planId = sub.planId === 'business' ? 'business' : 'pro';
    const interval = sub.interval ?? 'monthly';
    const periodStart = change.periodStart ?? sub.currentPeriodStart;
    const periodEnd = change.periodEnd ?? sub.currentPeriodEnd;
    const cancel = change.cancelAtPeriodEnd ?? sub.cancelAtPeriodEnd;
    const status = change.status ?? sub.status;
    const id = sub.providerSubscriptionId as string;
    return {
      id,
      object: 'subscription',
      customer: sub.providerCustomerId,
      status,
      cancel_at_period_end: cancel,
      cancel_at: cancel ? seconds(periodEnd) : null,
      canceled_at: change.endedAt ? seconds(change.endedAt) : null,
      ended_at: change.endedAt ? seconds(change.endedAt) : null,
      currency: 'usd',
      livemode: false,
      trial_end: seconds(sub.trialEnd),
      metadata: { tenantId: sub.tenantId, planId, interval },
      items: {
        object: 'list',
        has_more: false,
        data: [
          {
            id: `si_offline_${digest(id, 14)}`,
            object: 'subscription_item',
            subscription: id,
            quantity: sub.seats,
            current_period_start: seconds(periodStart),
            current_period_end: seconds(periodEnd),
            price: {
              id: this.priceIdOf(planId, interval),
              object: 'price',
              currency: 'usd',
              unit_amount: this.amountOf(planId, interval),
              recurring: { interval: stripeIntervalOf(interval), interval_count: 1 },
              product: `prod_offline_${planId}`,
            },
          },
        ],
      },
    };
  }

  private invoiceObject(sub: LocalSubscription, reason: string, periodStart: Date, periodEnd: Date, amount: number) {
    return {
      id: `in_offline_${digest(`${sub.providerSubscriptionId}:${seconds(periodStart)}:${reason}`)}`,
      object: 'invoice',
      customer: sub.providerCustomerId,
      status: 'paid',
      billing_reason: reason,
      currency: 'usd',
      amount_due: amount,
      amount_paid: amount,
      period_start: seconds(periodStart),
      period_end: seconds(periodEnd),
      livemode: false,
      parent: {
        type: 'subscription_details',
        subscription_details: {
          subscription: sub.providerSubscriptionId,
          metadata: { tenantId: sub.tenantId, planId: sub.planId, interval: sub.interval },
        },
      },
    };
  }

  /** Signs each event as Stripe does, posts it to the webhook, then applies what arrived. */
  private async send(tenantId: string, events: Record<string, unknown>[]): Promise<void> {
    for (const event of events) {
      const payload = JSON.stringify(event);
      // Signed with real time, as Stripe does: the webhook checks signatures against the wall clock.
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.webhookSecret });
      await this.delivery.deliver(payload, signature);
    }
    await this.delivery.settle(tenantId);
  }
}
