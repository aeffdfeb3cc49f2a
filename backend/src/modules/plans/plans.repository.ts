import { asc, eq, or } from 'drizzle-orm';
import type { Executor, SqlRunner } from '../../db/client.ts';
import { plans } from '../../db/schema/index.ts';
import type { PlanCatalogueRow } from './plans.config.ts';

export type PlanRow = typeof plans.$inferSelect;

/**
 * Upserts the catalogue as the owner role (the application role may only read plans). Plans that are
 * no longer in the configuration stay (subscriptions may point at them) but are marked inactive.
 */
export async function upsertPlans(runner: SqlRunner, rows: PlanCatalogueRow[]): Promise<void> {
  for (const r of rows) {
    await runner.query(
      `insert into plans (id, name, price_monthly_cents, price_yearly_cents, currency, stripe_price_monthly, stripe_price_yearly, features, limits, sort_order, active)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, true)
       on conflict (id) do update set
         name = excluded.name, price_monthly_cents = excluded.price_monthly_cents, price_yearly_cents = excluded.price_yearly_cents,
         currency = excluded.currency, stripe_price_monthly = excluded.stripe_price_monthly, stripe_price_yearly = excluded.stripe_price_yearly,
         features = excluded.features, limits = excluded.limits, sort_order = excluded.sort_order, active = true, updated_at = now()`,
      [
        r.id,
        r.name,
        r.priceMonthlyCents,
        r.priceYearlyCents,
        r.currency,
        r.stripePriceMonthly,
        r.stripePriceYearly,
        JSON.stringify(r.features),
        JSON.stringify(r.limits),
        r.sortOrder,
      ],
    );
  }
  await runner.query('update plans set active = false, updated_at = now() where not (id = any($1::text[])) and active', [
    rows.map((r) => r.id),
  ]);
}

export async function findActivePlans(db: Executor): Promise<PlanRow[]> {
  return db.select().from(plans).where(eq(plans.active, true)).orderBy(asc(plans.sortOrder), asc(plans.id));
}

export async function findPlan(db: Executor, planId: string): Promise<PlanRow | undefined> {
  const [row] = await db.select().from(plans).where(eq(plans.id, planId));
  return row;
}

/** The plan a Stripe price id belongs to, and its interval. */
export async function findPlanByPrice(db: Executor, priceId: string) {
  const [row] = await db
    .select()
    .from(plans)
    .where(or(eq(plans.stripePriceMonthly, priceId), eq(plans.stripePriceYearly, priceId)));
  if (!row) return undefined;
  return { plan: row, interval: row.stripePriceMonthly === priceId ? ('monthly' as const) : ('yearly' as const) };
}
