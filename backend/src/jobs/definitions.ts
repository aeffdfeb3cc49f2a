/**
 * Every background job the application defines, in one list. Handlers call the same services as
 * the routes do.
 */
import type { AppDb } from '../db/client.ts';
import { billingJobDefinitions } from '../modules/billing/billing.jobs.ts';
import type { BillingDeps } from '../modules/billing/billing.types.ts';
import { sendMailJob } from '../modules/mail/mail.jobs.ts';
import type { Mailer } from '../modules/mail/mailer.ts';
import { pruneExpired } from '../modules/maintenance/maintenance.service.ts';
import { PURGE_TENANT_JOB, purgeTenant } from '../modules/tenants/tenants.service.ts';
import type { JobDefinition } from './queue.ts';

export function jobDefinitions(deps: { mailer: Mailer; db: AppDb; billing?: BillingDeps }): JobDefinition<never>[] {
  const purge: JobDefinition<{ tenantId: string }> = {
    name: PURGE_TENANT_JOB,
    retryLimit: 10,
    retryDelaySeconds: 30,
    handler: async ({ tenantId }) => purgeTenant(deps.db, tenantId),
  };
  // Housekeeping: expired live-update history and idempotency records.
  const prune: JobDefinition<Record<string, never>> = {
    name: 'maintenance.prune',
    schedule: '*/5 * * * *',
    retryLimit: 2,
    handler: async (_data, { log }) => {
      const removed = await pruneExpired(deps.db);
      if (removed.events + removed.idempotencyKeys > 0) log.info(removed, 'pruned expired rows');
    },
  };
  return [sendMailJob(deps.mailer), purge, prune, ...billingJobDefinitions(deps.billing)] as JobDefinition<never>[];
}
