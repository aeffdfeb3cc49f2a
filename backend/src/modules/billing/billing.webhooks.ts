/**
 * Provider webhooks: receive fast, apply once, in order.
 *
 * 1. `receiveWebhook` (the HTTP handler's service): verifies the signature over the raw body, finds
 *    the tenant, and in ONE transaction inserts the event into the ledger (primary key = event id) and
 *    enqueues the job that applies it. A duplicate delivery inserts nothing and enqueues nothing.
 * 2. `processWebhookEvent` (the job): locks the ledger row; if it is not processed yet, applies the
 *    event and marks the row processed in the same transaction as the effect. Ten deliveries, one
 *    effect, one audit row.
 * 3. Order safety: an event older than the subscription's last applied change is recorded as `stale`
 *    and changes nothing; on the same second, deleted > updated > created (see billing.state.ts).
 */
import type { Tx } from '../../db/client.ts';
import { withMaintenance, withTenant } from '../../db/tenant.ts';
import { clock } from '../../lib/clock.ts';
import { AppError, serviceUnavailable } from '../../lib/errors.ts';
import * as repo from './billing.repository.ts';
import { commitSubscription, isLive, isStale, pastDuePatch, resolvePlan, snapshotPatch } from './billing.state.ts';
import { BILLING_SYSTEM_ACTOR, BILLING_WEBHOOK_JOB, type BillingDeps, HANDLED_EVENTS } from './billing.types.ts';
import {
  checkoutSessionRefs,
  eventRefs,
  invoiceSubscriptionId,
  isWebhookEvent,
  normalizeSubscription,
} from './providers/stripe-objects.ts';
import type { WebhookEvent } from './providers/types.ts';

export type ReceiveStatus = 'queued' | 'duplicate' | 'ignored';

export async function receiveWebhook(
  deps: BillingDeps,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<{ status: ReceiveStatus; eventId?: string }> {
  if (!deps.config.billing.webhookSecret) throw serviceUnavailable('Webhooks cannot be verified: STRIPE_WEBHOOK_SECRET is not set');
  if (!signature) throw invalidSignature('The Stripe-Signature header is missing');
  let event: WebhookEvent;
  try {
    event = deps.provider.verifyWebhook(rawBody, signature);
  } catch (err) {
    deps.log.warn({ reason: (err as Error).message }, 'rejected webhook');
    throw invalidSignature('The webhook signature does not match the body, or its timestamp is outside the 300 s tolerance');
  }
  if (!isWebhookEvent(event)) throw new AppError('validation_error', 'The webhook body is not an event');
  if (!HANDLED_EVENTS.has(event.type)) return { status: 'ignored', eventId: event.id };

  const tenantId = await tenantOfEvent(deps, event);
  if (!tenantId) {
    deps.log.warn({ eventId: event.id, type: event.type }, 'webhook event for no known tenant: ignored');
    return { status: 'ignored', eventId: event.id };
  }
  const status = await withTenant(deps.db, { tenantId }, async (tx): Promise<ReceiveStatus> => {
    if (!(await repo.findTenantForBilling(tx, tenantId))) return 'ignored';
    const inserted = await repo.insertLedgerEvent(tx, {
      id: event.id,
      tenantId,
      provider: deps.provider.name,
      type: event.type,
      eventCreatedAt: new Date(event.created * 1000),
      payload: event as unknown as Record<string, unknown>,
    });
    if (!inserted) return 'duplicate';
    await deps.jobs.send(BILLING_WEBHOOK_JOB, { eventId: event.id, tenantId }, { tx });
    return 'queued';
  });
  return { status, eventId: event.id };
}

function invalidSignature(message: string) {
  return new AppError('validation_error', message, [{ location: 'headers', path: 'stripe-signature', message: 'Invalid signature' }]);
}

/** The tenant an event belongs to: the customer or subscription we recorded, else the tenant id we put in its metadata. */
async function tenantOfEvent(deps: BillingDeps, event: WebhookEvent): Promise<string | null> {
  const refs = eventRefs(event);
  const known = await withMaintenance(deps.db, (tx) => repo.findTenantByProviderRefs(tx, refs));
  return known ?? refs.tenantId;
}

/** The job: applies one received event, once. */
export async function processWebhookEvent(deps: BillingDeps, input: { eventId: string; tenantId: string }): Promise<string | undefined> {
  return withTenant(deps.db, { tenantId: input.tenantId }, async (tx) => {
    const row = await repo.lockLedgerEvent(tx, input.tenantId, input.eventId);
    if (!row || row.processedAt) return row?.outcome ?? undefined;
    const outcome = await applyEvent(tx, deps, input.tenantId, row.payload as unknown as WebhookEvent);
    await repo.markLedgerEvent(tx, input.tenantId, input.eventId, outcome, clock.now());
    if (outcome !== 'applied') deps.log.info({ eventId: input.eventId, type: row.type, outcome }, 'webhook event not applied');
    return outcome;
  });
}

const TYPE_ORDER: Record<string, number> = {
  'checkout.session.completed': 0,
  'customer.subscription.created': 1,
  'invoice.paid': 2,
  'invoice.payment_failed': 2,
  'customer.subscription.updated': 3,
  'customer.subscription.deleted': 4,
};

/**
 * Applies the tenant's received but unprocessed events now, oldest first (the offline provider uses
 * it so a checkout's effect is visible when the browser comes back). The queued jobs then find them
 * processed and do nothing.
 */
export async function settleTenantEvents(deps: BillingDeps, tenantId: string): Promise<void> {
  const pending = await withTenant(deps.db, { tenantId }, (tx) => repo.findPendingLedgerEvents(tx, tenantId));
  pending.sort((a, b) => a.eventCreatedAt.getTime() - b.eventCreatedAt.getTime() || (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9));
  for (const e of pending) await processWebhookEvent(deps, { eventId: e.id, tenantId });
}

type Outcome = 'applied' | 'stale' | 'ignored';

async function applyEvent(tx: Tx, deps: BillingDeps, tenantId: string, event: WebhookEvent): Promise<Outcome> {
  const now = clock.now();
  const at = new Date(event.created * 1000);
  const before = await repo.lockSubscription(tx, tenantId);
  const obj = event.data.object;
  const base = { actor: BILLING_SYSTEM_ACTOR, now, metadata: { eventId: event.id, eventType: event.type } };
  const timeline = { lastEventAt: at, lastEventType: event.type };
  const graceDays = deps.config.billing.graceDays;

  switch (event.type) {
    case 'checkout.session.completed': {
      const refs = checkoutSessionRefs(obj);
      if (refs.mode !== 'subscription') return 'ignored';
      // The subscription's state arrives with its own events; this links the ids to the tenant.
      const link = !isLive(before, now) && refs.subscriptionId !== null;
      if (!link && refs.subscriptionId && refs.subscriptionId !== before.providerSubscriptionId) {
        deps.log.error({ tenantId, subscriptionId: refs.subscriptionId }, 'a second checkout completed while a subscription is live');
      }
      await commitSubscription(
        tx,
        tenantId,
        {
          provider: deps.provider.name,
          providerCustomerId: refs.customerId ?? before.providerCustomerId,
          ...(link ? { providerSubscriptionId: refs.subscriptionId } : {}),
        },
        { ...base, action: 'billing.checkout_completed', metadata: { ...base.metadata, subscriptionId: refs.subscriptionId } },
      );
      return 'applied';
    }

    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const snap = normalizeSubscription(obj);
      if (!snap.id) return 'ignored';
      if (before.providerSubscriptionId && before.providerSubscriptionId !== snap.id && isLive(before, now)) {
        deps.log.warn(
          { tenantId, subscriptionId: snap.id, current: before.providerSubscriptionId },
          'event for another subscription than the live one',
        );
        return 'ignored';
      }
      if (before.providerSubscriptionId === snap.id && isStale(before, at, event.type)) return 'stale';
      const ended = event.type === 'customer.subscription.deleted';
      const plan = await resolvePlan(tx, snap);
      if (!plan && !ended) {
        deps.log.error(
          { tenantId, priceId: snap.priceId, eventId: event.id },
          'subscription for an unknown price: configure STRIPE_PRICE_*',
        );
        return 'ignored';
      }
      const patch = snapshotPatch(before, snap, plan, at, { provider: deps.provider.name, graceDays, ended });
      const action = ended
        ? 'billing.subscription_ended'
        : event.type === 'customer.subscription.created'
          ? 'billing.subscription_created'
          : 'billing.subscription_updated';
      await commitSubscription(tx, tenantId, { ...patch, ...timeline }, { ...base, action });
      return 'applied';
    }

    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const subscriptionId = invoiceSubscriptionId(obj);
      if (!subscriptionId || subscriptionId !== before.providerSubscriptionId) return 'ignored';
      if (isStale(before, at, event.type)) return 'stale';
      if (before.status === 'canceled') return 'ignored';
      if (event.type === 'invoice.paid') {
        const restoring = before.status === 'past_due';
        const status = before.status === 'past_due' || before.status === 'incomplete' ? 'active' : before.status;
        await commitSubscription(
          tx,
          tenantId,
          { status, ...pastDuePatch(before, status, at, graceDays), downgradedAt: null, ...timeline },
          { ...base, action: restoring ? 'billing.restored' : 'billing.payment_succeeded', planChangeAction: !restoring },
        );
        return 'applied';
      }
      // A failed first payment leaves an incomplete subscription without paid features (no grace).
      const status = before.status === 'incomplete' ? 'incomplete' : 'past_due';
      await commitSubscription(
        tx,
        tenantId,
        { status, ...pastDuePatch(before, status, at, graceDays), ...timeline },
        { ...base, action: 'billing.payment_failed', planChangeAction: false },
      );
      return 'applied';
    }

    default:
      return 'ignored';
  }
}
