import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppConfig } from './config.ts';
import type { Database } from './db/client.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { Ai } from './modules/ai/ai.runtime.ts';
import type { ApiKeyUsage } from './modules/api-keys/api-keys.service.ts';
import type { Auth } from './modules/auth/auth.ts';
import type { Billing } from './modules/billing/billing.runtime.ts';
import type { EventHub } from './modules/events/event-hub.ts';
import type { Mailer } from './modules/mail/mailer.ts';

/** The Fastify instance every route module receives, typed for Zod schemas. */
export type AppInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppDeps {
  config: AppConfig;
  database: Database;
  jobs: JobQueue;
  mailer: Mailer;
  auth: Auth;
  events: EventHub;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
    database: Database;
    jobs: JobQueue;
    mailer: Mailer;
    auth: Auth;
    events: EventHub;
    /** Plans, subscriptions and the payment provider (decorated by the runtime). */
    billing: Billing;
    /** The AI gateway and what AI services need (decorated by the runtime). */
    ai: Ai;
    apiKeyUsage: ApiKeyUsage;
    routeInventory: { method: string; url: string }[];
  }
}
