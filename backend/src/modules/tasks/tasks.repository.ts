import { and, arrayContains, desc, eq, gte, lte, or, type SQL, sql } from 'drizzle-orm';
import type { AppDb, Tx } from '../../db/client.ts';
import { compiledQueries, compiledQuery } from '../../db/compiled.ts';
import { memberships, type TaskPriority, type TaskStatus, tasks } from '../../db/schema/index.ts';
import type { TenantScope } from '../../db/tenant.ts';

export type TaskRow = Omit<typeof tasks.$inferSelect, 'search'>;
/**
 * A task as the hot reads return it (by id, a page): timestamps already ISO 8601 strings, as the API
 * sends them (db/compiled.ts, isoTimestamps). A list beyond the compiled shapes' cap still has Dates.
 */
export type TaskRecord = Omit<TaskRow, 'createdAt' | 'updatedAt' | 'completedAt'> & {
  createdAt: Date | string;
  updatedAt: Date | string;
  completedAt: Date | string | null;
};

const taskColumns = {
  id: tasks.id,
  tenantId: tasks.tenantId,
  projectId: tasks.projectId,
  title: tasks.title,
  description: tasks.description,
  status: tasks.status,
  priority: tasks.priority,
  dueDate: tasks.dueDate,
  assigneeId: tasks.assigneeId,
  labels: tasks.labels,
  position: tasks.position,
  version: tasks.version,
  createdBy: tasks.createdBy,
  completedAt: tasks.completedAt,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
};

export const TASK_SORTS = [
  '-createdAt',
  'createdAt',
  '-updatedAt',
  'updatedAt',
  'dueDate',
  '-dueDate',
  '-priority',
  'priority',
  'position',
  'title',
  '-title',
] as const;
export type TaskSort = (typeof TASK_SORTS)[number] | 'rank';

/** Sort key expression, its SQL type (to compare cursor values) and direction. */
function sortKey(sort: TaskSort, tsQuery: SQL | undefined): { expr: SQL; type: string; desc: boolean } {
  const desc = sort.startsWith('-') || sort === 'rank';
  switch (sort.replace(/^-/, '')) {
    case 'updatedAt':
      return { expr: sql`${tasks.updatedAt}`, type: 'timestamptz', desc };
    case 'dueDate':
      return { expr: sql`coalesce(${tasks.dueDate}, '9999-12-31'::date)`, type: 'date', desc };
    case 'priority':
      return {
        expr: sql`(case ${tasks.priority} when 'urgent' then 4 when 'high' then 3 when 'medium' then 2 else 1 end)`,
        type: 'int',
        desc,
      };
    case 'position':
      return { expr: sql`${tasks.position}`, type: 'float8', desc };
    case 'title':
      return { expr: sql`lower(${tasks.title})`, type: 'text', desc };
    case 'rank':
      return { expr: sql`round(ts_rank_cd(${tasks.search}, ${tsQuery})::numeric, 6)`, type: 'numeric', desc: true };
    default:
      return { expr: sql`${tasks.createdAt}`, type: 'timestamptz', desc };
  }
}

export interface TaskFilter {
  tenantId: string;
  projectId?: string;
  status?: TaskStatus;
  priority?: TaskPriority;
  assigneeId?: string;
  label?: string;
  q?: string;
  dueBefore?: string;
  dueAfter?: string;
  /** Only tasks created by or assigned to this user (guests). */
  ownedBy?: string;
  sort: TaskSort;
  limit: number;
  cursor?: { key: string; id: string };
}

const LIST_FILTERS = ['projectId', 'status', 'priority', 'assigneeId', 'label', 'q', 'dueBefore', 'dueAfter', 'ownedBy'] as const;
type ListFilterName = (typeof LIST_FILTERS)[number];

/** The shape of a list query: the filters present (by name), the sort, and whether a cursor is given. */
function listShape(f: TaskFilter): string {
  return `${LIST_FILTERS.filter((k) => f[k]).join(',')}|${f.sort}|${f.cursor ? 'c' : ''}`;
}

const ph = sql.placeholder;

/** One compiled list query per shape (db/compiled.ts): filters and cursor values are placeholders. */
const listQueries = compiledQueries<Record<string, unknown>, TaskRecord & { sortKey: string }>(
  'tasks_list',
  200,
  (tx, shape) => {
    const [filters = '', sort = '-createdAt', cursor] = shape.split('|');
    const present = new Set(filters.split(','));
    const has = (name: ListFilterName) => present.has(name);
    const tsQuery = has('q') ? sql`websearch_to_tsquery('english', ${ph('q')})` : undefined;
    const key = sortKey(sort as TaskSort, tsQuery);
    const conditions: (SQL | undefined)[] = [
      eq(tasks.tenantId, ph('tenantId')),
      has('projectId') ? eq(tasks.projectId, ph('projectId')) : undefined,
      has('status') ? eq(tasks.status, ph('status')) : undefined,
      has('priority') ? eq(tasks.priority, ph('priority')) : undefined,
      has('assigneeId') ? eq(tasks.assigneeId, ph('assigneeId')) : undefined,
      has('label') ? arrayContains(tasks.labels, ph('labels')) : undefined,
      tsQuery ? sql`${tasks.search} @@ ${tsQuery}` : undefined,
      has('dueBefore') ? lte(tasks.dueDate, ph('dueBefore')) : undefined,
      has('dueAfter') ? gte(tasks.dueDate, ph('dueAfter')) : undefined,
      has('ownedBy') ? or(eq(tasks.createdBy, ph('ownedBy')), eq(tasks.assigneeId, ph('ownedBy'))) : undefined,
    ];
    if (cursor) {
      const value = sql`${ph('cursorKey')}::${sql.raw(key.type)}`;
      conditions.push(
        key.desc
          ? sql`(${key.expr}, ${tasks.id}) < (${value}, ${ph('cursorId')})`
          : sql`(${key.expr}, ${tasks.id}) > (${value}, ${ph('cursorId')})`,
      );
    }
    // Descending: NULLS LAST, as the (tenant_id, created_at DESC, id DESC) indexes are built, so the planner
    // walks the index and stops after one page instead of sorting all of the tenant's tasks. No sort key
    // is ever null, so this changes no result.
    const direction = key.desc ? sql`desc nulls last` : sql`asc`;
    return tx
      .select({ ...taskColumns, sortKey: sql<string>`(${key.expr})::text` })
      .from(tasks)
      .where(and(...conditions))
      .orderBy(sql`${key.expr} ${direction}`, sql`${tasks.id} ${direction}`)
      .limit(ph('limit'));
  },
  { isoTimestamps: true },
);

function listValues(f: TaskFilter) {
  return {
    tenantId: f.tenantId,
    projectId: f.projectId,
    status: f.status,
    priority: f.priority,
    assigneeId: f.assigneeId,
    labels: f.label ? [f.label] : undefined,
    q: f.q,
    dueBefore: f.dueBefore,
    dueAfter: f.dueAfter,
    ownedBy: f.ownedBy,
    cursorKey: f.cursor?.key,
    cursorId: f.cursor?.id,
    limit: f.limit + 1,
  };
}

export function findTasks(tx: Tx, f: TaskFilter) {
  return listQueries(tx, listShape(f), listValues(f));
}

/** A page of tasks read on its own under `scope`: one statement, no transaction around it (db/compiled.ts). */
export function readTasks(db: AppDb, scope: TenantScope, f: TaskFilter) {
  return listQueries.scoped(db, scope, listShape(f), listValues(f));
}

const taskById = compiledQuery<{ tenantId: string; taskId: string }, TaskRecord>(
  'tasks_by_id',
  (tx) =>
    tx
      .select(taskColumns)
      .from(tasks)
      .where(and(eq(tasks.tenantId, ph('tenantId')), eq(tasks.id, ph('taskId')))),
  { isoTimestamps: true },
);

export async function findTask(tx: Tx, tenantId: string, taskId: string) {
  const [row] = await taskById(tx, { tenantId, taskId });
  return row;
}

/** A task read on its own under `scope` (findTask without a transaction around it, db/compiled.ts). */
export async function readTask(db: AppDb, scope: TenantScope, taskId: string) {
  const [row] = await taskById.scoped(db, scope, { tenantId: scope.tenantId, taskId });
  return row;
}

/** The columns a new task is inserted with (the rest take their defaults): one compiled statement. */
const NEW_TASK_KEYS = [
  'id',
  'tenantId',
  'projectId',
  'title',
  'description',
  'status',
  'priority',
  'dueDate',
  'assigneeId',
  'labels',
  'createdBy',
  'completedAt',
] as const;
/** `position` null: after the last task of its project and status (computed by the insert itself). */
export type NewTask = Required<Pick<typeof tasks.$inferInsert, (typeof NEW_TASK_KEYS)[number]>> & { position: number | null };

/**
 * The next position is read by the insert (a subquery) rather than before it, so a create does not wait
 * for a round trip to learn it. `order by position desc limit 1` rather than max(): a named statement
 * may run with a generic plan, and for max() that plan reads every task of the column (thousands) where
 * this one reads one index entry.
 */
const taskInsert = compiledQuery<NewTask, TaskRow>('tasks_insert', (tx) => {
  const last = tx
    .select({ position: tasks.position })
    .from(tasks)
    .where(and(eq(tasks.tenantId, ph('tenantId')), eq(tasks.projectId, ph('projectId')), eq(tasks.status, ph('status'))))
    .orderBy(desc(tasks.position))
    .limit(1);
  return tx
    .insert(tasks)
    .values({
      ...(Object.fromEntries(NEW_TASK_KEYS.map((k) => [k, ph(k)])) as unknown as Omit<NewTask, 'position'>),
      position: sql`coalesce(${ph('position')}::float8, (${last}) + 1024, 1024)`,
    })
    .returning(taskColumns);
});

export async function insertTask(tx: Tx, row: NewTask) {
  const [t] = await taskInsert(tx, row);
  return t as TaskRow;
}

/** Updates if the version still matches (optimistic concurrency); undefined when it does not. */
export async function updateTaskRow(
  tx: Tx,
  tenantId: string,
  taskId: string,
  expectedVersion: number,
  patch: Partial<typeof tasks.$inferInsert>,
) {
  const [row] = await tx
    .update(tasks)
    .set({ ...patch, version: sql`${tasks.version} + 1`, updatedAt: new Date() })
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, taskId), eq(tasks.version, expectedVersion)))
    .returning(taskColumns);
  return row as TaskRow | undefined;
}

export async function deleteTaskRow(tx: Tx, tenantId: string, taskId: string) {
  await tx.delete(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, taskId)));
}

// Compiled: a create sends it before its insert, in the same write (tasks.service.ts).
const membership = compiledQuery<{ tenantId: string; userId: string }, { id: string }>('tasks_assignee_membership', (tx) =>
  tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.tenantId, ph('tenantId')), eq(memberships.userId, ph('userId')))),
);

export async function isMember(tx: Tx, tenantId: string, userId: string) {
  const [row] = await membership(tx, { tenantId, userId });
  return Boolean(row);
}
