/**
 * Outgoing webhooks: a tenant registers a URL and the events it wants; each matching event becomes a
 * delivery, queued in the same transaction as the change, signed (HMAC-SHA256 over timestamp and
 * body with a secret shown once), sent by a job with exponential backoff, logged per attempt, and
 * the webhook is switched off (with a mail to the admins) after repeated failure.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AppConfig } from '../../config.ts';
import type { AppDb, Tx } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { cached, cacheKeys, peekCached } from '../../lib/cache.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { decryptSecret, encryptSecret, generateSecret } from '../../lib/secrets.ts';
import { assertPublicUrl, guardedLookup, UnsafeUrlError } from '../../lib/ssrf.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { queueMail } from '../mail/mail.jobs.ts';
import { assertFeature } from '../plans/limits.service.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './webhooks.repository.ts';

export const WEBHOOK_EVENTS = [
  'task.created',
  'task.updated',
  'task.deleted',
  'project.created',
  'project.updated',
  'project.archived',
  'comment.created',
  'member.joined',
  'member.removed',
  'subscription.updated',
] as const;
export const DELIVER_WEBHOOK_JOB = 'webhooks.deliver';
/** Deliveries that exhaust their retries, in a row, before the webhook is switched off. */
export const DISABLE_AFTER_FAILED_DELIVERIES = 5;
const TIMEOUT_MS = 10_000;

function toWebhook(w: repo.WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    description: w.description,
    active: w.active,
    consecutiveFailures: w.consecutiveFailures,
    disabledAt: w.disabledAt?.toISOString() ?? null,
    disabledReason: w.disabledReason,
    createdAt: w.createdAt.toISOString(),
  };
}

function toDelivery(d: repo.DeliveryRow) {
  return {
    id: d.id,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    payload: d.payload,
  };
}

export async function createWebhook(
  db: AppDb,
  config: AppConfig,
  ctx: TenantContext,
  data: { url: string; events: string[]; description?: string | null },
) {
  try {
    await assertPublicUrl(data.url, { allowPrivate: config.webhooks.allowPrivateUrls, requireHttps: config.isProduction });
  } catch (err) {
    if (!(err instanceof UnsafeUrlError)) throw err;
    throw new AppError('validation_error', `The webhook URL ${err.message}`, [{ location: 'body', path: 'url', message: err.message }]);
  }
  const secret = generateSecret('whsec_', 32);
  return withTenant(db, ctx, async (tx) => {
    await assertFeature(tx, ctx.tenantId, 'webhooks');
    const w = await repo.insertWebhook(tx, {
      id: newId('whk'),
      tenantId: ctx.tenantId,
      url: data.url,
      events: [...new Set(data.events)],
      description: data.description ?? null,
      secretEncrypted: encryptSecret(config.auth.secret, secret),
      createdBy: ctx.userId,
    });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'webhook.created',
      targetType: 'webhook',
      targetId: w.id,
      metadata: { url: w.url, events: w.events },
    });
    return { ...toWebhook(w), secret };
  });
}

export async function listWebhooks(db: AppDb, ctx: TenantContext) {
  return withTenant(db, ctx, async (tx) => (await repo.findWebhooks(tx, ctx.tenantId)).map(toWebhook));
}

export async function deleteWebhook(db: AppDb, ctx: TenantContext, webhookId: string) {
  return withTenant(db, ctx, async (tx) => {
    if (!(await repo.deleteWebhookRow(tx, ctx.tenantId, webhookId))) throw notFound('Webhook');
    await recordAudit(tx, ctx.tenantId, ctx.actor, { action: 'webhook.deleted', targetType: 'webhook', targetId: webhookId });
    return { id: webhookId, deleted: true as const };
  });
}

export async function listDeliveries(db: AppDb, ctx: TenantContext, webhookId: string, q: { limit: number; cursor?: string }) {
  return withTenant(db, ctx, async (tx) => {
    if (!(await repo.findWebhook(tx, ctx.tenantId, webhookId))) throw notFound('Webhook');
    const c = q.cursor ? decodeCursor(q.cursor, 2) : undefined;
    const rows = await repo.findDeliveries(
      tx,
      ctx.tenantId,
      webhookId,
      q.limit,
      c ? { createdAt: new Date(String(c[0])), id: String(c[1]) } : undefined,
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map(toDelivery),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  });
}

const WEBHOOKS_TTL_SECONDS = 300;

/**
 * The active webhooks listening to `eventType` (or to `*`). Every task, project and comment write asks,
 * so the tenant's list is cached (lib/cache.ts, strict: the repository invalidates it everywhere when a
 * webhook is created, deleted or switched off, and it is read from the database where invalidations
 * cannot reach every instance).
 */
async function subscribedWebhooks(tx: Tx, tenantId: string, eventType: string) {
  const active = await cached('webhooks', cacheKeys.webhooks(tenantId), WEBHOOKS_TTL_SECONDS, () => repo.findActiveWebhooks(tx, tenantId));
  return active.filter((w) => w.events.includes(eventType) || w.events.includes('*'));
}

/**
 * How many webhooks subscribe to `eventType` in the tenant, if the cache knows (undefined otherwise):
 * an event with none needs no transaction of its own for deliveries.
 */
export async function cachedSubscriberCount(tenantId: string, eventType: string): Promise<number | undefined> {
  const active = await peekCached<Awaited<ReturnType<typeof repo.findActiveWebhooks>>>('webhooks', cacheKeys.webhooks(tenantId));
  return active?.filter((w) => w.events.includes(eventType) || w.events.includes('*')).length;
}

/** Called for every tenant event inside its transaction: one delivery (and job) per subscribed webhook. */
export async function fanOutEvent(
  tx: Tx,
  jobs: JobQueue | undefined,
  tenantId: string,
  event: { type: string; data: Record<string, unknown> },
) {
  const targets = await subscribedWebhooks(tx, tenantId, event.type);
  if (targets.length === 0) return;
  if (!jobs) throw new Error(`event ${event.type} has webhook subscribers but no job queue is available to deliver it`);
  for (const target of targets) {
    const id = newId('dlv');
    const payload = { id, type: event.type, tenantId, createdAt: new Date().toISOString(), data: event.data };
    await repo.insertDelivery(tx, { id, tenantId, webhookId: target.id, eventType: event.type, payload });
    await jobs.send(DELIVER_WEBHOOK_JOB, { tenantId, deliveryId: id }, { tx });
  }
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: what receivers verify. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

interface PostResult {
  status?: number;
  error?: string;
}

function post(url: string, body: string, headers: Record<string, string>, allowPrivate: boolean): Promise<PostResult> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
        timeout: TIMEOUT_MS,
        lookup: guardedLookup(allowPrivate) as never,
      },
      (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 65_536) res.destroy(); // we only need the status
        });
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', () => resolve({ status: res.statusCode }));
        res.on('close', () => resolve({ status: res.statusCode }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
}

/** Job handler: one attempt at one delivery. Throws to have the queue retry with backoff. */
export async function deliverWebhook(
  deps: { db: AppDb; config: AppConfig; jobs: JobQueue },
  data: { tenantId: string; deliveryId: string },
  attempt: number,
) {
  const { tenantId, deliveryId } = data;
  const loaded = await withTenant(deps.db, { tenantId }, async (tx) => {
    const delivery = await repo.findDelivery(tx, tenantId, deliveryId);
    const webhook = delivery ? await repo.findWebhook(tx, tenantId, delivery.webhookId) : undefined;
    return { delivery, webhook };
  });
  const { delivery, webhook } = loaded;
  if (delivery?.status !== 'pending') return;
  if (!webhook?.active) {
    await withTenant(deps.db, { tenantId }, (tx) =>
      repo.updateDelivery(tx, tenantId, deliveryId, { status: 'failed', lastError: 'webhook removed or disabled' }),
    );
    return;
  }
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await post(
    webhook.url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'Atrium-Webhooks/1.0',
      'atrium-event': delivery.eventType,
      'atrium-delivery': delivery.id,
      'atrium-signature': signPayload(decryptSecret(deps.config.auth.secret, webhook.secretEncrypted), timestamp, body),
    },
    deps.config.webhooks.allowPrivateUrls,
  );
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
  const error = ok
    ? null
    : (result.error ??
      (result.status && result.status >= 300 && result.status < 400
        ? `redirect (${result.status}) not followed`
        : `HTTP ${result.status}`));
  const finalAttempt = attempt > deps.config.webhooks.retries;
  await withTenant(deps.db, { tenantId }, async (tx) => {
    await repo.updateDelivery(tx, tenantId, deliveryId, {
      attempts: attempt,
      lastAttemptAt: new Date(),
      lastStatusCode: result.status ?? null,
      lastError: error,
      ...(ok ? { status: 'succeeded' as const, deliveredAt: new Date() } : finalAttempt ? { status: 'failed' as const } : {}),
    });
    if (ok || finalAttempt) {
      const after = await repo.recordWebhookOutcome(tx, tenantId, webhook.id, ok);
      if (!ok && after && after.consecutiveFailures >= DISABLE_AFTER_FAILED_DELIVERIES) {
        const reason = `${after.consecutiveFailures} deliveries in a row failed (last: ${error})`;
        await repo.disableWebhook(tx, tenantId, webhook.id, reason);
        await recordAudit(
          tx,
          tenantId,
          { type: 'system', id: null },
          { action: 'webhook.disabled', targetType: 'webhook', targetId: webhook.id, metadata: { reason } },
        );
        for (const to of await repo.findAdminEmails(tx, tenantId)) {
          await queueMail(
            deps.jobs,
            {
              to,
              subject: 'An Atrium webhook was switched off',
              text: `The webhook to ${webhook.url} failed ${after.consecutiveFailures} deliveries in a row and has been switched off.\n\nLast error: ${error}\n\nFix the receiver, then create the webhook again in your workspace settings.`,
            },
            tx,
          );
        }
      }
    }
  });
  if (!ok && !finalAttempt) throw new Error(`webhook delivery failed: ${error}`);
}
