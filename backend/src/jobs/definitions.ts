/**
 * Every background job the application defines, in one list. Handlers call the same services as
 * the routes do.
 */
import type { AppConfig } from '../config.ts';
import type { AppDb } from '../db/client.ts';
import { requestContext } from '../lib/request-context.ts';
import { aiJobDefinitions } from '../modules/ai/ai.jobs.ts';
import type { AiDeps } from '../modules/ai/ai.runtime.ts';
import { billingJobDefinitions } from '../modules/billing/billing.jobs.ts';
import type { BillingDeps } from '../modules/billing/billing.types.ts';
import { sendMailJob } from '../modules/mail/mail.jobs.ts';
import type { Mailer } from '../modules/mail/mailer.ts';
import { enforceAuditRetention, foldPendingUsage, pruneExpired } from '../modules/maintenance/maintenance.service.ts';
import { PURGE_TENANT_JOB, purgeTenant } from '../modules/tenants/tenants.service.ts';
import { DELIVER_WEBHOOK_JOB, deliverWebhook as deliverWebhookAttempt } from '../modules/webhooks/webhooks.service.ts';
import type { JobDefinition } from './queue.ts';

export function jobDefinitions(deps: {
  mailer: Mailer;
  db: AppDb;
  config: AppConfig;
  billing?: BillingDeps;
  ai?: AiDeps;
}): JobDefinition<never>[] {
  const deliverWebhook: JobDefinition<{ tenantId: string; deliveryId: string }> = {
    name: DELIVER_WEBHOOK_JOB,
    retryLimit: deps.config.webhooks.retries,
    retryDelaySeconds: deps.config.webhooks.retryDelaySeconds,
    // An attempt takes at most the 10 s request timeout: one still "active" long after is a lost run
    // (the worker died); it is retried, and the receiver dedupes by the atrium-delivery id.
    expireInSeconds: deps.config.webhooks.jobExpireSeconds,
    handler: async (data, { attempt }) => {
      const jobs = requestContext.getStore()?.jobs;
      if (!jobs) throw new Error('webhook delivery runs inside a worker');
      await deliverWebhookAttempt({ db: deps.db, config: deps.config, jobs }, data, attempt);
    },
  };
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
  // Audit rows past the plan's retention, daily.
  const auditRetention: JobDefinition<Record<string, never>> = {
    name: 'maintenance.audit-retention',
    schedule: '17 3 * * *',
    retryLimit: 3,
    handler: async (_data, { log }) => {
      const { removed } = await enforceAuditRetention(deps.db);
      log.info({ removed }, 'audit retention applied');
    },
  };
  // Plan counters: the deltas appended by creates and deletes folded into their rows, every minute.
  const foldUsage: JobDefinition<Record<string, never>> = {
    name: 'maintenance.fold-usage',
    schedule: '* * * * *',
    retryLimit: 2,
    handler: async (_data, { log }) => {
      const folded = await foldPendingUsage(deps.db);
      if (folded.counters > 0) log.debug(folded, 'folded usage deltas');
    },
  };
  return [
    sendMailJob(deps.mailer),
    purge,
    prune,
    auditRetention,
    foldUsage,
    deliverWebhook,
    ...billingJobDefinitions(deps.billing),
    ...aiJobDefinitions({ db: deps.db, ai: deps.ai }),
  ] as JobDefinition<never>[];
}
