'use client';

import { ScrollRegion } from '@/components/scroll-region';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { useAdminQueries } from '@/lib/admin-api';
import { formatNumber } from '@/lib/ai';

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

export function QueriesTab() {
  const q = useAdminQueries();
  if (q.isPending) return <SkeletonRows rows={3} label="Loading query statistics" />;
  if (q.error) return <ErrorState title="Could not load query statistics" error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data.available) {
    return (
      <EmptyState title="Query statistics are not available">
        {q.data.reason ?? 'pg_stat_statements is not installed on this database.'}
      </EmptyState>
    );
  }
  if (q.data.queries.length === 0) return <EmptyState title="No queries recorded yet" />;
  return (
    <ScrollRegion label="Top statements by total time" className="rounded-xl border border-border bg-surface">
      <table className="w-full min-w-[44rem] text-left text-sm">
        <caption className="px-4 pt-3 text-left text-sm font-semibold">Top 20 statements by total time (pg_stat_statements)</caption>
        <thead className="text-xs text-muted">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">
              Query
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Calls
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Total
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Mean
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Rows
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {q.data.queries.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: statements can repeat text; the order is the ranking
            <tr key={i}>
              <td className="max-w-xl px-4 py-2">
                <code className="line-clamp-3 font-mono text-xs break-all" title={r.query}>
                  {r.query}
                </code>
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{formatNumber(r.calls)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{ms(r.totalMs)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{ms(r.meanMs)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatNumber(r.rows)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
