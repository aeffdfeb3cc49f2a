/**
 * Billing, as the tenant sees it: the subscription with its entitlements and usage, checkout, the
 * customer portal, cancel at period end, resume, and on-demand reconciliation.
 *
 * Calls to the payment provider never run inside a database transaction (a slow provider must not
 * hold a transaction open). A request reads what it needs first (a lookup, which does not claim its
 * Idempotency-Key), calls the provider, and then records the outcome and its audit row in one
 * transaction: a failed provider call changes nothing and may simply be retried.
 */
import type { Tx } from '../../db/client.ts';
import type { BillingInterval } from '../../db/schema/index.ts';
import { withScope, withTenant } from '../../db/tenant.ts';
import { clock } from '../../lib/clock.ts';
import { AppError, conflict, serviceUnavailable } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { type Entitlements, getEntitlements } from '../plans/entitlements.ts';
import { PLANS, TRIAL_DAYS } from '../plans/plans.config.ts';
import { findPlan } from '../plans/plans.repository.ts';
import { countMembers, readUsage } from '../plans/usage.repository.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './billing.repository.ts';
import { commitSubscription, isLive, resolvePlan, snapshotPatch, wholeSecond } from './billing.state.ts';
import { BILLING_RECONCILE_JOB, type BillingDeps } from './billing.types.ts';

/** Usage metric of AI tokens in a calendar month (UTC), as the AI capability records it. */
export const aiTokensMetric = (now: Date) => `ai_tokens:${now.toISOString().slice(0, 7)}`;

const planRank = (planId: string) => PLANS.findIndex((p) => p.id === planId);

function usageLine(used: number, limit: number) {
  return { used, limit, unlimited: limit < 0, overLimit: limit >= 0 && used > limit };
}

export function toSubscription(
  sub: repo.SubscriptionRow | undefined,
  ent: Entitlements,
  usage: Record<string, number>,
  members: number,
  now: Date,
) {
  const status = sub?.status ?? 'active';
  const graceUntil = sub?.graceUntil ?? null;
  const lines = {
    members: usageLine(members, ent.limits.members),
    projects: usageLine(usage.projects ?? 0, ent.limits.projects),
    tasks: usageLine(usage.tasks ?? 0, ent.limits.tasks),
    ai_tokens_per_month: usageLine(usage[aiTokensMetric(now)] ?? 0, ent.limits.ai_tokens_per_month),
  };
  return {
    planId: ent.planId,
    planName: ent.planName,
    subscribedPlanId: sub?.planId ?? 'free',
    status,
    interval: sub?.interval ?? null,
    provider: sub?.provider ?? null,
    currentPeriodStart: sub?.currentPeriodStart?.toISOString() ?? null,
    currentPeriodEnd: sub?.currentPeriodEnd?.toISOString() ?? null,
    cancelAtPeriodEnd: sub?.cancelAtPeriodEnd ?? false,
    canceledAt: sub?.canceledAt?.toISOString() ?? null,
    trialEnd: sub?.trialEnd?.toISOString() ?? null,
    trialAvailable: !sub?.trialUsed,
    seats: sub?.seats ?? 1,
    pastDue: status === 'past_due',
    graceUntil: graceUntil?.toISOString() ?? null,
    inGracePeriod: status === 'past_due' && graceUntil !== null && graceUntil.getTime() > now.getTime(),
    // Entitled to less than the plan subscribed to (grace period over, or the period ended).
    downgraded: planRank(ent.planId) < planRank(sub?.planId ?? 'free'),
    entitlements: { features: ent.features, limits: ent.limits },
    usage: lines,
    overLimit: Object.values(lines).some((l) => l.overLimit),
  };
}

export type SubscriptionDto = ReturnType<typeof toSubscription>;

async function readSubscription(tx: Tx, tenantId: string): Promise<SubscriptionDto> {
  const now = clock.now();
  const sub = await repo.findSubscription(tx, tenantId);
  const ent = await getEntitlements(tx, tenantId, now);
  return toSubscription(sub, ent, await readUsage(tx, tenantId), await countMembers(tx, tenantId), now);
}

export async function getSubscription(deps: Pick<BillingDeps, 'db'>, ctx: TenantContext): Promise<SubscriptionDto> {
  return withTenant(deps.db, ctx, (tx) => readSubscription(tx, ctx.tenantId));
}

/** A provider call: its failure is a 503 for the caller (and an error in the log), never a 500. */
async function callProvider<T>(deps: BillingDeps, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    deps.log.error({ err, call: what, provider: deps.provider.name }, 'payment provider call failed');
    throw serviceUnavailable('The payment provider did not answer as expected; nothing was changed, try again in a moment');
  }
}

const billingPage = (deps: BillingDeps, tenantId: string, query: string) => `${deps.config.webUrl}/w/${tenantId}/billing${query}`;

export async function startCheckout(
  deps: BillingDeps,
  ctx: TenantContext,
  input: { planId: 'pro' | 'business'; interval: BillingInterval },
) {
  if (deps.provider.name === 'offline' && !deps.config.billing.offlineCheckoutEnabled) {
    throw serviceUnavailable('Billing is not set up on this server (STRIPE_SECRET_KEY is not configured)');
  }
  const now = clock.now();
  const state = await withScope(
    deps.db,
    ctx,
    async (tx) => ({
      plan: await findPlan(tx, input.planId),
      sub: await repo.findSubscription(tx, ctx.tenantId),
      tenant: await repo.findTenantForBilling(tx, ctx.tenantId),
    }),
    { lookup: true },
  );
  if (!state.plan?.active || state.plan.id === 'free' || !state.tenant) {
    throw new AppError('validation_error', 'Unknown plan', [{ location: 'body', path: 'planId', message: 'Not a paid plan' }]);
  }
  if (state.sub && isLive(state.sub, now)) {
    throw conflict('This workspace already has a subscription; change or cancel it in the billing portal', {
      planId: state.sub.planId,
      status: state.sub.status,
    });
  }
  const priceId = input.interval === 'monthly' ? state.plan.stripePriceMonthly : state.plan.stripePriceYearly;
  if (deps.provider.name === 'stripe' && !priceId) {
    throw serviceUnavailable(`The ${state.plan.name} plan (${input.interval}) cannot be bought yet: no Stripe price is configured`);
  }
  const sameProvider = state.sub?.provider === deps.provider.name;
  const customerId =
    sameProvider && state.sub?.providerCustomerId
      ? state.sub.providerCustomerId
      : (
          await callProvider(deps, 'createCustomer', () =>
            deps.provider.createCustomer({ tenantId: ctx.tenantId, name: state.tenant?.name ?? '' }),
          )
        ).id;
  const trialDays = state.sub?.trialUsed ? 0 : TRIAL_DAYS;
  const session = await callProvider(deps, 'createCheckoutSession', () =>
    deps.provider.createCheckoutSession({
      tenantId: ctx.tenantId,
      customerId,
      planId: input.planId,
      interval: input.interval,
      priceId,
      trialDays,
      successUrl: billingPage(deps, ctx.tenantId, '?checkout=success'),
      cancelUrl: billingPage(deps, ctx.tenantId, '?checkout=canceled'),
    }),
  );
  await withTenant(deps.db, ctx, async (tx) => {
    const sub = await repo.lockSubscription(tx, ctx.tenantId);
    if (sub.provider !== deps.provider.name || sub.providerCustomerId !== customerId) {
      await repo.updateSubscription(tx, ctx.tenantId, { provider: deps.provider.name, providerCustomerId: customerId });
    }
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'billing.checkout_started',
      targetType: 'subscription',
      targetId: sub.id,
      metadata: { planId: input.planId, interval: input.interval, trialDays, sessionId: session.id, provider: deps.provider.name },
    });
  });
  return { url: session.url };
}

export async function openPortal(deps: BillingDeps, ctx: TenantContext) {
  const sub = await withScope(deps.db, ctx, (tx) => repo.findSubscription(tx, ctx.tenantId), { lookup: true });
  if (!sub?.providerCustomerId || sub.provider !== deps.provider.name) {
    throw conflict('This workspace has no billing account yet; choose a plan first');
  }
  const customerId = sub.providerCustomerId;
  const portal = await callProvider(deps, 'createPortalSession', () =>
    deps.provider.createPortalSession({ tenantId: ctx.tenantId, customerId, returnUrl: billingPage(deps, ctx.tenantId, '') }),
  );
  await withTenant(deps.db, ctx, (tx) =>
    recordAudit(tx, ctx.tenantId, ctx.actor, { action: 'billing.portal_opened', targetType: 'subscription', targetId: sub.id }),
  );
  return { url: portal.url };
}

/** Cancel at the end of the paid period (`cancel: true`), or undo that before the period ends. */
async function setCancelAtPeriodEnd(deps: BillingDeps, ctx: TenantContext, cancel: boolean) {
  const now = clock.now();
  const sub = await withScope(deps.db, ctx, (tx) => repo.findSubscription(tx, ctx.tenantId), { lookup: true });
  if (!sub || !isLive(sub, now) || !sub.providerSubscriptionId || sub.provider !== deps.provider.name) {
    throw conflict(
      cancel ? 'There is no paid subscription to cancel' : 'There is no subscription to resume; its period has ended, choose a plan again',
    );
  }
  if (sub.cancelAtPeriodEnd === cancel) return withTenant(deps.db, ctx, (tx) => readSubscription(tx, ctx.tenantId));
  const snap = await callProvider(deps, 'setCancelAtPeriodEnd', () => deps.provider.setCancelAtPeriodEnd({ subscription: sub, cancel }));
  return withTenant(deps.db, ctx, async (tx) => {
    const before = await repo.lockSubscription(tx, ctx.tenantId);
    const at = wholeSecond(clock.now());
    const plan = await resolvePlan(tx, snap);
    const patch = snapshotPatch(before, snap, plan, at, { provider: deps.provider.name, graceDays: deps.config.billing.graceDays });
    // The provider's answer is its state now: events older than this second no longer apply.
    const timeline = !before.lastEventAt || before.lastEventAt.getTime() < at.getTime() ? { lastEventAt: at, lastEventType: 'sync' } : {};
    await commitSubscription(
      tx,
      ctx.tenantId,
      { ...patch, ...timeline },
      {
        actor: ctx.actor,
        action: cancel ? 'billing.canceled' : 'billing.resumed',
        now: clock.now(),
        metadata: { currentPeriodEnd: snap.currentPeriodEnd?.toISOString() ?? null },
        planChangeAction: false,
      },
    );
    return readSubscription(tx, ctx.tenantId);
  });
}

export const cancelSubscription = (deps: BillingDeps, ctx: TenantContext) => setCancelAtPeriodEnd(deps, ctx, true);
export const resumeSubscription = (deps: BillingDeps, ctx: TenantContext) => setCancelAtPeriodEnd(deps, ctx, false);

/** Queues a reconciliation of this tenant's subscription with the provider (202). */
export async function requestReconcile(deps: BillingDeps, ctx: TenantContext) {
  const jobId = await deps.jobs.send(BILLING_RECONCILE_JOB, { tenantId: ctx.tenantId }, { singletonKey: `reconcile:${ctx.tenantId}` });
  return { queued: true as const, jobId: jobId ?? null, provider: deps.provider.name };
}
