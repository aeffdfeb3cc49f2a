import type { AppDb, Tx } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { emitEvent } from '../events/events.service.ts';
import { findProject } from '../projects/projects.repository.ts';
import { archivedError } from '../projects/projects.service.ts';
import { readableTask } from '../tasks/tasks.service.ts';
import { allowed } from '../tenants/permissions.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './comments.repository.ts';

function toComment(c: repo.CommentRow) {
  return {
    id: c.id,
    taskId: c.taskId,
    authorId: c.authorId,
    body: c.body,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** An archived project is read-only, the discussion on its tasks included (409). */
async function ensureProjectWritable(tx: Tx, ctx: TenantContext, projectId: string) {
  const project = await findProject(tx, ctx.tenantId, projectId);
  if (project?.archivedAt) throw archivedError();
}

export async function listComments(db: AppDb, ctx: TenantContext, taskId: string) {
  return withTenant(db, ctx, async (tx) => {
    await readableTask(tx, ctx, taskId);
    return (await repo.findComments(tx, ctx.tenantId, taskId)).map(toComment);
  });
}

export async function addComment(db: AppDb, ctx: TenantContext, taskId: string, body: string) {
  if (!allowed(ctx, 'comment:write')) throw forbidden('You cannot comment here');
  return withTenant(db, ctx, async (tx) => {
    const task = await readableTask(tx, ctx, taskId);
    await ensureProjectWritable(tx, ctx, task.projectId);
    const c = await repo.insertComment(tx, { id: newId('cmt'), tenantId: ctx.tenantId, taskId, authorId: ctx.userId, body });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'comment.created',
      targetType: 'comment',
      targetId: c.id,
      metadata: { taskId },
    });
    await emitEvent(tx, ctx.tenantId, {
      type: 'comment.created',
      entityId: c.id,
      ownerIds: [task.createdBy, task.assigneeId],
      data: toComment(c),
    });
    return toComment(c);
  });
}

/** The author may delete their comment; so may anyone who may change every task. */
export async function deleteComment(db: AppDb, ctx: TenantContext, taskId: string, commentId: string) {
  return withTenant(db, ctx, async (tx) => {
    const task = await readableTask(tx, ctx, taskId);
    const c = await repo.findComment(tx, ctx.tenantId, taskId, commentId);
    if (!c) throw notFound('Comment');
    if (c.authorId !== ctx.userId && !allowed(ctx, 'task:write:all'))
      throw forbidden('Only the author or an editor can delete this comment');
    await ensureProjectWritable(tx, ctx, task.projectId);
    await repo.deleteCommentRow(tx, ctx.tenantId, commentId);
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'comment.deleted',
      targetType: 'comment',
      targetId: commentId,
      metadata: { taskId },
    });
    await emitEvent(tx, ctx.tenantId, {
      type: 'comment.deleted',
      entityId: commentId,
      ownerIds: [task.createdBy, task.assigneeId],
      data: { id: commentId, taskId },
    });
    return { id: commentId, deleted: true as const };
  });
}
