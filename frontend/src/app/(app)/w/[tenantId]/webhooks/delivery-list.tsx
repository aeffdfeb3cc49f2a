'use client';

import { ScrollRegion } from '@/components/scroll-region';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ErrorState, SkeletonRows } from '@/components/ui/states';
import { useWorkspace } from '@/components/workspace-context';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useDeliveries, type WebhookDelivery } from '@/lib/platform-queries';

const TONE: Record<WebhookDelivery['status'], 'success' | 'warning' | 'danger'> = {
  succeeded: 'success',
  pending: 'warning',
  failed: 'danger',
};

/** The delivery log of one webhook, newest first. */
export function DeliveryList({ webhookId }: { webhookId: string }) {
  const { tenantId } = useWorkspace();
  const deliveries = useDeliveries(tenantId, webhookId);
  if (deliveries.isPending) return <SkeletonRows rows={2} label="Loading deliveries" />;
  if (deliveries.error)
    return <ErrorState title="Could not load deliveries" error={deliveries.error} onRetry={() => deliveries.refetch()} />;
  const rows = deliveries.data.pages.flatMap((p) => p.data);
  if (rows.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-border px-4 py-6 text-center text-sm text-muted">
        No deliveries yet. They appear here as soon as a subscribed event happens.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-2">
      <ScrollRegion label="Deliveries" className="rounded-lg border border-border">
        <table className="w-full min-w-[36rem] text-left text-sm">
          <caption className="sr-only">Deliveries, newest first</caption>
          <thead className="bg-surface-2 text-xs text-muted">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Event
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Status
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Attempts
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Response
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Created
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Last attempt
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {rows.map((d) => (
              <tr key={d.id}>
                <td className="px-3 py-2 font-mono text-xs">{d.eventType}</td>
                <td className="px-3 py-2">
                  <Badge tone={TONE[d.status]}>{d.status}</Badge>
                </td>
                <td className="px-3 py-2 tabular-nums">{d.attempts}</td>
                <td className="px-3 py-2">
                  {d.lastStatusCode ?? '—'}
                  {d.lastError && (
                    <span className="block max-w-56 truncate text-xs text-danger" title={d.lastError}>
                      {d.lastError}
                    </span>
                  )}
                </td>
                <td className="px-3 py-2 whitespace-nowrap">
                  <time dateTime={d.createdAt} title={formatDateTime(d.createdAt)}>
                    {formatRelative(d.createdAt)}
                  </time>
                </td>
                <td className="px-3 py-2 whitespace-nowrap">{d.lastAttemptAt ? formatDateTime(d.lastAttemptAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {deliveries.hasNextPage && (
        <Button
          variant="secondary"
          size="sm"
          className="self-start"
          loading={deliveries.isFetchingNextPage}
          onClick={() => deliveries.fetchNextPage()}
        >
          Load older deliveries
        </Button>
      )}
    </div>
  );
}
