import { z } from 'zod';
import type { Tx } from '../../db/client.ts';
import type { JobDefinition, JobQueue } from '../../jobs/queue.ts';
import type { Mail, Mailer } from './mailer.ts';

export const SEND_MAIL_JOB = 'mail.send';

const MailPayload = z.object({ to: z.email(), subject: z.string().min(1), text: z.string(), html: z.string().optional() });

export function sendMailJob(mailer: Mailer): JobDefinition<Mail> {
  return {
    name: SEND_MAIL_JOB,
    retryLimit: 8,
    retryDelaySeconds: 10,
    handler: async (data) => {
      await mailer.send(MailPayload.parse(data));
    },
  };
}

/** Queues a mail; with `tx`, only if that transaction commits. */
export async function queueMail(jobs: JobQueue, mail: Mail, tx?: Tx) {
  return jobs.send(SEND_MAIL_JOB, MailPayload.parse(mail), tx ? { tx } : {});
}
