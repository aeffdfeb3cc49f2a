import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { idempotencyKeys } from '../../db/schema/index.ts';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

export async function findLiveKey(db: Executor, principal: string, key: string) {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key), gt(idempotencyKeys.expiresAt, new Date())));
  return row;
}

/**
 * Claims a key (no response yet). Replaces an expired record; returns false if a live one exists.
 */
export async function claimKey(
  db: Executor,
  row: { principal: string; key: string; requestHash: string; method: string; path: string; expiresAt: Date },
) {
  const result = await db
    .insert(idempotencyKeys)
    .values({ ...row, statusCode: null, responseBody: null })
    .onConflictDoUpdate({
      target: [idempotencyKeys.principal, idempotencyKeys.key],
      set: {
        requestHash: row.requestHash,
        method: row.method,
        path: row.path,
        statusCode: null,
        responseBody: null,
        expiresAt: row.expiresAt,
        updatedAt: new Date(),
      },
      setWhere: lt(idempotencyKeys.expiresAt, new Date()),
    })
    .returning({ key: idempotencyKeys.key });
  return result.length === 1;
}

export async function storeResponse(
  db: Executor,
  row: {
    principal: string;
    key: string;
    requestHash: string;
    method: string;
    path: string;
    expiresAt: Date;
    statusCode: number;
    responseBody: unknown;
  },
) {
  await db
    .insert(idempotencyKeys)
    .values(row)
    .onConflictDoUpdate({
      target: [idempotencyKeys.principal, idempotencyKeys.key],
      set: { statusCode: row.statusCode, responseBody: row.responseBody, updatedAt: new Date() },
      setWhere: and(eq(idempotencyKeys.requestHash, row.requestHash), sql`${idempotencyKeys.statusCode} is null`),
    });
}

export async function deleteExpiredKeys(db: Executor) {
  const deleted = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, new Date())).returning({ key: idempotencyKeys.key });
  return deleted.length;
}
