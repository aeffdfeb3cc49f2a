/**
 * The payment provider behind billing, as one interface: Stripe (the official SDK) or the offline
 * provider (no keys needed; our own checkout page, and it signs and delivers Stripe-shaped webhook
 * events itself). Everything else in billing is provider-agnostic: state changes arrive as
 * Stripe-shaped events through the one webhook handler, whichever provider sent them.
 */
import type { BillingInterval, SubscriptionStatus } from '../../../db/schema/index.ts';

export type ProviderName = 'stripe' | 'offline';

/** A provider subscription, reduced to what Atrium keeps. */
export interface ProviderSubscription {
  id: string;
  customerId: string | null;
  status: SubscriptionStatus;
  /** The provider's own status word (e.g. Stripe's `unpaid`), for logs and audit. */
  providerStatus: string;
  priceId: string | null;
  interval: BillingInterval | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  trialEnd: Date | null;
  seats: number;
  metadata: Record<string, string>;
}

/** A verified webhook event (Stripe's event shape; the offline provider produces the same). */
export interface WebhookEvent {
  id: string;
  type: string;
  /** Seconds since the epoch, provider time. */
  created: number;
  data: { object: Record<string, unknown> };
}

export interface CheckoutInput {
  tenantId: string;
  customerId: string;
  planId: 'pro' | 'business';
  interval: BillingInterval;
  /** The provider price id (Stripe: from configuration). */
  priceId: string | null;
  trialDays: number;
  successUrl: string;
  cancelUrl: string;
}

/** The local subscription as a provider needs it (the offline provider rebuilds Stripe's view from it). */
export interface LocalSubscription {
  tenantId: string;
  planId: string;
  interval: BillingInterval | null;
  status: SubscriptionStatus;
  providerCustomerId: string | null;
  providerSubscriptionId: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  trialEnd: Date | null;
  seats: number;
}

export interface BillingProvider {
  readonly name: ProviderName;
  /** True when the provider keeps no subscription state of its own (offline): nothing to reconcile with. */
  readonly stateless: boolean;
  /** Creates the tenant's customer. Idempotent per tenant (`customer:<tenantId>`). */
  createCustomer(input: { tenantId: string; name: string }): Promise<{ id: string }>;
  createCheckoutSession(input: CheckoutInput): Promise<{ id: string; url: string }>;
  createPortalSession(input: { tenantId: string; customerId: string; returnUrl: string }): Promise<{ url: string }>;
  /** Sets or clears cancel-at-period-end; returns the subscription as the provider now has it. */
  setCancelAtPeriodEnd(input: { subscription: LocalSubscription; cancel: boolean }): Promise<ProviderSubscription>;
  /** The subscription as the provider has it now; undefined when the provider keeps no state of its own. */
  retrieveSubscription(subscriptionId: string): Promise<ProviderSubscription | undefined>;
  /**
   * Verifies the signature over the raw body (300 s tolerance) and returns the event; throws on a
   * bad or missing signature, a stale timestamp or a body that is not the signed one.
   */
  verifyWebhook(rawBody: Buffer, signature: string): WebhookEvent;
  /**
   * Providers without state of their own play the provider's part when time passes: renewals and
   * period-end cancellations, delivered as signed events through the webhook. Returns how many
   * events were delivered.
   */
  advanceTime?(subscription: LocalSubscription, now: Date): Promise<number>;
}

export class ProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
  }
}
