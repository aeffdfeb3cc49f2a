/**
 * The offline checkout page and its two buttons. "Complete purchase" lets the offline provider send
 * the events Stripe would (signed, through the webhook) and returns once they are applied, so the
 * workspace is on its new plan when the browser lands back on the billing page.
 */
import { withScope } from '../../db/tenant.ts';
import { findPlan } from '../plans/plans.repository.ts';
import type { Billing } from './billing.runtime.ts';
import { type CheckoutPageModel, formatPrice } from './offline-page.ts';
import type { OfflineSession } from './providers/offline.ts';

function sessionOf(billing: Billing, token: string): OfflineSession | undefined {
  if (!billing.config.billing.offlineCheckoutEnabled) return undefined;
  return billing.offline?.readSession(token);
}

export async function describeOfflineCheckout(billing: Billing, token: string, error?: string): Promise<CheckoutPageModel | undefined> {
  const session = sessionOf(billing, token);
  if (!session) return undefined;
  const plan = await withScope(billing.db, {}, (tx) => findPlan(tx, session.planId), { lookup: true });
  if (!plan) return undefined;
  const cents = session.interval === 'monthly' ? plan.priceMonthlyCents : plan.priceYearlyCents;
  const billingPage = `${billing.config.webUrl}/w/${session.tenantId}/billing`;
  return {
    planName: plan.name,
    intervalLabel: session.interval === 'monthly' ? 'Monthly' : 'Yearly',
    priceLabel: `${formatPrice(cents, plan.currency)} per ${session.interval === 'monthly' ? 'month' : 'year'}`,
    trialDays: session.trialDays,
    actionUrl: `/api/v1/billing/offline/checkout/${token}/complete`,
    cancelUrl: `${billingPage}?checkout=canceled`,
    ...(error ? { error } : {}),
  };
}

export type OfflineCompletion =
  | { kind: 'redirect'; location: string }
  | { kind: 'declined'; page: CheckoutPageModel }
  | { kind: 'invalid' };

export async function completeOfflineCheckout(billing: Billing, token: string, outcome: 'success' | 'decline'): Promise<OfflineCompletion> {
  const session = sessionOf(billing, token);
  const offline = billing.offline;
  if (!session || !offline) return { kind: 'invalid' };
  if (outcome === 'decline') {
    // As on Stripe Checkout: the card is declined, nothing is created, the customer may try again.
    const page = await describeOfflineCheckout(billing, token, 'Your card was declined. Nothing was charged; try again or go back.');
    return page ? { kind: 'declined', page } : { kind: 'invalid' };
  }
  await offline.completeCheckout(session);
  return { kind: 'redirect', location: `${billing.config.webUrl}/w/${session.tenantId}/billing?checkout=success` };
}
