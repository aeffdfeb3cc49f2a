/**
 * Every background job the application defines, in one list. Handlers call the same services as
 * the routes do.
 */
import type { AppDb } from '../db/client.ts';
import { sendMailJob } from '../modules/mail/mail.jobs.ts';
import type { Mailer } from '../modules/mail/mailer.ts';
import { PURGE_TENANT_JOB, purgeTenant } from '../modules/tenants/tenants.service.ts';
import type { JobDefinition } from './queue.ts';

export function jobDefinitions(deps: { mailer: Mailer; db: AppDb }): JobDefinition<never>[] {
  const purge: JobDefinition<{ tenantId: string }> = {
    name: PURGE_TENANT_JOB,
    retryLimit: 10,
    retryDelaySeconds: 30,
    handler: async ({ tenantId }) => purgeTenant(deps.db, tenantId),
  };
  return [sendMailJob(deps.mailer), purge] as JobDefinition<never>[];
}
