/**
 * Tenant events: every change worth showing live (task, project, comment, member) is appended to the
 * tenant's event log inside the change's own transaction. Live-update streams read from it.
 */
import type { Tx } from '../../db/client.ts';
import { sendWithCommit } from '../../db/tenant.ts';
import { requestContext } from '../../lib/request-context.ts';
import { fanOutEvent, WEBHOOK_EVENTS } from '../webhooks/webhooks.service.ts';
import { insertEvent } from './events.repository.ts';

export interface TenantEvent {
  type: string;
  entityId: string;
  /** Users for whom this entity is "own" (creator, assignee); guests receive only those. */
  ownerIds?: (string | null | undefined)[];
  data: Record<string, unknown>;
}

export async function emitEvent(tx: Tx, tenantId: string, event: TenantEvent): Promise<void> {
  const row = {
    tenantId,
    type: event.type,
    entityId: event.entityId,
    ownerIds: (event.ownerIds ?? []).filter((x): x is string => typeof x === 'string'),
    data: event.data,
  };
  if ((WEBHOOK_EVENTS as readonly string[]).includes(event.type)) {
    // One delivery (and job) per subscribed webhook; the subscriptions are usually cached.
    await fanOutEvent(tx, requestContext.getStore()?.jobs, tenantId, { type: event.type, data: { id: event.entityId, ...event.data } });
  }
  // The event row travels with the COMMIT (db/tenant.ts): nothing in the transaction reads it back.
  await sendWithCommit(() => insertEvent(tx, row));
}
