'use client';

import { useState } from 'react';
import { ListCard, ListRow, Meta } from '@/components/list-card';
import { LoadMore } from '@/components/load-more';
import { Badge } from '@/components/ui/badge';
import { Field, Select } from '@/components/ui/field';
import { CrownIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, SkeletonRows } from '@/components/ui/states';
import { type SubscriptionStatus, useAdminSubscriptions } from '@/lib/admin-api';
import { formatDate } from '@/lib/format';

const STATUSES: SubscriptionStatus[] = ['trialing', 'active', 'past_due', 'canceled', 'incomplete'];
const PLANS = ['pro', 'business'];

export function SubscriptionsTab() {
  const [status, setStatus] = useState<SubscriptionStatus | ''>('');
  const [plan, setPlan] = useState('');
  const subs = useAdminSubscriptions(status, plan);
  return (
    <section aria-label="Subscriptions" className="flex flex-col gap-4">
      <div className="flex flex-wrap gap-3">
        <Field label="Status" className="w-44">
          {({ id }) => (
            <Select id={id} value={status} onChange={(e) => setStatus(e.target.value as SubscriptionStatus | '')}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.replace('_', ' ')}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Plan" className="w-44">
          {({ id }) => (
            <Select id={id} value={plan} onChange={(e) => setPlan(e.target.value)}>
              <option value="">Any plan</option>
              {PLANS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {subs.isPending ? (
        <SkeletonRows rows={3} label="Loading subscriptions" />
      ) : subs.error ? (
        <ErrorState title="Could not load subscriptions" error={subs.error} onRetry={() => subs.refetch()} />
      ) : subs.data.pages[0]?.data.length === 0 ? (
        <EmptyState icon={<CrownIcon />} title="No subscriptions match">
          Paid workspaces appear here.
        </EmptyState>
      ) : (
        <ListCard label="Subscriptions">
          {subs.data.pages.flatMap((p) =>
            p.data.map((s) => (
              <ListRow key={s.tenantId}>
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                    <span className="truncate">{s.tenantName}</span>
                    <Badge tone="accent">{s.plan}</Badge>
                    <Badge
                      tone={s.status === 'past_due' ? 'danger' : s.status === 'active' || s.status === 'trialing' ? 'success' : 'neutral'}
                    >
                      {s.status.replace('_', ' ')}
                    </Badge>
                    {s.cancelAtPeriodEnd && <Badge tone="warning">cancels at period end</Badge>}
                  </p>
                  <Meta
                    items={[
                      ['Period ends', s.currentPeriodEnd ? formatDate(s.currentPeriodEnd) : '—'],
                      ['Provider', s.provider ?? '—'],
                    ]}
                  />
                </div>
              </ListRow>
            )),
          )}
        </ListCard>
      )}
      {subs.data && <LoadMore query={subs} />}
    </section>
  );
}
