/**
 * The plans, as configuration. The runtime upserts the `plans` table from this list on every start
 * (with the Stripe price ids from the environment); the product then reads plans from the database.
 * Prices are integers in cents; -1 means "unlimited".
 */
import type { BillingConfig } from '../../config.ts';

export interface PlanLimits {
  members: number;
  projects: number;
  tasks: number;
  ai_tokens_per_month: number;
  api_requests_per_minute: number;
  audit_retention_days: number;
}

export interface PlanFeatures {
  api_keys: boolean;
  ai: boolean;
  audit_export: boolean;
  webhooks: boolean;
}

export type PlanId = 'free' | 'pro' | 'business';
export type PaidPlanId = Exclude<PlanId, 'free'>;
export const PAID_PLAN_IDS: readonly PaidPlanId[] = ['pro', 'business'];

/** The first paid plan of a tenant starts with a trial of this many days (once per tenant, ever). */
export const TRIAL_DAYS = 14;

export interface PlanDefinition {
  id: PlanId;
  name: string;
  prices: { monthly: number; yearly: number };
  features: PlanFeatures;
  limits: PlanLimits;
}

export const PLANS: PlanDefinition[] = [
  {
    id: 'free',
    name: 'Free',
    prices: { monthly: 0, yearly: 0 },
    features: { api_keys: false, ai: false, audit_export: false, webhooks: false },
    limits: { members: 10, projects: 3, tasks: 200, ai_tokens_per_month: 0, api_requests_per_minute: 120, audit_retention_days: 7 },
  },
  {
    id: 'pro',
    name: 'Pro',
    prices: { monthly: 1200, yearly: 12000 },
    features: { api_keys: true, ai: true, audit_export: true, webhooks: true },
    limits: {
      members: 25,
      projects: 50,
      tasks: 20_000,
      ai_tokens_per_month: 2_000_000,
      api_requests_per_minute: 600,
      audit_retention_days: 90,
    },
  },
  {
    id: 'business',
    name: 'Business',
    prices: { monthly: 4900, yearly: 49000 },
    features: { api_keys: true, ai: true, audit_export: true, webhooks: true },
    limits: {
      members: -1,
      projects: -1,
      tasks: -1,
      ai_tokens_per_month: 20_000_000,
      api_requests_per_minute: 3000,
      audit_retention_days: 365,
    },
  },
];

/** The catalogue rows the runtime upserts: the plans above plus the configured Stripe price ids. */
export function planCatalogue(billing: Pick<BillingConfig, 'prices'>) {
  return PLANS.map((p, i) => ({
    id: p.id,
    name: p.name,
    priceMonthlyCents: p.prices.monthly,
    priceYearlyCents: p.prices.yearly,
    currency: 'usd',
    stripePriceMonthly: p.id === 'free' ? null : (billing.prices[p.id].monthly ?? null),
    stripePriceYearly: p.id === 'free' ? null : (billing.prices[p.id].yearly ?? null),
    features: p.features,
    limits: p.limits,
    sortOrder: i,
  }));
}

export type PlanCatalogueRow = ReturnType<typeof planCatalogue>[number];
