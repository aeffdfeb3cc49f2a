/**
 * Every route module of the API and where it is mounted: the whole HTTP surface at a glance.
 */
import type { AppConfig } from '../config.ts';
import type { AppInstance } from '../types.ts';
import { adminRoutes } from './admin/admin.routes.ts';
import { aiAdminRoutes } from './ai/ai.admin.routes.ts';
import { aiRoutes } from './ai/ai.routes.ts';
import { apiKeyRoutes } from './api-keys/api-keys.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { billingWebhookRoutes, offlineCheckoutRoutes } from './billing/billing.public-routes.ts';
import { billingRoutes } from './billing/billing.routes.ts';
import { devRoutes } from './dev/dev.routes.ts';
import { eventRoutes } from './events/events.routes.ts';
import { meRoutes } from './me/me.routes.ts';
import { planRoutes } from './plans/plans.routes.ts';
import { projectRoutes } from './projects/projects.routes.ts';
import { systemRoutes } from './system/system.routes.ts';
import { taskRoutes } from './tasks/tasks.routes.ts';
import { tenantExportRoutes } from './tenants/export.routes.ts';
import { invitationRoutes, tenantRoutes } from './tenants/tenants.routes.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';

export interface RouteModule {
  prefix: string;
  routes: (app: AppInstance) => Promise<void>;
  enabled?: (config: AppConfig) => boolean;
}

export const routeModules: RouteModule[] = [
  { prefix: '', routes: systemRoutes },
  { prefix: '/api/auth', routes: authRoutes },
  { prefix: '/api/v1/me', routes: meRoutes },
  { prefix: '/api/v1/tenants', routes: tenantRoutes },
  { prefix: '/api/v1/tenants', routes: auditRoutes },
  { prefix: '/api/v1/tenants', routes: projectRoutes },
  { prefix: '/api/v1/tenants', routes: taskRoutes },
  { prefix: '/api/v1/tenants', routes: eventRoutes },
  { prefix: '/api/v1/tenants', routes: apiKeyRoutes },
  { prefix: '/api/v1/tenants', routes: webhookRoutes },
  { prefix: '/api/v1/tenants', routes: billingRoutes },
  { prefix: '/api/v1/tenants', routes: aiRoutes },
  { prefix: '/api/v1/tenants', routes: tenantExportRoutes },
  { prefix: '/api/v1/invitations', routes: invitationRoutes },
  { prefix: '/api/v1/plans', routes: planRoutes },
  { prefix: '/api/v1/admin', routes: aiAdminRoutes },
  { prefix: '/api/v1/admin', routes: adminRoutes },
  { prefix: '/api/v1/webhooks', routes: billingWebhookRoutes },
  { prefix: '/api/v1/billing/offline', routes: offlineCheckoutRoutes, enabled: (c) => c.billing.provider === 'offline' },
  { prefix: '/api/v1/dev', routes: devRoutes, enabled: (c) => c.appEnv !== 'production' },
];
