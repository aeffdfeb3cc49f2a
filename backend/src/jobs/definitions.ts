/**
 * Every background job the application defines, in one list. Handlers call the same services as
 * the routes do.
 */
import { sendMailJob } from '../modules/mail/mail.jobs.ts';
import type { Mailer } from '../modules/mail/mailer.ts';
import type { JobDefinition } from './queue.ts';

export function jobDefinitions(deps: { mailer: Mailer }): JobDefinition<never>[] {
  return [sendMailJob(deps.mailer) as JobDefinition<never>];
}
