import { z } from 'zod';
import { BILLING_INTERVALS } from '../../db/schema/index.ts';
import { envelope, errorResponses, ok, USER_AUTH } from '../../lib/envelope.ts';
import { requirePermission, tenantOf, useTenantScope } from '../../plugins/tenant-context.ts';
import type { AppInstance } from '../../types.ts';
import { PlanFeaturesSchema, PlanLimitsSchema } from '../plans/plans.routes.ts';
import { TenantParams } from '../tenants/tenants.schemas.ts';
import * as billing from './billing.service.ts';

const tag = ['billing'];

const UsageLine = z
  .object({
    used: z.number().int(),
    limit: z.number().int().describe('-1 means unlimited'),
    unlimited: z.boolean(),
    overLimit: z.boolean().describe('More than the plan allows (after a downgrade): changing is refused, deleting is allowed'),
  })
  .meta({ id: 'UsageLine' });

const Subscription = z
  .object({
    planId: z.string().describe('The effective plan: what the workspace is entitled to now'),
    planName: z.string(),
    subscribedPlanId: z.string().describe('The plan subscribed to (differs from planId after a downgrade for non-payment)'),
    status: z.enum(['trialing', 'active', 'past_due', 'canceled', 'incomplete']),
    interval: z.enum(BILLING_INTERVALS).nullable(),
    provider: z.enum(['stripe', 'offline']).nullable(),
    currentPeriodStart: z.iso.datetime().nullable(),
    currentPeriodEnd: z.iso.datetime().nullable(),
    cancelAtPeriodEnd: z.boolean().describe('Ends (back to free) at currentPeriodEnd'),
    canceledAt: z.iso.datetime().nullable(),
    trialEnd: z.iso.datetime().nullable(),
    trialAvailable: z.boolean().describe('The first paid plan starts with a free trial, once per workspace'),
    seats: z.number().int(),
    pastDue: z.boolean().describe('A payment failed: show a banner and a link to the billing portal'),
    graceUntil: z.iso.datetime().nullable().describe('When past due: paid features stay until then, then the workspace moves to free'),
    inGracePeriod: z.boolean(),
    downgraded: z.boolean(),
    entitlements: z.object({ features: PlanFeaturesSchema, limits: PlanLimitsSchema }),
    usage: z.object({ members: UsageLine, projects: UsageLine, tasks: UsageLine, ai_tokens_per_month: UsageLine }),
    overLimit: z.boolean(),
  })
  .meta({ id: 'Subscription' });

const RedirectUrl = z.object({ url: z.url().describe('Send the browser there') });

export async function billingRoutes(app: AppInstance) {
  useTenantScope(app);
  const manage = requirePermission('billing:manage');

  app.get(
    '/:tenantId/subscription',
    {
      schema: {
        tags: tag,
        summary: 'The workspace’s plan, subscription, entitlements and usage against each limit',
        operationId: 'getSubscription',
        security: USER_AUTH,
        params: TenantParams,
        response: { 200: envelope(Subscription), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ok(await billing.getSubscription(app.billing, tenantOf(request))),
  );

  app.post(
    '/:tenantId/billing/checkout',
    {
      preValidation: manage,
      schema: {
        tags: tag,
        summary: 'Start a checkout for a paid plan; answers the URL of the payment page',
        description: 'The first paid plan of a workspace starts with a 14-day trial (once per workspace). 409 when a subscription is live.',
        operationId: 'startCheckout',
        security: USER_AUTH,
        params: TenantParams,
        body: z.object({ planId: z.enum(['pro', 'business']), interval: z.enum(BILLING_INTERVALS) }),
        response: { 200: envelope(RedirectUrl), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => ok(await billing.startCheckout(app.billing, tenantOf(request), request.body)),
  );

  app.post(
    '/:tenantId/billing/portal',
    {
      preValidation: manage,
      schema: {
        tags: tag,
        summary: 'Open the billing portal (payment methods, invoices, plan changes); answers its URL',
        operationId: 'openBillingPortal',
        security: USER_AUTH,
        params: TenantParams,
        response: { 200: envelope(RedirectUrl), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => ok(await billing.openPortal(app.billing, tenantOf(request))),
  );

  app.post(
    '/:tenantId/billing/cancel',
    {
      preValidation: manage,
      schema: {
        tags: tag,
        summary: 'Cancel at the end of the current period (the plan stays until then)',
        operationId: 'cancelSubscription',
        security: USER_AUTH,
        params: TenantParams,
        response: { 200: envelope(Subscription), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => ok(await billing.cancelSubscription(app.billing, tenantOf(request))),
  );

  app.post(
    '/:tenantId/billing/resume',
    {
      preValidation: manage,
      schema: {
        tags: tag,
        summary: 'Undo a cancellation before the period ends',
        operationId: 'resumeSubscription',
        security: USER_AUTH,
        params: TenantParams,
        response: { 200: envelope(Subscription), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => ok(await billing.resumeSubscription(app.billing, tenantOf(request))),
  );

  app.post(
    '/:tenantId/billing/reconcile',
    {
      preValidation: manage,
      schema: {
        tags: tag,
        summary: 'Compare the subscription with the payment provider and fix drift (queued)',
        operationId: 'reconcileSubscription',
        security: USER_AUTH,
        params: TenantParams,
        response: {
          202: envelope(z.object({ queued: z.literal(true), jobId: z.string().nullable(), provider: z.enum(['stripe', 'offline']) })),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => reply.code(202).send(ok(await billing.requestReconcile(app.billing, tenantOf(request)))),
  );
}
