/**
 * Projects: containers of tasks. Deleting archives (read-only, hidden unless asked for); archiving
 * frees the project's plan slot and restoring takes it again.
 */
import type { AppDb } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { emitEvent } from '../events/events.service.ts';
import { assertWithinLimit, consumeLimit, releaseLimit } from '../plans/limits.service.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './projects.repository.ts';

export function toProject(p: repo.ProjectRow) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    color: p.color,
    archived: p.archivedAt !== null,
    archivedAt: p.archivedAt?.toISOString() ?? null,
    createdBy: p.createdBy,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export const archivedError = () => new AppError('conflict', 'This project is archived and read-only; restore it first');

export async function listProjects(db: AppDb, ctx: TenantContext, includeArchived: boolean) {
  return withTenant(db, ctx, async (tx) => (await repo.findProjects(tx, ctx.tenantId, includeArchived)).map(toProject));
}

export async function getProject(db: AppDb, ctx: TenantContext, projectId: string, includeArchived: boolean) {
  return withTenant(db, ctx, async (tx) => {
    const p = await repo.findProject(tx, ctx.tenantId, projectId);
    if (!p || (p.archivedAt && !includeArchived)) throw notFound('Project');
    return toProject(p);
  });
}

export async function createProject(
  db: AppDb,
  ctx: TenantContext,
  data: { name: string; description?: string | null; color?: string | null },
) {
  return withTenant(db, ctx, async (tx) => {
    await consumeLimit(tx, ctx.tenantId, 'projects');
    const p = await repo.insertProject(tx, {
      id: newId('prj'),
      tenantId: ctx.tenantId,
      name: data.name,
      description: data.description ?? null,
      color: data.color ?? null,
      createdBy: ctx.userId,
    });
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'project.created',
      targetType: 'project',
      targetId: p.id,
      metadata: { name: p.name },
    });
    await emitEvent(tx, ctx.tenantId, { type: 'project.created', entityId: p.id, data: toProject(p) });
    return toProject(p);
  });
}

export async function updateProject(
  db: AppDb,
  ctx: TenantContext,
  projectId: string,
  patch: { name?: string; description?: string | null; color?: string | null; archived?: boolean },
) {
  return withTenant(db, ctx, async (tx) => {
    const before = await repo.findProject(tx, ctx.tenantId, projectId);
    if (!before) throw notFound('Project');
    const { archived, ...fields } = patch;
    if (before.archivedAt && archived !== false) throw archivedError();
    // After a downgrade, projects over the plan's limit are read-only; archiving (the delete) stays possible.
    if (archived !== true) await assertWithinLimit(tx, ctx.tenantId, 'projects');
    let archivedAt = before.archivedAt;
    let action = 'project.updated';
    if (archived === false && before.archivedAt) {
      await consumeLimit(tx, ctx.tenantId, 'projects');
      archivedAt = null;
      action = 'project.restored';
    } else if (archived === true && !before.archivedAt) {
      await releaseLimit(tx, ctx.tenantId, 'projects');
      archivedAt = new Date();
      action = 'project.archived';
    }
    const after = await repo.updateProjectRow(tx, ctx.tenantId, projectId, { ...fields, archivedAt });
    if (!after) throw notFound('Project');
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action,
      targetType: 'project',
      targetId: projectId,
      metadata: { changed: Object.keys(patch) },
    });
    await emitEvent(tx, ctx.tenantId, { type: action, entityId: projectId, data: toProject(after) });
    return toProject(after);
  });
}

/** DELETE archives: the project and its tasks stay, read-only, restorable. */
export async function archiveProject(db: AppDb, ctx: TenantContext, projectId: string) {
  return withTenant(db, ctx, async (tx) => {
    const before = await repo.findProject(tx, ctx.tenantId, projectId);
    if (!before || before.archivedAt) throw notFound('Project');
    await releaseLimit(tx, ctx.tenantId, 'projects');
    const after = await repo.updateProjectRow(tx, ctx.tenantId, projectId, { archivedAt: new Date() });
    if (!after) throw notFound('Project');
    await recordAudit(tx, ctx.tenantId, ctx.actor, { action: 'project.archived', targetType: 'project', targetId: projectId });
    await emitEvent(tx, ctx.tenantId, { type: 'project.archived', entityId: projectId, data: toProject(after) });
    return toProject(after);
  });
}
