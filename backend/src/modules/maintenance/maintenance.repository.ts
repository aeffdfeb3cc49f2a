import { and, eq, lt } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { auditLogs, tenants } from '../../db/schema/index.ts';

export async function findTenantPlans(tx: Tx) {
  return tx.select({ id: tenants.id, plan: tenants.plan }).from(tenants);
}

export async function deleteAuditLogsBefore(tx: Tx, tenantId: string, before: Date): Promise<number> {
  const rows = await tx
    .delete(auditLogs)
    .where(and(eq(auditLogs.tenantId, tenantId), lt(auditLogs.createdAt, before)))
    .returning({ id: auditLogs.id });
  return rows.length;
}
