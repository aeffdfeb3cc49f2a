import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';

const rows = <T>(r: unknown) => (r as { rows: T[] }).rows;

/** Platform-wide business figures, read as the metrics role. */
export async function readBusinessFigures(tx: Tx) {
  const [users] = rows<{ n: number }>(await tx.execute(sql`select count(*)::int as n from users`));
  const [tenants] = rows<{ n: number }>(await tx.execute(sql`select count(*)::int as n from tenants where deleted_at is null`));
  const [tasks] = rows<{ n: number }>(
    // The counters plus their deltas not folded yet (migration 0019).
    await tx.execute(sql`
      select ((select coalesce(sum(value), 0) from tenant_usage where metric = 'tasks')
        + (select coalesce(sum(delta), 0) from tenant_usage_deltas where metric = 'tasks'))::int as n`),
  );
  const active = rows<{ window: string; n: number }>(
    await tx.execute(sql`
      select '1d' as window, count(distinct user_id)::int as n from sessions where updated_at > now() - interval '1 day'
      union all
      select '7d', count(distinct user_id)::int from sessions where updated_at > now() - interval '7 days'`),
  );
  const subscriptions = rows<{ plan: string; n: number; mrr: number }>(
    await tx.execute(sql`
      select s.plan_id as plan, count(*)::int as n,
        coalesce(sum(case when s.interval = 'yearly' then p.price_yearly_cents / 12.0 else p.price_monthly_cents end * s.seats), 0)::bigint as mrr
      from subscriptions s join plans p on p.id = s.plan_id
      where s.status in ('active', 'trialing', 'past_due') and s.plan_id <> 'free'
      group by s.plan_id`),
  );
  const ai = rows<{ model: string; tokens: string; cost: string }>(
    await tx.execute(sql`
      select coalesce(model, 'none') as model, sum(input_tokens + output_tokens)::bigint as tokens, sum(cost_micros)::bigint as cost
      from ai_usage group by 1`),
  );
  return {
    users: users?.n ?? 0,
    tenants: tenants?.n ?? 0,
    tasks: tasks?.n ?? 0,
    activeUsers: active,
    subscriptions: subscriptions.map((s) => ({ plan: s.plan, count: s.n, mrrCents: Number(s.mrr) })),
    ai: ai.map((a) => ({ model: a.model, tokens: Number(a.tokens), costMicros: Number(a.cost) })),
  };
}
