/**
 * Billing routes without a signed-in user: the provider webhook (authenticated by its signature) and
 * the offline provider's checkout page (authenticated by its signed session token).
 */
import { z } from 'zod';
import { envelope, errorResponses, ok } from '../../lib/envelope.ts';
import { AppError } from '../../lib/errors.ts';
import type { AppInstance } from '../../types.ts';
import { receiveWebhook } from './billing.webhooks.ts';
import { completeOfflineCheckout, describeOfflineCheckout } from './offline-checkout.service.ts';
import { renderCheckoutPage, renderInvalidSessionPage } from './offline-page.ts';

const tag = ['billing'];
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

export async function billingWebhookRoutes(app: AppInstance) {
  // The signature covers the exact bytes that were sent: in this scope only, JSON bodies stay raw.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/stripe',
    {
      // Signed deliveries come in bursts from a few provider addresses (and, offline, from this
      // process): a generous per-address allowance; a bad signature costs one HMAC to refuse.
      config: { rateLimit: { max: 3000, timeWindow: 60_000 } },
      schema: {
        tags: tag,
        summary: 'Stripe webhook endpoint (signed events; the offline provider posts here too)',
        description:
          'The `Stripe-Signature` header is verified over the raw body (300 s tolerance). Each event id is applied once; ' +
          'the work happens in a background job, so the answer is immediate. Handled: checkout.session.completed, ' +
          'customer.subscription.created|updated|deleted, invoice.paid, invoice.payment_failed; other types are acknowledged and ignored.',
        operationId: 'receiveStripeWebhook',
        security: [],
        headers: z.object({ 'stripe-signature': z.string().max(4096).optional() }),
        response: {
          200: envelope(
            z.object({
              received: z.literal(true),
              status: z.enum(['queued', 'duplicate', 'ignored']),
              eventId: z.string().optional(),
            }),
          ),
          ...errorResponses(400, 413, 415, 503),
        },
      },
    },
    async (request) => {
      const raw = request.body;
      if (!Buffer.isBuffer(raw) || raw.length === 0) throw new AppError('validation_error', 'The webhook body is empty');
      const result = await receiveWebhook(app.billing, raw, request.headers['stripe-signature']);
      return ok({ received: true as const, ...result });
    },
  );
}

const SessionParams = z.object({ sessionToken: z.string().min(10).max(200).describe('Signed checkout session token') });

/** Registered only when the offline provider is the configured one. */
export async function offlineCheckoutRoutes(app: AppInstance) {
  // The page's form posts application/x-www-form-urlencoded (no script on the page).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    '/checkout/:sessionToken',
    {
      schema: {
        tags: tag,
        summary: 'Offline checkout page (used when no Stripe keys are configured)',
        operationId: 'getOfflineCheckout',
        security: [],
        params: SessionParams,
        response: { 200: html('The checkout page'), 404: html('The link is invalid or expired'), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const page = await describeOfflineCheckout(app.billing, request.params.sessionToken);
      reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
      if (!page) return reply.code(404).send(renderInvalidSessionPage());
      return reply.send(renderCheckoutPage(page));
    },
  );

  app.post(
    '/checkout/:sessionToken/complete',
    {
      schema: {
        tags: tag,
        summary: 'Complete (or decline) an offline checkout; redirects to the workspace’s billing page',
        operationId: 'completeOfflineCheckout',
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        params: SessionParams,
        body: z.object({ outcome: z.enum(['success', 'decline']).default('success') }).optional(),
        response: {
          303: { description: 'Purchase completed: redirect to the billing page', content: { 'text/plain': { schema: z.string() } } },
          402: html('The simulated card was declined'),
          404: html('The link is invalid or expired'),
          ...errorResponses(400, 415),
        },
      },
    },
    async (request, reply) => {
      const result = await completeOfflineCheckout(app.billing, request.params.sessionToken, request.body?.outcome ?? 'success');
      reply.header('cache-control', 'no-store');
      if (result.kind === 'redirect') return reply.code(303).header('location', result.location).type('text/plain; charset=utf-8').send('');
      reply.type('text/html; charset=utf-8');
      if (result.kind === 'declined') return reply.code(402).send(renderCheckoutPage(result.page));
      return reply.code(404).send(renderInvalidSessionPage());
    },
  );
}
