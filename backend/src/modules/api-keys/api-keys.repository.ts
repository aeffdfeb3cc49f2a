import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { apiKeys } from '../../db/schema/index.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(tx: Tx, row: typeof apiKeys.$inferInsert) {
  const [k] = await tx.insert(apiKeys).values(row).returning();
  return k as ApiKeyRow;
}

export async function findApiKeys(tx: Tx, tenantId: string) {
  return tx.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export async function findApiKey(tx: Tx, tenantId: string, keyId: string) {
  const [k] = await tx
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)));
  return k;
}

/** Looked up by the hash of the presented secret (the RLS policy admits exactly that row). */
export async function findApiKeyByHash(tx: Tx, secretHash: string) {
  const [k] = await tx.select().from(apiKeys).where(eq(apiKeys.secretHash, secretHash));
  return k;
}

export async function revokeApiKeyRow(tx: Tx, tenantId: string, keyId: string) {
  const [k] = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning();
  return k;
}

export async function touchApiKeys(tx: Tx, tenantId: string, usage: { id: string; at: Date }[]) {
  for (const { id, at } of usage) {
    await tx
      .update(apiKeys)
      .set({ lastUsedAt: sql`greatest(coalesce(${apiKeys.lastUsedAt}, ${at}), ${at})` })
      .where(and(eq(apiKeys.tenantId, tenantId), inArray(apiKeys.id, [id])));
  }
}
