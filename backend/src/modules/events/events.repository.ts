import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import type { AppDb, Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { tenantEvents } from '../../db/schema/index.ts';
import { notifyAfterCommit, notifyCommitted } from '../../db/tenant.ts';

export const EVENTS_CHANNEL = 'atrium_events';

export type TenantEventRow = typeof tenantEvents.$inferSelect;

type EventValues = { tenantId: string; type: string; entityId: string; ownerIds: string[]; data: Record<string, unknown> };

// Compiled (db/compiled.ts): every write emits one.
const eventInsert = compiledQuery<EventValues, { id: number }>('events_insert', (tx) =>
  tx
    .insert(tenantEvents)
    .values({
      tenantId: sql.placeholder('tenantId'),
      type: sql.placeholder('type'),
      entityId: sql.placeholder('entityId'),
      ownerIds: sql.placeholder('ownerIds'),
      data: sql.placeholder('data'),
    })
    .returning({ id: tenantEvents.id }),
);

/** Inserts the event; listeners are notified once the transaction has committed (db/tenant.ts). */
export async function insertEvent(tx: Tx, e: EventValues) {
  const [row] = await eventInsert(tx, e);
  const id = row?.id as number;
  await notifyEventCommitted(tx, e.tenantId, id);
  return id;
}

/** For an event whose statement has committed on its own (no transaction around it): wakes the listeners now. */
export function notifyEventStored(db: AppDb, tenantId: string, id: number): void {
  notifyCommitted(db, EVENTS_CHANNEL, `${tenantId}:${id}`);
}

/** Listeners (the live-update hub of every instance) are woken once the event's row is committed. */
export async function notifyEventCommitted(tx: Tx, tenantId: string, id: number): Promise<void> {
  await notifyAfterCommit(tx, EVENTS_CHANNEL, `${tenantId}:${id}`);
}

export async function findEventsAfter(tx: Tx, tenantId: string, afterId: number, limit = 500) {
  return tx
    .select()
    .from(tenantEvents)
    .where(and(eq(tenantEvents.tenantId, tenantId), gt(tenantEvents.id, afterId)))
    .orderBy(asc(tenantEvents.id))
    .limit(limit);
}

export async function latestEventId(tx: Tx, tenantId: string): Promise<number> {
  const rows = await tx
    .select({ id: tenantEvents.id })
    .from(tenantEvents)
    .where(eq(tenantEvents.tenantId, tenantId))
    .orderBy(sql`${tenantEvents.id} desc`)
    .limit(1);
  return rows[0]?.id ?? 0;
}

export async function oldestEventId(tx: Tx, tenantId: string): Promise<number | undefined> {
  const rows = await tx
    .select({ id: tenantEvents.id })
    .from(tenantEvents)
    .where(eq(tenantEvents.tenantId, tenantId))
    .orderBy(asc(tenantEvents.id))
    .limit(1);
  return rows[0]?.id;
}

/** As the maintenance role: removes events older than the replay window, in every tenant. */
export async function pruneExpiredEvents(tx: Tx): Promise<number> {
  const rows = await tx
    .delete(tenantEvents)
    .where(lt(tenantEvents.createdAt, sql`now() - interval '10 minutes'`))
    .returning({ id: tenantEvents.id });
  return rows.length;
}
