import type { Tx } from '../../db/client.ts';
import { entitlementsForPlan, type LimitedMetric, limitOf, planLimitError } from './entitlements.ts';
import { releaseUsage, takeUsage, tenantPlan } from './usage.repository.ts';

/** Takes one unit of a plan-limited resource inside the creating transaction, or throws 402. */
export async function consumeLimit(tx: Tx, tenantId: string, metric: LimitedMetric): Promise<void> {
  const entitlements = entitlementsForPlan(await tenantPlan(tx, tenantId));
  const limit = limitOf(entitlements, metric);
  if (!(await takeUsage(tx, tenantId, metric, limit))) throw planLimitError(metric, limit, entitlements.planId);
}

export async function releaseLimit(tx: Tx, tenantId: string, metric: LimitedMetric, amount = 1): Promise<void> {
  await releaseUsage(tx, tenantId, metric, amount);
}
