/**
 * Tenant events: every change worth showing live (task, project, comment, member) is appended to the
 * tenant's event log inside the change's own transaction. Live-update streams read from it.
 */
import type { AppDb, Tx } from '../../db/client.ts';
import { sendWithCommit } from '../../db/tenant.ts';
import { requestContext } from '../../lib/request-context.ts';
import { fanOutEvent, WEBHOOK_EVENTS } from '../webhooks/webhooks.service.ts';
import { insertEvent, notifyEventCommitted, notifyEventStored } from './events.repository.ts';

export interface TenantEvent {
  type: string;
  entityId: string;
  /** Users for whom this entity is "own" (creator, assignee); guests receive only those. */
  ownerIds?: (string | null | undefined)[];
  data: Record<string, unknown>;
}

/** The users an event is "own" for, as its row stores them. */
export const eventOwners = (event: Pick<TenantEvent, 'ownerIds'>): string[] =>
  (event.ownerIds ?? []).filter((x): x is string => typeof x === 'string');

/** One delivery (and job) per subscribed webhook; the subscriptions are usually cached. */
async function deliverToWebhooks(tx: Tx, tenantId: string, event: TenantEvent): Promise<void> {
  if ((WEBHOOK_EVENTS as readonly string[]).includes(event.type)) {
    await fanOutEvent(tx, requestContext.getStore()?.jobs, tenantId, { type: event.type, data: { id: event.entityId, ...event.data } });
  }
}

export async function emitEvent(tx: Tx, tenantId: string, event: TenantEvent): Promise<void> {
  const row = { tenantId, type: event.type, entityId: event.entityId, ownerIds: eventOwners(event), data: event.data };
  await deliverToWebhooks(tx, tenantId, event);
  // The event row travels with the COMMIT (db/tenant.ts): nothing in the transaction reads it back.
  await sendWithCommit(() => insertEvent(tx, row));
}

/**
 * For an event whose row the change's own statement wrote (a task's create, tasks.repository.ts): the
 * webhook deliveries and the live-update wake-up that emitEvent would have sent with it.
 */
export async function eventWritten(tx: Tx, tenantId: string, eventId: number, event: TenantEvent): Promise<void> {
  await deliverToWebhooks(tx, tenantId, event);
  await notifyEventCommitted(tx, tenantId, eventId);
}

/**
 * For an event row written by a statement that committed on its own (a task's create with no webhook
 * subscribed to it): the live-update wake-up. Deliveries need a transaction; such a caller checked that
 * there are none (webhooks.service.ts, cachedSubscriberCount).
 */
export function eventStored(db: AppDb, tenantId: string, eventId: number): void {
  notifyEventStored(db, tenantId, eventId);
}
