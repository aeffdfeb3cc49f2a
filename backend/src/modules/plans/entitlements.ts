/**
 * Entitlements: what a tenant may do and how much, from its plan. The one function every limit in
 * the product asks (members, projects, tasks, AI tokens, API keys, rate limits, features).
 */
import { AppError } from '../../lib/errors.ts';
import { PLANS, type PlanDefinition, type PlanFeatures, type PlanLimits } from './plans.config.ts';

export interface Entitlements {
  planId: PlanDefinition['id'];
  features: PlanFeatures;
  limits: PlanLimits;
}

export function entitlementsForPlan(planId: string): Entitlements {
  const plan = PLANS.find((p) => p.id === planId) ?? (PLANS[0] as PlanDefinition);
  return { planId: plan.id, features: plan.features, limits: plan.limits };
}

export type LimitedMetric = 'members' | 'projects' | 'tasks';

export function limitOf(entitlements: Entitlements, metric: LimitedMetric): number {
  return entitlements.limits[metric];
}

export function planLimitError(metric: LimitedMetric, limit: number, planId: string) {
  return new AppError('plan_limit_reached', `Your ${planId} plan allows ${limit} ${metric}; upgrade to add more`, {
    metric,
    limit,
    plan: planId,
  });
}
