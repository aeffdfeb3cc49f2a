import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { compiledQuery } from '../../db/compiled.ts';
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

// Compiled (db/compiled.ts): every task write reads its project first.
const projectById = compiledQuery<{ tenantId: string; projectId: string }, ProjectRow>('projects_by_id', (tx) =>
  tx
    .select()
    .from(projects)
    .where(and(eq(projects.tenantId, sql.placeholder('tenantId')), eq(projects.id, sql.placeholder('projectId')))),
);

export async function findProject(tx: Tx, tenantId: string, projectId: string) {
  const [p] = await projectById(tx, { tenantId, projectId });
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
