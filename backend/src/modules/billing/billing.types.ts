import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from '../../config.ts';
import type { AppDb } from '../../db/client.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { Actor } from '../audit/audit.service.ts';
import type { BillingProvider } from './providers/types.ts';

/** What every billing service and job works with (built once per process by createBilling). */
export interface BillingDeps {
  config: AppConfig;
  db: AppDb;
  jobs: JobQueue;
  log: FastifyBaseLogger;
  provider: BillingProvider;
}

export const WEBHOOK_PATH = '/api/v1/webhooks/stripe';

export const BILLING_WEBHOOK_JOB = 'billing.webhook';
export const BILLING_LIFECYCLE_JOB = 'billing.lifecycle';
export const BILLING_RECONCILE_JOB = 'billing.reconcile';

/** Changes that arrive from the provider (webhooks) or from time passing (jobs). */
export const BILLING_SYSTEM_ACTOR: Actor = { type: 'system', id: 'billing' };

/** The webhook events billing acts on; any other type is acknowledged and ignored. */
export const HANDLED_EVENTS = new Set([
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
]);
