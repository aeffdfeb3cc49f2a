'use client';

import Link from 'next/link';
import { useSubscription } from '@/lib/billing';
import { formatDate } from '@/lib/format';
import { useWorkspace } from '../workspace-context';

/** Shown on every workspace page while a payment has failed (the subscription is past due). */
export function PastDueBanner() {
  const { tenantId, can } = useWorkspace();
  const sub = useSubscription(tenantId);
  if (!sub.data?.pastDue) return null;
  return (
    <div role="alert" className="border-b border-warning/40 bg-warning-soft px-4 py-2.5 text-sm text-foreground sm:px-6">
      <strong className="font-semibold">Payment failed.</strong>{' '}
      {sub.data.graceUntil
        ? `Paid features stay on until ${formatDate(sub.data.graceUntil)}, then this workspace moves to the free plan.`
        : 'Update the payment method to keep the paid plan.'}{' '}
      {can('billing:manage') ? (
        <Link href={`/w/${tenantId}/billing`} className="font-semibold underline underline-offset-2">
          Fix billing
        </Link>
      ) : (
        'Ask an owner or admin to update the payment method.'
      )}
    </div>
  );
}
