/**
 * Tenant events: every change worth showing live (task, project, comment, member) is appended to the
 * tenant's event log inside the change's own transaction. Live-update streams read from it.
 */
import type { Tx } from '../../db/client.ts';
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

export async function emitEvent(tx: Tx, tenantId: string, event: TenantEvent) {
  const row = {
    tenantId,
    type: event.type,
    entityId: event.entityId,
    ownerIds: (event.ownerIds ?? []).filter((x): x is string => typeof x === 'string'),
    data: event.data,
  };
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event.type)) return insertEvent(tx, row);
  // Independent statements, sent together (pipelined on PostgreSQL).
  const [, id] = await Promise.all([
    fanOutEvent(tx, requestContext.getStore()?.jobs, tenantId, { type: event.type, data: { id: event.entityId, ...event.data } }),
    insertEvent(tx, row),
  ]);
  return id;
}
