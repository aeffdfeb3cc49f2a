import { and, arrayContains, eq, gte, lte, or, type SQL, sql } from 'drizzle-orm';
import type { AppDb, Tx } from '../../db/client.ts';
import { compiledQueries, compiledQuery, sqlStatement } from '../../db/compiled.ts';
import {
  auditLogs,
  memberships,
  projects,
  type TaskPriority,
  type TaskStatus,
  tasks,
  tenantEvents,
  tenantUsageDeltas,
} from '../../db/schema/index.ts';
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

/** What a create writes beside the task, in the same statement (createTaskRow). */
export interface TaskCreation extends NewTask {
  audit: {
    id: string;
    actorType: string;
    actorId: string | null;
    ip: string | null;
    userAgent: string | null;
    requestId: string | null;
  };
  /** The live event's owners (creator, assignee). */
  ownerIds: string[];
  /** The plan's task limit; -1: none. */
  limit: number;
}

/** The task a create wrote with its live event's id, or (nothing written) which check failed. */
export type CreatedTask = { task: TaskRecord; eventId: number } | { task: null; projectFound: boolean; projectArchived: boolean };

/** A row of the create statement: the task (all null when nothing was written), the flags, and `taken`. */
type CreateRow = TaskRecord & { projectFound: boolean; projectArchived: boolean; eventId: number; taken: number };

type CreationValues = Omit<TaskCreation, 'audit'> & { [K in keyof TaskCreation['audit'] as `audit_${K}`]: TaskCreation['audit'][K] };

/** A timestamptz column as `Date#toISOString` prints it (milliseconds, truncated as Date parsing does). */
const isoText = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A create in one statement: the checks, the task, its audit row, its live event and the plan counter.
 * One statement instead of six: the server executes one prepared statement instead of six, and the API
 * sends and reads one query instead of six (docs/performance.md, change 35).
 *
 * - The task is inserted only if the project is in the workspace and not archived, and the assignee (if
 *   any) a member; otherwise nothing is written and the flags returned say which check failed.
 * - The position, if not given, is after the last task of its project and status, read by the insert
 *   itself (`order by position desc limit 1` rather than max(): a named statement may run with a
 *   generic plan, and for max() that plan reads every task of the column where this one reads one
 *   index entry).
 * - The audit row, the event and the counter are written from the inserted row, so they exist exactly
 *   when the task does. The event's data is the task as the API answers it (toTask), and the audit
 *   row's metadata its project and title, both built from the stored row (a lone UTF-16 surrogate in
 *   the input is already U+FFFD there, where jsonb would refuse its JSON escape).
 * - Without a limit the counter gets a +1 delta (no lock); with one, atrium_take_usage takes the unit
 *   under the counter row's lock and fails the statement (LIMIT_REACHED) when the plan is full.
 * - Values are cast to their columns' types: in an INSERT … SELECT they are not inferred from the target.
 */
const taskCreate = compiledQuery<CreationValues, CreateRow>(
  'tasks_create',
  (tx) => {
    const cols = (keys: readonly (keyof typeof taskColumns)[]) =>
      sql.join(
        keys.map((k) => sql.identifier(taskColumns[k].name)),
        sql`, `,
      );
    const insertKeys = [...NEW_TASK_KEYS, 'position'] as const;
    const values = NEW_TASK_KEYS.map((k) => sql`${sql.param(ph(k), tasks[k])}::${sql.raw(tasks[k].getSQLType())}`);
    const last = sql`(select ${tasks.position} from ${tasks} where ${tasks.tenantId} = ${ph('tenantId')} and ${tasks.projectId} = ${ph('projectId')} and ${tasks.status} = ${ph('status')} order by ${tasks.position} desc limit 1)`;
    const created = (k: keyof typeof taskColumns) => sql`"created".${sql.identifier(taskColumns[k].name)}`;
    const eventData = sql.join(
      (Object.keys(taskColumns) as (keyof typeof taskColumns)[])
        .filter((k) => k !== 'tenantId')
        .map((k) => {
          const column = taskColumns[k];
          const value = column.getSQLType() === 'timestamp with time zone' ? isoText(created(k)) : created(k);
          return sql`${sql.raw(`'${k}'`)}, ${value}`;
        }),
      sql`, `,
    );
    const audit = (k: keyof TaskCreation['audit']) => sql`${sql.param(ph(`audit_${k}`), auditLogs[k])}`;
    const text = sql`with "project" as (
        select ${projects.archivedAt} as "archived_at" from ${projects} where ${projects.tenantId} = ${ph('tenantId')} and ${projects.id} = ${ph('projectId')}
      ), "assignee" as (
        select 1 from ${memberships} where ${memberships.tenantId} = ${ph('tenantId')} and ${memberships.userId} = ${ph('assigneeId')}::text
      ), "created" as (
        insert into ${tasks} (${cols(insertKeys)})
        select ${sql.join(values, sql`, `)}, coalesce(${ph('position')}::float8, ${last} + 1024, 1024)
        where exists (select 1 from "project" where "archived_at" is null)
          and (${ph('assigneeId')}::text is null or exists (select 1 from "assignee"))
        returning ${cols(Object.keys(taskColumns) as (keyof typeof taskColumns)[])}
      ), "audit" as (
        insert into ${auditLogs} ("id", "tenant_id", "actor_type", "actor_id", "action", "target_type", "target_id", "ip", "user_agent", "request_id", "metadata")
        select ${audit('id')}::text, ${ph('tenantId')}::text, ${audit('actorType')}::text, ${audit('actorId')}::text, 'task.created', 'task', "created"."id",
          ${audit('ip')}::text, ${audit('userAgent')}::text, ${audit('requestId')}::text,
          jsonb_build_object('projectId', "created"."project_id", 'title', "created"."title")
        from "created"
      ), "event" as (
        insert into ${tenantEvents} ("tenant_id", "type", "entity_id", "owner_ids", "data")
        select ${ph('tenantId')}::text, 'task.created', "created"."id", ${sql.param(ph('ownerIds'), tenantEvents.ownerIds)}::text[], jsonb_build_object(${eventData})
        from "created"
        returning "id"
      ), "delta" as (
        insert into ${tenantUsageDeltas} ("tenant_id", "metric", "delta")
        select ${ph('tenantId')}::text, 'tasks', 1 from "created" where ${ph('limit')}::int < 0
      ), "taken" as (
        select atrium_take_usage(${ph('tenantId')}::text, 'tasks', ${ph('limit')}::int) from "created" where ${ph('limit')}::int >= 0
      )
      select ${sql.join(
        (Object.keys(taskColumns) as (keyof typeof taskColumns)[]).map((k) => created(k)),
        sql`, `,
      )},
        exists (select 1 from "project") as "project_found",
        exists (select 1 from "project" where "archived_at" is not null) as "project_archived",
        (select "id" from "event") as "event_id",
        -- Read so that the take runs (a plain SELECT in WITH runs only if the query reads it).
        (select count(*) from "taken") as "taken"
      from (select 1) as "one" left join "created" on true`;
    return sqlStatement(tx, text, {
      ...taskColumns,
      projectFound: sql<boolean>``.mapWith(Boolean),
      projectArchived: sql<boolean>``.mapWith(Boolean),
      eventId: sql<number>``.mapWith(Number),
      taken: sql<number>``.mapWith(Number),
    });
  },
  { isoTimestamps: true },
);

const creationValues = ({ audit, ...rest }: TaskCreation): CreationValues => ({
  ...rest,
  audit_id: audit.id,
  audit_actorType: audit.actorType,
  audit_actorId: audit.actorId,
  audit_ip: audit.ip,
  audit_userAgent: audit.userAgent,
  audit_requestId: audit.requestId,
});

function createdTask(rows: CreateRow[]): CreatedTask {
  const [row] = rows;
  if (!row) throw new Error('the create statement returned no row');
  const { projectFound, projectArchived, eventId, taken: _taken, ...task } = row;
  // Left-joined: with nothing inserted, every task column is null.
  return task.id ? { task, eventId } : { task: null, projectFound, projectArchived };
}

/**
 * Creates a task with everything its create writes, in one statement (taskCreate above), inside the
 * caller's transaction. Over the plan's limit it rejects (usage.repository.ts: isLimitReached) and
 * writes nothing.
 */
export async function createTaskRow(tx: Tx, values: TaskCreation): Promise<CreatedTask> {
  return createdTask(await taskCreate(tx, creationValues(values)));
}

/**
 * The same statement on its own under `scope`: on PostgreSQL, the scope statement and it in one message,
 * committed by the server when it completes, with no BEGIN or COMMIT (db/scoped-read.ts); elsewhere in
 * a transaction of its own (CompiledQuery.scoped).
 */
export async function createTaskRowScoped(db: AppDb, scope: TenantScope, values: TaskCreation): Promise<CreatedTask> {
  return createdTask(await taskCreate.scoped(db, scope, creationValues(values)));
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

// A reassignment's check (tasks.service.ts, updateTask); a create checks the assignee in its own statement.
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
