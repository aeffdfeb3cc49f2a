/**
 * The task workspace: projects, tasks, comments, per-tenant usage counters (for atomic plan limits)
 * and the tenant event log (live updates and their replay). All of it is tenant data under RLS.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { users } from './auth.ts';
import { tenants } from './tenants.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const projects = pgTable(
  'projects',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    color: text('color'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps,
  },
  (t) => [index('projects_tenant_created_idx').on(t.tenantId, t.createdAt, t.id)],
);

export const TASK_STATUSES = ['todo', 'in_progress', 'done', 'canceled'] as const;
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').$type<TaskStatus>().notNull().default('todo'),
    priority: text('priority').$type<TaskPriority>().notNull().default('medium'),
    dueDate: date('due_date', { mode: 'string' }),
    assigneeId: text('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    position: doublePrecision('position').notNull(),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    search: tsvector('search').generatedAlwaysAs(
      sql`setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')`,
    ),
    ...timestamps,
  },
  (t) => [
    index('tasks_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index('tasks_tenant_project_status_pos_idx').on(t.tenantId, t.projectId, t.status, t.position),
    index('tasks_tenant_status_idx').on(t.tenantId, t.status, t.createdAt.desc()),
    index('tasks_tenant_assignee_idx').on(t.tenantId, t.assigneeId),
    index('tasks_tenant_due_idx').on(t.tenantId, t.dueDate),
    index('tasks_search_idx').using('gin', t.search),
    index('tasks_labels_idx').using('gin', t.labels),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    ...timestamps,
  },
  (t) => [index('comments_tenant_task_idx').on(t.tenantId, t.taskId, t.createdAt)],
);

/**
 * Counters kept in step with the rows, so a plan limit is checked and taken atomically (atrium_take_usage,
 * migrations 0018 and 0019). On plans without a limit, changes are appended to tenant_usage_deltas instead.
 */
export const tenantUsage = pgTable(
  'tenant_usage',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    value: integer('value').notNull().default(0),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.metric] })],
);

/**
 * Changes to a counter of `tenant_usage` not folded into it yet: appended by creates and deletes on
 * plans without a limit for the metric (no lock on the workspace's one counter row, which every create
 * of the workspace would otherwise queue on), folded into the counter by the next exact take (a plan
 * with a limit) or by the `maintenance.fold-usage` job. A counter's value is its row plus these.
 * No primary key: rows are only ever appended, summed and deleted by (tenant, metric).
 */
export const tenantUsageDeltas = pgTable(
  'tenant_usage_deltas',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    delta: integer('delta').notNull(),
  },
  (t) => [index('tenant_usage_deltas_tenant_metric_idx').on(t.tenantId, t.metric)],
);

/**
 * What happened in a tenant, in order: fed to live-update streams (SSE) and kept a short while so a
 * reconnecting client can resume from its Last-Event-ID without gaps.
 */
export const tenantEvents = pgTable(
  'tenant_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    entityId: text('entity_id').notNull(),
    /** Users for whom the entity is "own" (creator, assignee): guests only receive those. */
    ownerIds: text('owner_ids').array().notNull().default(sql`'{}'::text[]`),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('tenant_events_tenant_id_idx').on(t.tenantId, t.id)],
);

/** Stored first responses of POSTs that carried an Idempotency-Key (24 h). Keyed by the caller. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    statusCode: integer('status_code'),
    responseBody: jsonb('response_body'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);
