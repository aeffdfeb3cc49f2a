import { and, desc, eq, getTableColumns, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
import { auditLogs } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';

export type AuditInsert = Omit<typeof auditLogs.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;

const AUDIT_KEYS = [
  'id',
  'tenantId',
  'actorType',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'ip',
  'userAgent',
  'requestId',
  'metadata',
] as const;
type AuditValues = Required<Pick<typeof auditLogs.$inferInsert, (typeof AUDIT_KEYS)[number]>>;

// Compiled (db/compiled.ts): every write records one.
const auditInsert = compiledQuery<AuditValues, never>('audit_insert', (tx) =>
  tx.insert(auditLogs).values(Object.fromEntries(AUDIT_KEYS.map((k) => [k, sql.placeholder(k)])) as unknown as AuditValues),
);

export async function insertAuditLog(tx: Tx, row: AuditInsert) {
  await auditInsert(tx, {
    id: newId('aud'),
    tenantId: row.tenantId,
    actorType: row.actorType,
    actorId: row.actorId ?? null,
    action: row.action,
    targetType: row.targetType ?? null,
    targetId: row.targetId ?? null,
    ip: row.ip ?? null,
    userAgent: row.userAgent ?? null,
    requestId: row.requestId ?? null,
    metadata: row.metadata ?? {},
  });
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
