/**
 * Stripe, through the official SDK. Card data never touches Atrium: customers pay on Stripe Checkout
 * and manage their payment methods in the Stripe customer portal; Atrium learns the outcome from
 * signed webhook events. STRIPE_API_BASE points the SDK at another host (tests run a local fake).
 */
import Stripe from 'stripe';
import type { BillingConfig } from '../../../config.ts';
import { normalizeSubscription } from './stripe-objects.ts';
import {
  type BillingProvider,
  type CheckoutInput,
  type LocalSubscription,
  ProviderError,
  type ProviderSubscription,
  type WebhookEvent,
} from './types.ts';

export const WEBHOOK_TOLERANCE_SECONDS = 300;

export class StripeProvider implements BillingProvider {
  readonly name = 'stripe' as const;
  readonly stateless = false;
  private readonly stripe: Stripe;
  private readonly webhookSecret: string | undefined;

  constructor(billing: BillingConfig) {
    if (!billing.stripe) throw new Error('StripeProvider needs STRIPE_SECRET_KEY');
    const api = billing.stripe.api;
    this.stripe = new Stripe(billing.stripe.secretKey, {
      ...(api ? { host: api.host, port: api.port, protocol: api.protocol } : {}),
      maxNetworkRetries: 2,
      // Per attempt (STRIPE_TIMEOUT_MS, default 10 s): a hanging Stripe costs a request at most three
      // attempts plus the SDK's short backoff, then the caller gets a 503.
      timeout: billing.stripe.timeoutMs,
      telemetry: false,
      appInfo: { name: 'Atrium' },
    });
    this.webhookSecret = billing.webhookSecret;
  }

  async createCustomer(input: { tenantId: string; name: string }) {
    // The same key for the same tenant: a retried or concurrent first checkout cannot create two customers.
    const customer = await this.stripe.customers.create(
      { name: input.name, metadata: { tenantId: input.tenantId } },
      { idempotencyKey: `customer:${input.tenantId}` },
    );
    return { id: customer.id };
  }

  async createCheckoutSession(input: CheckoutInput) {
    if (!input.priceId) throw new ProviderError(`No Stripe price is configured for ${input.planId} (${input.interval})`);
    const metadata = { tenantId: input.tenantId, planId: input.planId, interval: input.interval };
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: input.customerId,
      client_reference_id: input.tenantId,
      line_items: [{ price: input.priceId, quantity: 1 }],
      subscription_data: { metadata, ...(input.trialDays > 0 ? { trial_period_days: input.trialDays } : {}) },
      metadata,
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    });
    if (!session.url) throw new ProviderError('Stripe returned a checkout session without a URL');
    return { id: session.id, url: session.url };
  }

  async createPortalSession(input: { tenantId: string; customerId: string; returnUrl: string }) {
    const session = await this.stripe.billingPortal.sessions.create({ customer: input.customerId, return_url: input.returnUrl });
    return { url: session.url };
  }

  async setCancelAtPeriodEnd(input: { subscription: LocalSubscription; cancel: boolean }): Promise<ProviderSubscription> {
    const id = input.subscription.providerSubscriptionId;
    if (!id) throw new ProviderError('The subscription has no Stripe id');
    return normalizeSubscription(await this.stripe.subscriptions.update(id, { cancel_at_period_end: input.cancel }));
  }

  async retrieveSubscription(subscriptionId: string): Promise<ProviderSubscription | undefined> {
    try {
      return normalizeSubscription(await this.stripe.subscriptions.retrieve(subscriptionId));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  verifyWebhook(rawBody: Buffer, signature: string): WebhookEvent {
    if (!this.webhookSecret) throw new ProviderError('STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified');
    return this.stripe.webhooks.constructEvent(
      rawBody,
      signature,
      this.webhookSecret,
      WEBHOOK_TOLERANCE_SECONDS,
    ) as unknown as WebhookEvent;
  }
}
