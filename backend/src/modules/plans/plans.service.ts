/**
 * The public plan catalogue, as stored (seeded from plans.config.ts on every start).
 */
import type { AppDb } from '../../db/client.ts';
import { withScope } from '../../db/tenant.ts';
import { TRIAL_DAYS } from './plans.config.ts';
import { findActivePlans, type PlanRow } from './plans.repository.ts';

export function toPlan(p: PlanRow) {
  return {
    id: p.id,
    name: p.name,
    currency: p.currency,
    prices: { monthly: p.priceMonthlyCents, yearly: p.priceYearlyCents },
    trialDays: p.id === 'free' ? 0 : TRIAL_DAYS,
    features: p.features,
    limits: p.limits,
  };
}

export async function listPlans(db: AppDb) {
  return withScope(db, {}, async (tx) => (await findActivePlans(tx)).map(toPlan));
}
