import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from '../../db/schema/index.ts';

export const AdminUser = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    role: z.enum(['user', 'admin']).describe('Platform role; admin = platform administrator'),
    banned: z.boolean(),
    banReason: z.string().nullable(),
    banExpires: z.iso.datetime().nullable().describe('The ban ends by itself at this time; null: until lifted'),
    createdAt: z.iso.datetime(),
    workspaceCount: z.number().int().describe('Workspaces the user is a member of'),
  })
  .meta({ id: 'AdminUser' });

export const AdminTenant = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    plan: z.string(),
    memberCount: z.number().int(),
    subscriptionStatus: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AdminTenant' });

export const AdminSubscription = z
  .object({
    tenantId: z.string(),
    tenantName: z.string(),
    plan: z.string(),
    status: z.string(),
    currentPeriodEnd: z.iso.datetime().nullable(),
    cancelAtPeriodEnd: z.boolean(),
    provider: z.string().nullable().describe('stripe | offline; null for a workspace that never paid'),
  })
  .meta({ id: 'AdminSubscription' });

export const PlatformMetrics = z
  .object({
    users: z.number().int(),
    signupsLast7Days: z.number().int(),
    signupsLast30Days: z.number().int(),
    tenants: z.number().int(),
    dailyActiveUsers: z.number().int().describe('Users with a session active in the last 24 hours'),
    weeklyActiveUsers: z.number().int().describe('Users with a session active in the last 7 days'),
    activeSubscriptionsByPlan: z.record(z.string(), z.number().int()).describe('Paid subscriptions (active, trialing, past due) per plan'),
    mrrCentsByPlan: z.record(z.string(), z.number().int()),
    mrrCents: z.number().int(),
    aiLast30Days: z.object({
      tokens: z.number().int(),
      costMicros: z.number().int(),
      byModel: z.array(z.object({ model: z.string(), tokens: z.number().int(), costMicros: z.number().int() })),
    }),
  })
  .meta({ id: 'PlatformMetrics' });

export const TopQueries = z
  .object({
    available: z.boolean(),
    reason: z.string().nullable().describe('Why no figures are available (e.g. PGlite, extension not installed)'),
    queries: z.array(z.object({ query: z.string(), calls: z.number(), totalMs: z.number(), meanMs: z.number(), rows: z.number() })),
  })
  .meta({ id: 'TopQueries' });

export const Impersonation = z
  .object({
    impersonating: z.object({ userId: z.string(), email: z.string() }),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'Impersonation' });

export const ImpersonationStopped = z
  .object({ restored: z.object({ userId: z.string(), email: z.string() }).describe('The admin whose session is back') })
  .meta({ id: 'ImpersonationStopped' });

const limit = z.coerce.number().int().min(1).max(100).default(25);
const cursor = z.string().max(200).optional().describe('meta.nextCursor of the previous page');

export const SearchQuery = z.object({
  q: z.string().trim().max(200).optional().describe('Case-insensitive match on email or name (users), name or slug (tenants)'),
  limit,
  cursor,
});

export const SubscriptionQuery = z.object({
  status: z.enum(SUBSCRIPTION_STATUSES).optional(),
  plan: z.string().max(64).optional(),
  limit,
  cursor,
});

export const UserParams = z.object({ userId: z.string().min(1).max(64) });

export const BanBody = z.object({
  reason: z.string().trim().min(1).max(500),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe('Omit for a ban until lifted'),
});

export const ImpersonateBody = z.object({ reason: z.string().trim().min(1).max(500).describe('Why (recorded in the audit logs)') });
