/**
 * Billing's place in the runtime: the plan catalogue seeded at start-up, and one `Billing` per process
 * (the provider chosen by configuration, plus what services and jobs need). The HTTP app is attached
 * once built, so the offline provider can post its events to the real webhook route (`app.inject`); a
 * worker without HTTP hands them to the same webhook service directly.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppConfig } from '../../config.ts';
import type { AppDb, Database } from '../../db/client.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { AppInstance } from '../../types.ts';
import { planCatalogue } from '../plans/plans.config.ts';
import { upsertPlans } from '../plans/plans.repository.ts';
import { type BillingDeps, WEBHOOK_PATH } from './billing.types.ts';
import { receiveWebhook, settleTenantEvents } from './billing.webhooks.ts';
import { OfflineProvider } from './providers/offline.ts';
import { StripeProvider } from './providers/stripe.ts';
import type { BillingProvider } from './providers/types.ts';

/** Upserts the plans table from plans.config.ts and the configured Stripe price ids (as the owner role). */
export async function seedPlans(database: Database, config: AppConfig): Promise<void> {
  await database.withOwner((runner) => upsertPlans(runner, planCatalogue(config.billing)));
}

export class Billing implements BillingDeps {
  readonly config: AppConfig;
  readonly db: AppDb;
  readonly jobs: JobQueue;
  readonly log: FastifyBaseLogger;
  readonly provider: BillingProvider;
  private app: AppInstance | undefined;

  constructor(deps: { config: AppConfig; db: AppDb; jobs: JobQueue; log: FastifyBaseLogger }) {
    this.config = deps.config;
    this.db = deps.db;
    this.jobs = deps.jobs;
    this.log = deps.log.child({ module: 'billing' });
    this.provider =
      deps.config.billing.provider === 'stripe'
        ? new StripeProvider(deps.config.billing)
        : new OfflineProvider(deps.config, {
            deliver: (payload, signature) => this.deliverWebhook(payload, signature),
            settle: (tenantId) => settleTenantEvents(this, tenantId),
          });
  }

  /** The offline provider, when it is the one configured. */
  get offline(): OfflineProvider | undefined {
    return this.provider instanceof OfflineProvider ? this.provider : undefined;
  }

  attachApp(app: AppInstance): void {
    this.app = app;
  }

  /** Posts a signed event to the webhook route, exactly as the provider would. */
  private async deliverWebhook(payload: string, signature: string): Promise<void> {
    if (!this.app) {
      await receiveWebhook(this, Buffer.from(payload), signature);
      return;
    }
    const res = await this.app.inject({
      method: 'POST',
      url: WEBHOOK_PATH,
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload,
    });
    if (res.statusCode >= 300) throw new Error(`the webhook refused an offline event: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
}

export function createBilling(deps: { config: AppConfig; db: AppDb; jobs: JobQueue; log: FastifyBaseLogger }): Billing {
  return new Billing(deps);
}
