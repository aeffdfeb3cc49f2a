import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { tenantEvents } from '../../db/schema/index.ts';

export const EVENTS_CHANNEL = 'atrium_events';

export type TenantEventRow = typeof tenantEvents.$inferSelect;

/** Inserts the event and notifies listeners; NOTIFY is delivered only if the transaction commits. */
export async function insertEvent(
  tx: Tx,
  e: { tenantId: string; type: string; entityId: string; ownerIds: string[]; data: Record<string, unknown> },
) {
  // One statement: the row, and the notification that carries its id (sent at COMMIT, like the row).
  // (Drizzle puts an embedded query in parentheses: `with e as (insert … returning id)`.)
  const inserted = tx.insert(tenantEvents).values(e).returning({ id: tenantEvents.id });
  const result = (await tx.execute(
    sql`with e as ${inserted} select e.id, pg_notify(${EVENTS_CHANNEL}, ${e.tenantId}::text || ':' || e.id) from e`,
  )) as unknown as { rows: { id: string | number }[] };
  const id = result.rows[0]?.id;
  return id === undefined ? undefined : Number(id);
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
