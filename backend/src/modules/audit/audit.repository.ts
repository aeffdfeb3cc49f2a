import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
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
  cursor?: { createdAt: Date; id: string };
}

export async function findAuditLogs(tx: Tx, f: AuditFilter) {
  const conditions: (SQL | undefined)[] = [
    eq(auditLogs.tenantId, f.tenantId),
    f.action ? eq(auditLogs.action, f.action) : undefined,
    f.actorId ? eq(auditLogs.actorId, f.actorId) : undefined,
    f.targetId ? eq(auditLogs.targetId, f.targetId) : undefined,
    f.from ? gte(auditLogs.createdAt, f.from) : undefined,
    f.to ? lte(auditLogs.createdAt, f.to) : undefined,
    f.cursor
      ? or(lt(auditLogs.createdAt, f.cursor.createdAt), and(eq(auditLogs.createdAt, f.cursor.createdAt), lt(auditLogs.id, f.cursor.id)))
      : undefined,
  ];
  return tx
    .select()
    .from(auditLogs)
    .where(and(...conditions))
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(f.limit + 1);
}
