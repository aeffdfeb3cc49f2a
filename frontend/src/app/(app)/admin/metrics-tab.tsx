'use client';

import type { ReactNode } from 'react';
import { ScrollRegion } from '@/components/scroll-region';
import { ErrorState, SkeletonRows } from '@/components/ui/states';
import { useAdminMetrics } from '@/lib/admin-api';
import { formatMicros, formatNumber } from '@/lib/ai';
import { formatMoney } from '@/lib/billing';

function Card({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="rounded-xl border border-border bg-surface p-4">
      <dt className="text-sm text-muted">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
      {hint && <dd className="mt-1 text-xs text-muted">{hint}</dd>}
    </div>
  );
}

const byPlan = (r: Record<string, number>, fmt: (n: number) => string) =>
  Object.entries(r)
    .map(([plan, n]) => `${plan} ${fmt(n)}`)
    .join(' · ') || 'none';

export function MetricsTab() {
  const m = useAdminMetrics();
  if (m.isPending) return <SkeletonRows rows={3} label="Loading metrics" />;
  if (m.error) return <ErrorState title="Could not load metrics" error={m.error} onRetry={() => m.refetch()} />;
  const d = m.data;
  const usd = (c: number) => formatMoney(c, 'usd');
  return (
    <div className="flex flex-col gap-6">
      <dl className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Card label="Monthly recurring revenue" value={usd(d.mrrCents)} hint={byPlan(d.mrrCentsByPlan, usd)} />
        <Card
          label="Active subscriptions"
          value={formatNumber(Object.values(d.activeSubscriptionsByPlan).reduce((a, b) => a + b, 0))}
          hint={byPlan(d.activeSubscriptionsByPlan, formatNumber)}
        />
        <Card
          label="Users"
          value={formatNumber(d.users)}
          hint={`${formatNumber(d.signupsLast7Days)} new in 7 days · ${formatNumber(d.signupsLast30Days)} in 30`}
        />
        <Card label="Workspaces" value={formatNumber(d.tenants)} />
        <Card label="Daily active users" value={formatNumber(d.dailyActiveUsers)} />
        <Card label="Weekly active users" value={formatNumber(d.weeklyActiveUsers)} />
        <Card label="AI tokens (30 days)" value={formatNumber(d.aiLast30Days.tokens)} />
        <Card label="AI cost (30 days)" value={formatMicros(d.aiLast30Days.costMicros)} />
      </dl>
      {d.aiLast30Days.byModel.length > 0 && (
        <ScrollRegion label="AI by model, last 30 days" className="rounded-xl border border-border bg-surface">
          <table className="w-full text-left text-sm">
            <caption className="px-4 pt-3 text-left text-sm font-semibold">AI by model, last 30 days</caption>
            <thead className="text-xs text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Model
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  Tokens
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {d.aiLast30Days.byModel.map((r) => (
                <tr key={r.model}>
                  <td className="px-4 py-2 font-mono text-xs">{r.model}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatNumber(r.tokens)}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{formatMicros(r.costMicros)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </div>
  );
}
