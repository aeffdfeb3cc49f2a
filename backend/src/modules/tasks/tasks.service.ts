/**
 * Tasks: the rules. Who may read and change which task ("own" = created by or assigned to the
 * actor), plan limits taken atomically, optimistic concurrency through versions (ETag/If-Match),
 * audit and live events written in the same transaction as the change.
 */
import type { AppDb, Tx } from '../../db/client.ts';
import type { TaskPriority, TaskStatus } from '../../db/schema/index.ts';
import { firstTransactionPending, withTenant } from '../../db/tenant.ts';
import { clock } from '../../lib/clock.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { AppError, forbidden, hasSqlState, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { emitEvent, eventOwners, eventStored, eventWritten } from '../events/events.service.ts';
import { cachedEntitlements, getEntitlements } from '../plans/entitlements.ts';
import { assertWithinLimit, limitToTake, releaseLimit } from '../plans/limits.service.ts';
import { findProject } from '../projects/projects.repository.ts';
import { archivedError } from '../projects/projects.service.ts';
import { allowed } from '../tenants/permissions.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import { cachedSubscriberCount } from '../webhooks/webhooks.service.ts';
import * as repo from './tasks.repository.ts';

export interface TaskInput {
  projectId: string;
  title: string;
  description?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueDate?: string | null;
  assigneeId?: string | null;
  labels?: string[];
  position?: number;
}

export type TaskPatch = Partial<TaskInput>;

/** A timestamp as the API sends it: the hot reads already have it as ISO text (repo.TaskRecord). */
const iso = (value: Date | string) => (typeof value === 'string' ? value : value.toISOString());

export function toTask(t: repo.TaskRow | repo.TaskRecord) {
  return {
    id: t.id,
    projectId: t.projectId,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    dueDate: t.dueDate,
    assigneeId: t.assigneeId,
    labels: t.labels,
    position: t.position,
    version: t.version,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    completedAt: t.completedAt === null ? null : iso(t.completedAt),
  };
}

export type Task = ReturnType<typeof toTask>;

export const etagOf = (task: { id: string; version: number }) => `"${task.id}.${task.version}"`;

const isOwn = (ctx: TenantContext, t: { createdBy: string | null; assigneeId: string | null }) =>
  t.createdBy === ctx.userId || t.assigneeId === ctx.userId;

export function canRead(ctx: TenantContext, t: { createdBy: string | null; assigneeId: string | null }) {
  return allowed(ctx, 'task:read:all') || (allowed(ctx, 'task:read:own') && isOwn(ctx, t));
}

function canWrite(ctx: TenantContext, t: { createdBy: string | null; assigneeId: string | null }) {
  return allowed(ctx, 'task:write:all') || (allowed(ctx, 'task:write:own') && isOwn(ctx, t));
}

/** The task if the actor may see it; a task they may not see does not exist for them (404). */
export async function readableTask(tx: Tx, ctx: TenantContext, taskId: string) {
  return visible(ctx, await repo.findTask(tx, ctx.tenantId, taskId));
}

function visible<T extends { createdBy: string | null; assigneeId: string | null }>(ctx: TenantContext, task: T | undefined): T {
  if (!task || !canRead(ctx, task)) throw notFound('Task');
  return task;
}

const unknownProjectError = () =>
  new AppError('validation_error', 'Unknown project', [
    { location: 'body', path: 'projectId', message: 'No such project in this workspace' },
  ]);

const assigneeError = () =>
  new AppError('validation_error', 'The assignee must be a member of this workspace', [
    { location: 'body', path: 'assigneeId', message: 'Not a member of this workspace' },
  ]);

async function writableProject(tx: Tx, ctx: TenantContext, projectId: string) {
  const project = await findProject(tx, ctx.tenantId, projectId);
  if (!project) throw unknownProjectError();
  if (project.archivedAt) throw archivedError();
  return project;
}

async function checkAssignee(tx: Tx, ctx: TenantContext, assigneeId: string | null | undefined) {
  if (!assigneeId) return;
  if (!(await repo.isMember(tx, ctx.tenantId, assigneeId))) throw assigneeError();
}

export interface ListQuery {
  projectId?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assigneeId?: string;
  label?: string;
  q?: string;
  dueBefore?: string;
  dueAfter?: string;
  sort?: repo.TaskSort;
  limit: number;
  cursor?: string;
}

/** A PostgreSQL data exception (SQLSTATE class 22: bad value for a type, NUL byte, out of range). */
const isDataException = (err: unknown): boolean => hasSqlState(err, (code) => code.startsWith('22'));

export async function listTasks(db: AppDb, ctx: TenantContext, q: ListQuery) {
  const sort: repo.TaskSort = q.sort ?? (q.q ? 'rank' : '-createdAt');
  const cursor = q.cursor ? decodeCursor(q.cursor, 2) : undefined;
  // One statement: read without a transaction around it (db/compiled.ts, CompiledQuery.scoped).
  const rows = await repo
    .readTasks(db, ctx, {
      ...q,
      tenantId: ctx.tenantId,
      sort,
      ownedBy: allowed(ctx, 'task:read:all') ? undefined : (ctx.userId ?? ''),
      cursor: cursor ? { key: String(cursor[0]), id: String(cursor[1]) } : undefined,
    })
    .catch((err: unknown) => {
      // The cursor's sort key is cast to the sort's type in SQL: a cursor of another sort, or a forged
      // one, fails there. That is the caller's mistake (400), not the server's (500).
      if (cursor && isDataException(err)) {
        throw new AppError('validation_error', 'Invalid cursor', [
          { location: 'querystring', path: 'cursor', message: 'Not a cursor from this list (or from another sort)' },
        ]);
      }
      throw err;
    });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toTask), nextCursor: rows.length > q.limit && last ? encodeCursor([last.sortKey, last.id]) : null };
}

export async function getTask(db: AppDb, ctx: TenantContext, taskId: string) {
  return toTask(visible(ctx, await repo.readTask(db, ctx, taskId)));
}

/**
 * One statement writes the task, its audit row, its live event and the plan counter, after checking the
 * project and the assignee (tasks.repository.ts, createTaskRow); a failed check writes nothing.
 *
 * When the plan is in the cache, the cache knows that no webhook subscribes to the event, and the
 * request has no idempotency record to write (usual), the statement needs nothing else around it and
 * runs on its own (createTaskRowScoped): on PostgreSQL one message and one round trip, committed by the
 * server, instead of BEGIN, statement and COMMIT. Otherwise it runs in a transaction that first reads
 * what the cache lacked, then writes the webhook deliveries, and rolls back (idempotency record
 * included) when a check failed.
 */
export async function createTask(db: AppDb, ctx: TenantContext, data: TaskInput) {
  if (!allowed(ctx, 'task:create')) throw forbidden('You cannot create tasks here');
  const status = data.status ?? 'todo';
  const id = newId('task');
  const assigneeId = data.assigneeId ?? null;
  const ownerIds = eventOwners({ ownerIds: [ctx.userId, assigneeId] });
  const creation = (limit: number): repo.TaskCreation => ({
    id,
    tenantId: ctx.tenantId,
    projectId: data.projectId,
    title: data.title,
    description: data.description ?? '',
    status,
    priority: data.priority ?? 'medium',
    dueDate: data.dueDate ?? null,
    assigneeId,
    labels: data.labels ?? [],
    position: data.position ?? null,
    createdBy: ctx.userId,
    completedAt: status === 'done' ? clock.now() : null,
    audit: {
      id: newId('aud'),
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      ip: ctx.actor.ip ?? null,
      userAgent: ctx.actor.userAgent?.slice(0, 512) ?? null,
      requestId: ctx.actor.requestId ?? null,
    },
    ownerIds,
    limit,
  });
  const checked = (result: repo.CreatedTask) => {
    if (!result.task) {
      if (!result.projectFound) throw unknownProjectError();
      if (result.projectArchived) throw archivedError();
      throw assigneeError();
    }
    return { created: toTask(result.task), eventId: result.eventId };
  };
  const event = (data: Task) => ({ type: 'task.created', entityId: id, ownerIds, data });

  // On its own only if nothing else must share its transaction: not an idempotency record (written by
  // the first transaction, and kept only if the request succeeds), not webhook deliveries.
  const known = firstTransactionPending() ? undefined : await cachedEntitlements(ctx.tenantId);
  if (known && (await cachedSubscriberCount(ctx.tenantId, 'task.created')) === 0) {
    const plan = limitToTake(known, 'tasks');
    const result = await repo.createTaskRowScoped(db, ctx, creation(plan.limit)).catch((err: unknown) => {
      throw plan.failure(err);
    });
    const { created, eventId } = checked(result);
    eventStored(db, ctx.tenantId, eventId);
    return created;
  }
  return withTenant(db, ctx, async (tx) => {
    const plan = limitToTake(await getEntitlements(tx, ctx.tenantId), 'tasks');
    const result = await repo.createTaskRow(tx, creation(plan.limit)).catch((err: unknown) => {
      throw plan.failure(err);
    });
    const { created, eventId } = checked(result);
    // Webhook deliveries (if any) and the live-update wake-up once committed.
    await eventWritten(tx, ctx.tenantId, eventId, event(created));
    return created;
  });
}

/** `ifMatch`: the ETag the client last saw; a stale one gets 412 and changes nothing. */
export async function updateTask(db: AppDb, ctx: TenantContext, taskId: string, patch: TaskPatch, ifMatch?: string) {
  return withTenant(db, ctx, async (tx) => {
    const before = await readableTask(tx, ctx, taskId);
    if (!canWrite(ctx, before)) throw forbidden('You cannot change this task');
    if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(',').some((tag) => tag.trim() === etagOf(before))) {
      throw new AppError('precondition_failed', 'The task changed since you loaded it; reload and try again', {
        currentETag: etagOf(before),
      });
    }
    // After a downgrade, tasks over the plan's limit are read-only (deleting stays possible).
    await assertWithinLimit(tx, ctx.tenantId, 'tasks');
    const project = await findProject(tx, ctx.tenantId, before.projectId);
    if (project?.archivedAt) throw archivedError();
    if (patch.projectId && patch.projectId !== before.projectId) await writableProject(tx, ctx, patch.projectId);
    if (patch.assigneeId !== undefined && patch.assigneeId !== before.assigneeId) {
      await checkAssignee(tx, ctx, patch.assigneeId);
      // Handing a task to someone else is a write on "all" tasks unless you keep it yours.
      if (!allowed(ctx, 'task:write:all') && patch.assigneeId !== ctx.userId && before.createdBy !== ctx.userId) {
        throw forbidden('You can only reassign tasks you created');
      }
    }
    const statusChanged = patch.status !== undefined && patch.status !== before.status;
    const after = await repo.updateTaskRow(tx, ctx.tenantId, taskId, before.version, {
      ...patch,
      ...(statusChanged ? { completedAt: patch.status === 'done' ? new Date() : null } : {}),
    });
    if (!after) throw new AppError('precondition_failed', 'The task changed while you were saving; reload and try again');
    const changed = Object.keys(patch).filter(
      (k) => JSON.stringify(before[k as keyof repo.TaskRow]) !== JSON.stringify(after[k as keyof repo.TaskRow]),
    );
    const target = { targetType: 'task', targetId: taskId };
    await recordAudit(tx, ctx.tenantId, ctx.actor, { action: 'task.updated', ...target, metadata: { changed } });
    if (statusChanged)
      await recordAudit(tx, ctx.tenantId, ctx.actor, {
        action: 'task.status_changed',
        ...target,
        metadata: { from: before.status, to: after.status },
      });
    if (changed.includes('assigneeId'))
      await recordAudit(tx, ctx.tenantId, ctx.actor, {
        action: 'task.assigned',
        ...target,
        metadata: { from: before.assigneeId, to: after.assigneeId },
      });
    await emitEvent(tx, ctx.tenantId, {
      type: 'task.updated',
      entityId: taskId,
      ownerIds: [after.createdBy, after.assigneeId, before.assigneeId],
      data: toTask(after),
    });
    return toTask(after);
  });
}

export async function deleteTask(db: AppDb, ctx: TenantContext, taskId: string) {
  return withTenant(db, ctx, async (tx) => {
    const task = await readableTask(tx, ctx, taskId);
    if (!canWrite(ctx, task)) throw forbidden('You cannot delete this task');
    const project = await findProject(tx, ctx.tenantId, task.projectId);
    if (project?.archivedAt) throw archivedError();
    await repo.deleteTaskRow(tx, ctx.tenantId, taskId);
    await releaseLimit(tx, ctx.tenantId, 'tasks');
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'task.deleted',
      targetType: 'task',
      targetId: taskId,
      metadata: { title: task.title },
    });
    await emitEvent(tx, ctx.tenantId, {
      type: 'task.deleted',
      entityId: taskId,
      ownerIds: [task.createdBy, task.assigneeId],
      data: { id: taskId },
    });
    return { id: taskId, deleted: true as const };
  });
}
