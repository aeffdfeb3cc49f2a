'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { UsageBar } from '@/components/billing/usage-bar';
import { PageBody, PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { CheckIcon } from '@/components/ui/icons';
import { EmptyState, ErrorState, FormError, SkeletonRows } from '@/components/ui/states';
import { toast } from '@/components/ui/toast';
import { useWorkspace } from '@/components/workspace-context';
import { api, call } from '@/lib/api/client';
import {
  type BillingInterval,
  billingKeys,
  formatMoney,
  hasLiveSubscription,
  type Plan,
  STATUS_LABEL,
  type Subscription,
  usePlans,
  useSubscription,
} from '@/lib/billing';
import { formatDate } from '@/lib/format';

const NOTICES: Record<string, { tone: 'success' | 'info'; text: string }> = {
  'checkout:success': { tone: 'success', text: 'Thank you! Your new plan is active.' },
  'checkout:canceled': { tone: 'info', text: 'Checkout canceled: nothing was charged and your plan is unchanged.' },
  'portal:offline': {
    tone: 'info',
    text: 'No payment provider is configured (offline billing), so there is no hosted portal: cancel or resume below.',
  },
};

export function BillingView({ checkout, portal }: { checkout?: string; portal?: string }) {
  const { tenantId, can } = useWorkspace();
  const sub = useSubscription(tenantId);
  const notice = NOTICES[`checkout:${checkout}`] ?? NOTICES[`portal:${portal}`];

  if (!can('billing:manage')) {
    return (
      <PageBody>
        <PageHeader title="Billing" />
        <EmptyState title="Only owners and admins manage billing">Ask an owner or admin of this workspace to change its plan.</EmptyState>
      </PageBody>
    );
  }

  return (
    <PageBody>
      <PageHeader title="Billing" description="Your plan, what it includes, and what you use of it." />
      {notice && (
        <p
          role="status"
          className={
            notice.tone === 'success'
              ? 'rounded-lg border border-success/40 bg-success-soft px-4 py-3 text-sm'
              : 'rounded-lg border border-border bg-surface-2 px-4 py-3 text-sm'
          }
        >
          {notice.text}
        </p>
      )}
      {sub.isPending ? (
        <SkeletonRows rows={3} label="Loading billing" />
      ) : sub.error ? (
        <ErrorState title="Could not load billing" error={sub.error} onRetry={() => sub.refetch()} />
      ) : (
        <>
          <CurrentPlan sub={sub.data} />
          <section aria-labelledby="usage-h" className="flex flex-col gap-4 rounded-xl border border-border bg-surface p-5">
            <h2 id="usage-h" className="text-base font-semibold">
              Usage
            </h2>
            <div className="grid gap-5 sm:grid-cols-2">
              <UsageBar label="Members" line={sub.data.usage.members} />
              <UsageBar label="Projects" line={sub.data.usage.projects} />
              <UsageBar label="Tasks" line={sub.data.usage.tasks} />
              <UsageBar label="AI tokens this month" line={sub.data.usage.ai_tokens_per_month} />
            </div>
          </section>
          <Plans sub={sub.data} />
        </>
      )}
    </PageBody>
  );
}

/** Sends the browser to a URL the API answered with (checkout page or billing portal). */
function useRedirect(path: 'checkout' | 'portal') {
  const { tenantId } = useWorkspace();
  return useMutation({
    mutationFn: async (body?: { planId: 'pro' | 'business'; interval: BillingInterval }) => {
      const res =
        path === 'checkout' && body
          ? await call(api.POST('/api/v1/tenants/{tenantId}/billing/checkout', { params: { path: { tenantId } }, body }))
          : await call(api.POST('/api/v1/tenants/{tenantId}/billing/portal', { params: { path: { tenantId } } }));
      return res.data.url;
    },
    onSuccess: (url) => window.location.assign(url),
  });
}

function CurrentPlan({ sub }: { sub: Subscription }) {
  const { tenantId } = useWorkspace();
  const queryClient = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const portal = useRedirect('portal');
  const change = useMutation({
    mutationFn: async (what: 'cancel' | 'resume') =>
      (
        await call(
          what === 'cancel'
            ? api.POST('/api/v1/tenants/{tenantId}/billing/cancel', { params: { path: { tenantId } } })
            : api.POST('/api/v1/tenants/{tenantId}/billing/resume', { params: { path: { tenantId } } }),
        )
      ).data,
    onSuccess: (updated, what) => {
      queryClient.setQueryData(billingKeys.subscription(tenantId), updated);
      setConfirmCancel(false);
      toast.success(what === 'cancel' ? 'Subscription canceled' : 'Subscription resumed');
    },
  });
  const live = hasLiveSubscription(sub);
  const tone = sub.status === 'past_due' ? 'danger' : sub.cancelAtPeriodEnd ? 'warning' : sub.status === 'canceled' ? 'neutral' : 'success';

  return (
    <section aria-labelledby="plan-h" className="flex flex-col gap-4 rounded-xl border border-border bg-surface p-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-xs font-medium text-muted">Current plan</p>
          <h2 id="plan-h" className="mt-0.5 flex items-center gap-2 text-xl font-semibold">
            {sub.planName}
            <Badge tone={tone}>{sub.cancelAtPeriodEnd ? 'Ends soon' : STATUS_LABEL[sub.status]}</Badge>
          </h2>
          <p className="mt-1 text-sm text-muted">
            {sub.interval ? `Billed ${sub.interval}` : 'Free forever'}
            {sub.status === 'trialing' && sub.trialEnd && ` · trial until ${formatDate(sub.trialEnd)}`}
            {sub.currentPeriodEnd &&
              (sub.cancelAtPeriodEnd
                ? ` · ends ${formatDate(sub.currentPeriodEnd)}, then free`
                : ` · renews ${formatDate(sub.currentPeriodEnd)}`)}
          </p>
          {sub.downgraded && (
            <p className="mt-1 text-sm text-danger">Moved to the free plan after a failed payment: paid features are off.</p>
          )}
        </div>
        {live && (
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" loading={portal.isPending} onClick={() => portal.mutate(undefined)}>
              Manage in portal
            </Button>
            {sub.cancelAtPeriodEnd ? (
              <Button loading={change.isPending} onClick={() => change.mutate('resume')}>
                Resume subscription
              </Button>
            ) : (
              <Button variant="danger-ghost" onClick={() => setConfirmCancel(true)}>
                Cancel subscription
              </Button>
            )}
          </div>
        )}
      </div>
      <FormError error={portal.error ?? (confirmCancel ? null : change.error)} />
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={(o) => {
          setConfirmCancel(o);
          if (!o) change.reset();
        }}
        title="Cancel the subscription?"
        description={`${sub.planName} stays until ${sub.currentPeriodEnd ? formatDate(sub.currentPeriodEnd) : 'the end of the period'}; then this workspace moves to the free plan. You can resume before then.`}
        confirmLabel="Cancel subscription"
        pending={change.isPending}
        onConfirm={() => change.mutate('cancel')}
      >
        <FormError error={change.error} />
      </ConfirmDialog>
    </section>
  );
}

const FEATURE_LABEL: Record<keyof Plan['features'], string> = {
  ai: 'AI assistance',
  api_keys: 'API keys',
  webhooks: 'Webhooks',
  audit_export: 'Audit log export',
};

const limitText = (n: number, what: string) =>
  n < 0 ? `Unlimited ${what}` : n === 0 ? `No ${what}` : `${new Intl.NumberFormat('en-US').format(n)} ${what}`;

function Plans({ sub }: { sub: Subscription }) {
  const plans = usePlans();
  const [interval, setBillingInterval] = useState<BillingInterval>('monthly');
  const checkout = useRedirect('checkout');
  const live = hasLiveSubscription(sub);

  return (
    <section aria-labelledby="plans-h" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="plans-h" className="text-base font-semibold">
          Plans
        </h2>
        <fieldset className="flex rounded-lg border border-border bg-surface p-0.5 text-sm">
          <legend className="sr-only">Billing interval</legend>
          {(['monthly', 'yearly'] as const).map((i) => (
            <label
              key={i}
              className={`cursor-pointer rounded-md px-3 py-1.5 font-medium has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent ${interval === i ? 'bg-accent text-accent-foreground' : 'text-muted'}`}
            >
              <input
                type="radio"
                name="interval"
                value={i}
                checked={interval === i}
                onChange={() => setBillingInterval(i)}
                className="sr-only"
              />
              {i === 'monthly' ? 'Monthly' : 'Yearly'}
            </label>
          ))}
        </fieldset>
      </div>
      <FormError error={checkout.error} />
      {plans.isPending ? (
        <SkeletonRows rows={1} label="Loading plans" />
      ) : plans.error ? (
        <ErrorState title="Could not load the plans" error={plans.error} onRetry={() => plans.refetch()} />
      ) : (
        <ul className="grid gap-4 md:grid-cols-3">
          {plans.data.map((plan) => {
            const current = plan.id === sub.planId;
            const paid = plan.id === 'pro' || plan.id === 'business';
            const cents = interval === 'monthly' ? plan.prices.monthly : plan.prices.yearly;
            return (
              <li
                key={plan.id}
                data-plan={plan.id}
                className={`flex flex-col gap-3 rounded-xl border bg-surface p-5 ${current ? 'border-accent' : 'border-border'}`}
              >
                <div className="flex items-center justify-between gap-2">
                  <h3 className="font-semibold">{plan.name}</h3>
                  {current && <Badge tone="accent">Current</Badge>}
                </div>
                <p>
                  <span className="text-2xl font-semibold">{formatMoney(cents, plan.currency)}</span>{' '}
                  <span className="text-sm text-muted">{cents === 0 ? '' : interval === 'monthly' ? 'per month' : 'per year'}</span>
                </p>
                <ul className="flex flex-1 flex-col gap-1.5 text-sm">
                  <li>{limitText(plan.limits.members, 'members')}</li>
                  <li>{limitText(plan.limits.projects, 'projects')}</li>
                  <li>{limitText(plan.limits.ai_tokens_per_month, 'AI tokens a month')}</li>
                  {(Object.keys(FEATURE_LABEL) as (keyof Plan['features'])[])
                    .filter((f) => plan.features[f])
                    .map((f) => (
                      <li key={f} className="flex items-center gap-1.5">
                        <CheckIcon className="size-4 text-success" /> {FEATURE_LABEL[f]}
                      </li>
                    ))}
                </ul>
                {paid && !current && !live && (
                  <Button
                    loading={checkout.isPending && checkout.variables?.planId === plan.id}
                    disabled={checkout.isPending}
                    onClick={() => checkout.mutate({ planId: plan.id as 'pro' | 'business', interval })}
                  >
                    {sub.trialAvailable && plan.trialDays > 0
                      ? `Try ${plan.name} free for ${plan.trialDays} days`
                      : `Upgrade to ${plan.name}`}
                  </Button>
                )}
                {paid && !current && live && <p className="text-xs text-muted">Change plans in the billing portal.</p>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
