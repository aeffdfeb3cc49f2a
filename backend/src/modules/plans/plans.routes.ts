import { z } from 'zod';
import { envelope, errorResponses, ok } from '../../lib/envelope.ts';
import type { AppInstance } from '../../types.ts';
import { listPlans } from './plans.service.ts';

const Limit = (what: string) => z.number().int().describe(`${what}; -1 means unlimited`);

export const PlanFeaturesSchema = z
  .object({
    api_keys: z.boolean().describe('API keys for programmatic access'),
    ai: z.boolean().describe('AI assistance'),
    audit_export: z.boolean().describe('Export of the audit log'),
    webhooks: z.boolean().describe('Outgoing webhooks'),
  })
  .meta({ id: 'PlanFeatures' });

export const PlanLimitsSchema = z
  .object({
    members: Limit('Members of the workspace'),
    projects: Limit('Active (not archived) projects'),
    tasks: Limit('Tasks'),
    ai_tokens_per_month: Limit('AI tokens per calendar month'),
    api_requests_per_minute: Limit('API requests per minute'),
    audit_retention_days: Limit('Days the audit log is kept'),
  })
  .meta({ id: 'PlanLimits' });

const Plan = z
  .object({
    id: z.string().describe('free | pro | business'),
    name: z.string(),
    currency: z.string().describe('ISO 4217, lowercase'),
    prices: z.object({
      monthly: z.number().int().describe('Price per month in cents'),
      yearly: z.number().int().describe('Price per year in cents'),
    }),
    trialDays: z.number().int().describe('Free trial of the first paid plan (once per workspace)'),
    features: PlanFeaturesSchema,
    limits: PlanLimitsSchema,
  })
  .meta({ id: 'Plan' });

export async function planRoutes(app: AppInstance) {
  app.get(
    '/',
    {
      schema: {
        tags: ['billing'],
        summary: 'The plans, with prices per interval, features and limits',
        operationId: 'listPlans',
        security: [],
        response: { 200: envelope(z.array(Plan)), ...errorResponses(500) },
      },
    },
    async () => ok(await listPlans(app.database.db)),
  );
}
