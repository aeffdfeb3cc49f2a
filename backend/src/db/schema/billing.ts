/**
 * Billing: the plan catalogue (seeded on start from modules/plans/plans.config.ts), one subscription
 * per tenant, and the ledger of provider webhook events (each event id once). Subscriptions and the
 * ledger are tenant data under RLS; the catalogue is global and read-only for the application role.
 */
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export interface PlanFeaturesJson {
  api_keys: boolean;
  ai: boolean;
  audit_export: boolean;
  webhooks: boolean;
}

export interface PlanLimitsJson {
  members: number;
  projects: number;
  tasks: number;
  ai_tokens_per_month: number;
  api_requests_per_minute: number;
  audit_retention_days: number;
}

export const plans = pgTable('plans', {
  /** free | pro | business */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Prices in integer cents. */
  priceMonthlyCents: integer('price_monthly_cents').notNull(),
  priceYearlyCents: integer('price_yearly_cents').notNull(),
  currency: text('currency').notNull().default('usd'),
  /** Stripe price ids (from configuration); null when not configured. */
  stripePriceMonthly: text('stripe_price_monthly'),
  stripePriceYearly: text('stripe_price_yearly'),
  features: jsonb('features').$type<PlanFeaturesJson>().notNull(),
  /** -1 means unlimited. */
  limits: jsonb('limits').$type<PlanLimitsJson>().notNull(),
  sortOrder: integer('sort_order').notNull().default(0),
  active: boolean('active').notNull().default(true),
  ...timestamps,
});

export const SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'canceled', 'incomplete'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const BILLING_INTERVALS = ['monthly', 'yearly'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** The subscribed plan (the effective plan may be lower: past grace, period ended, canceled). */
    planId: text('plan_id')
      .notNull()
      .default('free')
      .references(() => plans.id),
    interval: text('interval').$type<BillingInterval>(),
    status: text('status').$type<SubscriptionStatus>().notNull().default('active'),
    /** stripe | offline; null until the first checkout. */
    provider: text('provider').$type<'stripe' | 'offline'>(),
    providerCustomerId: text('provider_customer_id'),
    providerSubscriptionId: text('provider_subscription_id'),
    currentPeriodStart: timestamp('current_period_start', { withTimezone: true }),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    canceledAt: timestamp('canceled_at', { withTimezone: true }),
    trialEnd: timestamp('trial_end', { withTimezone: true }),
    /** A tenant gets one trial, ever. */
    trialUsed: boolean('trial_used').notNull().default(false),
    seats: integer('seats').notNull().default(1),
    pastDueSince: timestamp('past_due_since', { withTimezone: true }),
    graceUntil: timestamp('grace_until', { withTimezone: true }),
    /** Set when a time-based downgrade (grace expired, period ended) was applied; cleared on restore. */
    downgradedAt: timestamp('downgraded_at', { withTimezone: true }),
    /** Order safety: the provider time (`event.created`) and type of the last applied state change. */
    lastEventAt: timestamp('last_event_at', { withTimezone: true }),
    lastEventType: text('last_event_type'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('subscriptions_tenant_key').on(t.tenantId),
    uniqueIndex('subscriptions_provider_customer_key').on(t.provider, t.providerCustomerId),
    uniqueIndex('subscriptions_provider_subscription_key').on(t.provider, t.providerSubscriptionId),
  ],
);

/**
 * Every provider webhook event, once (primary key = the provider's event id). Inserted together with
 * the job that applies it; `processed_at` is set in the same transaction as the event's effect.
 */
export const billingEvents = pgTable(
  'billing_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    type: text('type').notNull(),
    /** `event.created` (provider time). */
    eventCreatedAt: timestamp('event_created_at', { withTimezone: true }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    /** applied | stale | ignored */
    outcome: text('outcome'),
    ...timestamps,
  },
  (t) => [index('billing_events_tenant_created_idx').on(t.tenantId, t.eventCreatedAt, t.id)],
);
