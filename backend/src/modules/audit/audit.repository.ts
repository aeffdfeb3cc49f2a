import { and, desc, eq, getTableColumns, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { auditLogs } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';

export type AuditInsert = Omit<typeof auditLogs.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

export async function insertAuditLog(tx: Tx, row: AuditInsert) {
  await tx.insert(auditLogs).values({ id: newId('aud'), ...row });
}

export interface AuditFilter {
  tenantId: string;
  action?: string;
  actorId?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** `at`: the last row's created_at with its full (microsecond) precision, as from `cursorAt`. */
  cursor?: { at: string; id: string };
}

/** created_at as exact UTC text: a JS Date keeps milliseconds only, PostgreSQL keeps microseconds. */
const cursorAt = sql<string>`to_char(${auditLogs.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export async function findAuditLogs(tx: Tx, f: AuditFilter) {
  const conditions: (SQL | undefined)[] = [
    eq(auditLogs.tenantId, f.tenantId),
    f.action ? eq(auditLogs.action, f.action) : undefined,
    f.actorId ? eq(auditLogs.actorId, f.actorId) : undefined,
    f.targetId ? eq(auditLogs.targetId, f.targetId) : undefined,
    f.from ? gte(auditLogs.createdAt, f.from) : undefined,
    // Inclusive to the millisecond (the precision the API shows): rows at to + 0.5 ms are included.
    f.to ? lt(auditLogs.createdAt, new Date(f.to.getTime() + 1)) : undefined,
    f.cursor
      ? or(
          sql`${auditLogs.createdAt} < ${f.cursor.at}::timestamptz`,
          and(sql`${auditLogs.createdAt} = ${f.cursor.at}::timestamptz`, lt(auditLogs.id, f.cursor.id)),
        )
      : undefined,
  ];
  return tx
    .select({ ...getTableColumns(auditLogs), cursorAt })
    .from(auditLogs)
    .where(and(...conditions))
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(f.limit + 1);
}
