/**
 * Reading Stripe-shaped objects (from webhook events or API responses) into what Atrium keeps. Both
 * providers speak this shape. Written against the SDK's API version, with fallbacks for fields that
 * older API versions kept elsewhere (e.g. `current_period_end` on the subscription itself).
 */
import type Stripe from 'stripe';
import type { BillingInterval, SubscriptionStatus } from '../../../db/schema/index.ts';
import type { ProviderSubscription, WebhookEvent } from './types.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const date = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000));
/** An id, whether the field holds the id or the expanded object. */
const idOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v.id) : null);

/** Stripe's statuses onto Atrium's five. */
export function mapStatus(status: string): SubscriptionStatus {
  switch (status) {
    case 'trialing':
    case 'active':
    case 'past_due':
    case 'canceled':
    case 'incomplete':
      return status;
    case 'unpaid':
      return 'past_due';
    case 'incomplete_expired':
      return 'canceled';
    default:
      // paused (a trial ended without a payment method) and anything new: no paid features.
      return 'incomplete';
  }
}

export function toInterval(recurring: unknown): BillingInterval | null {
  if (!isObj(recurring)) return null;
  if (recurring.interval === 'month') return 'monthly';
  if (recurring.interval === 'year') return 'yearly';
  return null;
}

export const stripeIntervalOf = (interval: BillingInterval) => (interval === 'monthly' ? 'month' : 'year');

function metadataOf(v: unknown): Record<string, string> {
  if (!isObj(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A Stripe subscription object → ProviderSubscription. */
export function normalizeSubscription(input: Stripe.Subscription | Obj): ProviderSubscription {
  const s = input as Obj;
  const items = isObj(s.items) && Array.isArray(s.items.data) ? (s.items.data as unknown[]).filter(isObj) : [];
  const first = items[0];
  const price = first && isObj(first.price) ? first.price : undefined;
  const periodStart = num(first?.current_period_start) ?? num(s.current_period_start);
  const periodEnd = num(first?.current_period_end) ?? num(s.current_period_end);
  const cancelAt = num(s.cancel_at);
  const seats = items.reduce((sum, item) => sum + (num(item.quantity) ?? 1), 0) || 1;
  const providerStatus = str(s.status) ?? 'incomplete';
  return {
    id: str(s.id) ?? '',
    customerId: idOf(s.customer),
    status: mapStatus(providerStatus),
    providerStatus,
    priceId: price ? str(price.id) : null,
    interval: price ? toInterval(price.recurring) : null,
    currentPeriodStart: date(periodStart),
    currentPeriodEnd: date(periodEnd),
    // Newer API versions express "cancel at the end of the period" (e.g. from the portal) as cancel_at.
    cancelAtPeriodEnd: s.cancel_at_period_end === true || (cancelAt !== null && providerStatus !== 'canceled'),
    canceledAt: date(num(s.canceled_at) ?? num(s.ended_at)),
    trialEnd: date(num(s.trial_end)),
    seats,
    metadata: metadataOf(s.metadata),
  };
}

/** The subscription an invoice belongs to (`parent.subscription_details`, or the older top-level field). */
export function invoiceSubscriptionId(invoice: Obj): string | null {
  const parent = isObj(invoice.parent) ? invoice.parent : undefined;
  const details = parent && isObj(parent.subscription_details) ? parent.subscription_details : undefined;
  return idOf(details?.subscription) ?? idOf(invoice.subscription);
}

/** What an event says about whose it is: customer, subscription and the tenant id we put in metadata. */
export function eventRefs(event: WebhookEvent): { customerId: string | null; subscriptionId: string | null; tenantId: string | null } {
  const o = event.data.object;
  if (event.type.startsWith('checkout.session.')) {
    return {
      customerId: idOf(o.customer),
      subscriptionId: idOf(o.subscription),
      tenantId: str(o.client_reference_id) ?? metadataOf(o.metadata).tenantId ?? null,
    };
  }
  if (event.type.startsWith('customer.subscription.')) {
    return { customerId: idOf(o.customer), subscriptionId: str(o.id), tenantId: metadataOf(o.metadata).tenantId ?? null };
  }
  if (event.type.startsWith('invoice.')) {
    const parent = isObj(o.parent) ? o.parent : undefined;
    const details = parent && isObj(parent.subscription_details) ? parent.subscription_details : undefined;
    return {
      customerId: idOf(o.customer),
      subscriptionId: invoiceSubscriptionId(o),
      tenantId: metadataOf(details?.metadata).tenantId ?? metadataOf(o.metadata).tenantId ?? null,
    };
  }
  return { customerId: null, subscriptionId: null, tenantId: null };
}

export function checkoutSessionRefs(session: Obj) {
  return { customerId: idOf(session.customer), subscriptionId: idOf(session.subscription), mode: str(session.mode) };
}

/** The minimal shape every event must have; anything else is refused as a bad request. */
export function isWebhookEvent(v: unknown): v is WebhookEvent {
  return (
    isObj(v) &&
    typeof v.id === 'string' &&
    v.id.length > 0 &&
    v.id.length <= 255 &&
    typeof v.type === 'string' &&
    typeof v.created === 'number' &&
    Number.isFinite(v.created) &&
    isObj(v.data) &&
    isObj(v.data.object)
  );
}
