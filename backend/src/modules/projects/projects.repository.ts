import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { projects } from '../../db/schema/index.ts';

export type ProjectRow = typeof projects.$inferSelect;

export async function insertProject(tx: Tx, row: typeof projects.$inferInsert) {
  const [p] = await tx.insert(projects).values(row).returning();
  return p as ProjectRow;
}

export async function findProjects(tx: Tx, tenantId: string, includeArchived: boolean) {
  return tx
    .select()
    .from(projects)
    .where(and(eq(projects.tenantId, tenantId), includeArchived ? undefined : isNull(projects.archivedAt)))
    .orderBy(asc(projects.createdAt), asc(projects.id));
}

export async function findProject(tx: Tx, tenantId: string, projectId: string) {
  const [p] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.tenantId, tenantId), eq(projects.id, projectId)));
  return p;
}

export async function updateProjectRow(
  tx: Tx,
  tenantId: string,
  projectId: string,
  patch: Partial<Pick<ProjectRow, 'name' | 'description' | 'color' | 'archivedAt'>>,
) {
  const [p] = await tx
    .update(projects)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(projects.tenantId, tenantId), eq(projects.id, projectId)))
    .returning();
  return p;
}
