import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { comments } from '../../db/schema/index.ts';

export type CommentRow = typeof comments.$inferSelect;

export async function findComments(tx: Tx, tenantId: string, taskId: string) {
  return tx
    .select()
    .from(comments)
    .where(and(eq(comments.tenantId, tenantId), eq(comments.taskId, taskId)))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(500);
}

export async function findComment(tx: Tx, tenantId: string, taskId: string, commentId: string) {
  const [row] = await tx
    .select()
    .from(comments)
    .where(and(eq(comments.tenantId, tenantId), eq(comments.taskId, taskId), eq(comments.id, commentId)));
  return row;
}

export async function insertComment(tx: Tx, row: typeof comments.$inferInsert) {
  const [c] = await tx.insert(comments).values(row).returning();
  return c as CommentRow;
}

export async function deleteCommentRow(tx: Tx, tenantId: string, commentId: string) {
  await tx.delete(comments).where(and(eq(comments.tenantId, tenantId), eq(comments.id, commentId)));
}
