/**
 * The subscription state machine, in one place: how a provider snapshot becomes the local row, the
 * order rule for events, and the one commit step every change goes through (row + effective plan on
 * the tenant + audit row + tenant event, in the caller's transaction).
 */
import type { Tx } from '../../db/client.ts';
import type { BillingInterval, SubscriptionStatus } from '../../db/schema/index.ts';
import { type Actor, recordAudit } from '../audit/audit.service.ts';
import { emitEvent } from '../events/events.service.ts';
import { effectivePlanId, hasLapsed } from '../plans/entitlements.ts';
import { PLANS } from '../plans/plans.config.ts';
import { findPlan, findPlanByPrice } from '../plans/plans.repository.ts';
import * as repo from './billing.repository.ts';
import type { ProviderName, ProviderSubscription } from './providers/types.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Order of events that carry the same `created` second: a later kind wins a tie
 * (deleted > updated and invoices > created > checkout and local syncs).
 */
const EVENT_RANK: Record<string, number> = {
  sync: 0,
  'checkout.session.completed': 0,
  'customer.subscription.created': 1,
  'customer.subscription.updated': 2,
  'invoice.paid': 2,
  'invoice.payment_failed': 2,
  'customer.subscription.deleted': 3,
};
const rankOf = (type: string | null) => EVENT_RANK[type ?? 'sync'] ?? 2;

/** An event older than the last applied state change (or as old, and of a weaker kind) changes nothing. */
export function isStale(sub: Pick<repo.SubscriptionRow, 'lastEventAt' | 'lastEventType'>, at: Date, type: string): boolean {
  if (!sub.lastEventAt) return false;
  const diff = at.getTime() - sub.lastEventAt.getTime();
  if (diff !== 0) return diff < 0;
  return rankOf(type) < rankOf(sub.lastEventType);
}

/** A paid subscription that still entitles to its plan (a second one must not replace it). */
export function isLive(sub: repo.SubscriptionRow, now: Date): boolean {
  return sub.planId !== 'free' && ['active', 'trialing', 'past_due'].includes(sub.status) && !hasLapsed(sub, now);
}

/** The plan and interval a provider subscription is for: by its price id, else by the metadata we set. */
export async function resolvePlan(
  tx: Tx,
  snap: ProviderSubscription,
): Promise<{ planId: string; interval: BillingInterval | null } | undefined> {
  if (snap.priceId) {
    const byPrice = await findPlanByPrice(tx, snap.priceId);
    if (byPrice) return { planId: byPrice.plan.id, interval: byPrice.interval };
  }
  const planId = snap.metadata.planId;
  if (planId && planId !== 'free' && (await findPlan(tx, planId))) {
    const meta = snap.metadata.interval;
    return { planId, interval: snap.interval ?? (meta === 'monthly' || meta === 'yearly' ? meta : null) };
  }
  return undefined;
}

/** Past due: the grace period starts with the first failure and lasts `graceDays`; any other status ends it. */
export function pastDuePatch(
  before: repo.SubscriptionRow,
  status: SubscriptionStatus,
  at: Date,
  graceDays: number,
): repo.SubscriptionPatch {
  if (status !== 'past_due') return { pastDueSince: null, graceUntil: null };
  const since = before.pastDueSince ?? at;
  return { pastDueSince: since, graceUntil: new Date(since.getTime() + graceDays * DAY_MS) };
}

/** The row after a provider snapshot (from an event, or a direct answer of the provider). */
export function snapshotPatch(
  before: repo.SubscriptionRow,
  snap: ProviderSubscription,
  plan: { planId: string; interval: BillingInterval | null } | undefined,
  at: Date,
  opts: { provider: ProviderName; graceDays: number; ended?: boolean },
): repo.SubscriptionPatch {
  const status: SubscriptionStatus = opts.ended ? 'canceled' : snap.status;
  const ended = status === 'canceled';
  return {
    provider: opts.provider,
    providerSubscriptionId: snap.id,
    providerCustomerId: snap.customerId ?? before.providerCustomerId,
    // An ended subscription leaves the tenant on the free plan (its data stays; see the limits).
    planId: ended ? 'free' : (plan?.planId ?? before.planId),
    interval: ended ? null : (plan?.interval ?? before.interval),
    status,
    currentPeriodStart: snap.currentPeriodStart,
    currentPeriodEnd: snap.currentPeriodEnd,
    cancelAtPeriodEnd: ended ? false : snap.cancelAtPeriodEnd,
    canceledAt: ended ? (snap.canceledAt ?? at) : null,
    trialEnd: snap.trialEnd,
    trialUsed: before.trialUsed || snap.trialEnd !== null || status === 'trialing',
    seats: snap.seats,
    downgradedAt: status === 'active' || status === 'trialing' ? null : before.downgradedAt,
    ...pastDuePatch(before, status, at, opts.graceDays),
  };
}

const planRank = (planId: string) =>
  Math.max(
    0,
    PLANS.findIndex((p) => p.id === planId),
  );

export interface CommitOptions {
  actor: Actor;
  action: string;
  now: Date;
  metadata?: Record<string, unknown>;
  /** When the effective plan changes, record billing.upgraded / billing.downgraded instead of `action`. */
  planChangeAction?: boolean;
}

/**
 * Writes the change, mirrors the effective plan on the tenant, and records one audit row and one
 * `subscription.updated` tenant event, all in `tx`.
 */
export async function commitSubscription(tx: Tx, tenantId: string, patch: repo.SubscriptionPatch, opts: CommitOptions) {
  const after = await repo.updateSubscription(tx, tenantId, patch);
  const applied = (await repo.findTenantForBilling(tx, tenantId))?.plan ?? 'free';
  const effective = effectivePlanId(after, opts.now);
  const planChanged = effective !== applied;
  if (planChanged) await repo.setTenantPlan(tx, tenantId, effective);
  let action = opts.action;
  if (planChanged && opts.planChangeAction !== false)
    action = planRank(effective) < planRank(applied) ? 'billing.downgraded' : 'billing.upgraded';
  await recordAudit(tx, tenantId, opts.actor, {
    action,
    targetType: 'subscription',
    targetId: after.id,
    metadata: {
      ...opts.metadata,
      status: after.status,
      plan: after.planId,
      effectivePlan: effective,
      ...(planChanged ? { planFrom: applied, planTo: effective } : {}),
    },
  });
  await emitEvent(tx, tenantId, {
    type: 'subscription.updated',
    entityId: after.id,
    data: subscriptionEventData(after, effective, opts.now),
  });
  return { after, effective, planChanged };
}

export function subscriptionEventData(sub: repo.SubscriptionRow, effective: string, now: Date) {
  return {
    id: sub.id,
    planId: effective,
    subscribedPlanId: sub.planId,
    status: sub.status,
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    currentPeriodEnd: sub.currentPeriodEnd?.toISOString() ?? null,
    pastDue: sub.status === 'past_due',
    graceUntil: sub.graceUntil?.toISOString() ?? null,
    inGracePeriod: sub.status === 'past_due' && !!sub.graceUntil && sub.graceUntil.getTime() > now.getTime(),
  };
}

/** A whole second (provider timestamps are seconds): local syncs tie with events of the same second. */
export const wholeSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
