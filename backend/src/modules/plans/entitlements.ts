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
import { cached, cacheKeys, peekCached } from '../../lib/cache.ts';
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

/** The applied plan and the subscription's terms, as cached (dates as ISO strings). */
interface CachedTerms {
  applied: string;
  sub: (Omit<SubscriptionTerms, 'currentPeriodEnd' | 'graceUntil'> & { currentPeriodEnd: string | null; graceUntil: string | null }) | null;
}

type CachedPlan = { id: string; name: string; features: PlanFeatures; limits: PlanLimits } | null;

/** The plan in force: the applied one, unless the subscription lapsed by the clock (then free). */
function planIdOf(terms: CachedTerms, now: Date): string {
  const sub = terms.sub && {
    ...terms.sub,
    currentPeriodEnd: terms.sub.currentPeriodEnd ? new Date(terms.sub.currentPeriodEnd) : null,
    graceUntil: terms.sub.graceUntil ? new Date(terms.sub.graceUntil) : null,
  };
  return sub && hasLapsed(sub, now) ? 'free' : terms.applied;
}

function entitlementsOf(planId: string, plan: CachedPlan): Entitlements {
  if (!plan) return entitlementsForPlan(planId);
  return { planId: plan.id, planName: plan.name, features: plan.features, limits: plan.limits };
}

/** The tenant's entitlements, read from the database inside the caller's transaction. */
export async function getEntitlements(tx: Tx, tenantId: string, now: Date = clock.now()): Promise<Entitlements> {
  // Cached (lib/cache.ts): the applied plan and the subscription's terms, invalidated by billing on
  // every change; whether the plan lapsed is decided here, with the clock, on every call.
  const terms = await cached<CachedTerms>('entitlements', cacheKeys.entitlements(tenantId), ENTITLEMENTS_TTL_SECONDS, async () => {
    const sub = await subscriptionTerms(tx, tenantId);
    return {
      applied: await tenantPlan(tx, tenantId),
      sub: sub
        ? { ...sub, currentPeriodEnd: sub.currentPeriodEnd?.toISOString() ?? null, graceUntil: sub.graceUntil?.toISOString() ?? null }
        : null,
    };
  });
  const planId = planIdOf(terms, now);
  // The catalogue changes only when a deployment re-seeds it (seedPlans invalidates it).
  const plan = await cached<CachedPlan>(
    'plan',
    cacheKeys.plan(planId),
    PLAN_TTL_SECONDS,
    async () => {
      const row = await findPlan(tx, planId);
      return row ? { id: row.id, name: row.name, features: row.features, limits: row.limits } : null;
    },
    'relaxed',
  );
  return entitlementsOf(planId, plan);
}

/**
 * The tenant's entitlements if the cache holds everything they are made of (what getEntitlements would
 * return without a statement), else undefined: for a caller with no transaction open yet.
 */
export async function cachedEntitlements(tenantId: string, now: Date = clock.now()): Promise<Entitlements | undefined> {
  const terms = await peekCached<CachedTerms>('entitlements', cacheKeys.entitlements(tenantId));
  if (!terms) return undefined;
  const planId = planIdOf(terms, now);
  const plan = await peekCached<CachedPlan>('plan', cacheKeys.plan(planId), 'relaxed');
  return plan === undefined ? undefined : entitlementsOf(planId, plan);
}

const ENTITLEMENTS_TTL_SECONDS = 300;
const PLAN_TTL_SECONDS = 600;

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
