import { z } from 'zod';
import { clock } from '../../lib/clock.ts';
import { envelope, errorResponses, ok } from '../../lib/envelope.ts';
import type { AppInstance } from '../../types.ts';
import { runLifecycle } from '../billing/billing.lifecycle.ts';
import { queueMail } from '../mail/mail.jobs.ts';
import { findOutboxMails } from '../mail/mail.repository.ts';

const OutboxMail = z
  .object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    links: z.array(z.string()).describe('Every http(s) link found in the text, in order'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'OutboxMail' });

/** Registered only when APP_ENV is local or test: in production this route does not exist. */
export async function devRoutes(app: AppInstance) {
  app.get(
    '/outbox',
    {
      schema: {
        tags: ['dev'],
        summary: 'Mails stored by the dev outbox (newest first)',
        operationId: 'listDevOutbox',
        security: [],
        querystring: z.object({
          to: z.email().optional().describe('Only mails to this address'),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: envelope(z.array(OutboxMail)), ...errorResponses(400) },
      },
    },
    async (request) => {
      const rows = await findOutboxMails(app.database.db, { to: request.query.to, limit: request.query.limit });
      return ok(
        rows.map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, links: m.links, createdAt: m.createdAt.toISOString() })),
      );
    },
  );

  app.post(
    '/mail',
    {
      schema: {
        tags: ['dev'],
        summary: 'Queue a test mail through the mail job (checks the mail path end to end)',
        operationId: 'sendDevMail',
        security: [],
        body: z.object({
          to: z.email(),
          subject: z.string().trim().min(1).max(200),
          text: z.string().min(1).max(10_000),
        }),
        response: { 202: envelope(z.object({ jobId: z.string() })), ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => {
      const jobId = await queueMail(app.jobs, request.body);
      return reply.code(202).send(ok({ jobId: jobId ?? '' }));
    },
  );

  app.post(
    '/clock',
    {
      schema: {
        tags: ['dev'],
        summary: 'Move the application clock forward and run the billing lifecycle at once (trials, renewals, grace periods)',
        operationId: 'advanceDevClock',
        security: [],
        body: z.object({
          advanceSeconds: z
            .number()
            .int()
            .min(0)
            .max(5 * 366 * 24 * 3600)
            .describe('Seconds to move forward'),
        }),
        response: {
          200: envelope(
            z.object({
              now: z.iso.datetime(),
              offsetSeconds: z.number(),
              lifecycle: z.object({ checked: z.number().int(), eventsSent: z.number().int(), downgraded: z.number().int() }),
            }),
          ),
          ...errorResponses(400, 413, 415),
        },
      },
    },
    async (request) => {
      const now = clock.advance(request.body.advanceSeconds);
      const lifecycle = await runLifecycle(app.billing, now);
      return ok({ now: now.toISOString(), offsetSeconds: clock.offsetSeconds, lifecycle });
    },
  );
}
