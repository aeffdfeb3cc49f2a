import type { JobDefinition } from '../../jobs/queue.ts';
import { reconcile, runLifecycle } from './billing.lifecycle.ts';
import { BILLING_LIFECYCLE_JOB, BILLING_RECONCILE_JOB, BILLING_WEBHOOK_JOB, type BillingDeps } from './billing.types.ts';
import { processWebhookEvent } from './billing.webhooks.ts';

/**
 * Billing's jobs. `billing` is absent only where queues are created without running anything (the
 * test snapshot); a handler that runs without it fails loudly.
 */
export function billingJobDefinitions(billing: BillingDeps | undefined): JobDefinition<never>[] {
  const deps = () => {
    if (!billing) throw new Error('billing jobs need the billing runtime');
    return billing;
  };
  const webhook: JobDefinition<{ eventId: string; tenantId: string }> = {
    name: BILLING_WEBHOOK_JOB,
    retryLimit: 10,
    retryDelaySeconds: 5,
    handler: async (data) => {
      await processWebhookEvent(deps(), data);
    },
  };
  // Period-end cancellations and grace expiries (and, offline, renewals): every few minutes.
  const lifecycle: JobDefinition<Record<string, never>> = {
    name: BILLING_LIFECYCLE_JOB,
    schedule: '*/5 * * * *',
    retryLimit: 2,
    handler: async () => {
      await runLifecycle(deps());
    },
  };
  // Drift between local subscriptions and the provider's: daily for all, or for one tenant on demand.
  const reconcileJob: JobDefinition<{ tenantId?: string }> = {
    name: BILLING_RECONCILE_JOB,
    schedule: '17 3 * * *',
    retryLimit: 3,
    retryDelaySeconds: 60,
    handler: async (data, { log }) => {
      const result = await reconcile(deps(), data?.tenantId);
      if (result.checked > 0) log.info({ ...result, tenantId: data?.tenantId }, 'billing reconciliation done');
    },
  };
  return [webhook, lifecycle, reconcileJob] as JobDefinition<never>[];
}
