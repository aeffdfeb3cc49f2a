/**
 * Entitlements: what a tenant may do and how much, from its effective plan. `getEntitlements` is the
 * one function every limit in the product asks (members, projects, tasks, AI tokens, API keys, rate
 * limits, features).
 *
 * The effective plan is `tenants.plan`, which billing updates in the same transaction as every
 * subscription change. Between two runs of the lifecycle job a plan can lapse by the clock alone (the
 * grace period of a past-due subscription ended, or a subscription set to cancel reached its period
 * end); `effectivePlanId` sees that at once, so nobody keeps paid features past their time.
 */
import type { Tx } from '../../db/client.ts';
import type { SubscriptionStatus } from '../../db/schema/index.ts';
import { clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { PLANS, type PlanDefinition, type PlanFeatures, type PlanLimits } from './plans.config.ts';
import { findPlan } from './plans.repository.ts';
import { subscriptionTerms, tenantPlan } from './usage.repository.ts';

export interface Entitlements {
  planId: string;
  planName: string;
  features: PlanFeatures;
  limits: PlanLimits;
}

/** From the configuration alone (no database): for code that has no transaction at hand. */
export function entitlementsForPlan(planId: string): Entitlements {
  const plan = PLANS.find((p) => p.id === planId) ?? (PLANS[0] as PlanDefinition);
  return { planId: plan.id, planName: plan.name, features: plan.features, limits: plan.limits };
}

export interface SubscriptionTerms {
  planId: string;
  status: SubscriptionStatus;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: Date | null;
  graceUntil: Date | null;
}

/** Has the subscription's paid plan ended by the clock alone (before any webhook or job says so)? */
export function hasLapsed(sub: SubscriptionTerms, now: Date): boolean {
  if (sub.planId === 'free') return false;
  if (sub.status === 'canceled' || sub.status === 'incomplete') return true;
  if (sub.status === 'past_due') return !sub.graceUntil || sub.graceUntil.getTime() <= now.getTime();
  return sub.cancelAtPeriodEnd && sub.currentPeriodEnd !== null && sub.currentPeriodEnd.getTime() <= now.getTime();
}

/** The plan a subscription entitles to right now: its plan, unless it lapsed (then free). */
export function effectivePlanId(sub: SubscriptionTerms | undefined, now: Date): string {
  if (!sub) return 'free';
  return hasLapsed(sub, now) ? 'free' : sub.planId;
}

/** The tenant's entitlements, read from the database inside the caller's transaction. */
export async function getEntitlements(tx: Tx, tenantId: string, now: Date = clock.now()): Promise<Entitlements> {
  const applied = await tenantPlan(tx, tenantId);
  const sub = await subscriptionTerms(tx, tenantId);
  const planId = sub && hasLapsed(sub, now) ? 'free' : applied;
  const row = await findPlan(tx, planId);
  if (!row) return entitlementsForPlan(planId);
  return { planId: row.id, planName: row.name, features: row.features, limits: row.limits };
}

export type LimitedMetric = 'members' | 'projects' | 'tasks';

export function limitOf(entitlements: Entitlements, metric: keyof PlanLimits): number {
  return entitlements.limits[metric];
}

export function planLimitError(metric: LimitedMetric, limit: number, planId: string) {
  return new AppError('plan_limit_reached', `Your ${planId} plan allows ${limit} ${metric}; upgrade to add more`, {
    metric,
    limit,
    plan: planId,
  });
}

/** Over the limit after a downgrade: the data stays, read-only (deleting is allowed) until back under it. */
export function overLimitError(metric: LimitedMetric, limit: number, used: number, planId: string) {
  return new AppError(
    'plan_limit_reached',
    `Your ${planId} plan allows ${limit} ${metric} and this workspace has ${used}: they are read-only until you delete ${used - limit} or upgrade`,
    { metric, limit, used, plan: planId, readOnly: true },
  );
}

export function featureError(feature: keyof PlanFeatures, planId: string) {
  return new AppError('plan_limit_reached', `Your ${planId} plan does not include ${feature.replaceAll('_', ' ')}; upgrade to use it`, {
    feature,
    plan: planId,
  });
}
