/**
 * Shared steps for the task-workspace tests: calls through the public HTTP API (`app.inject`) with a
 * user's JWT, DTO shapes, and direct database access (through `withTenant`, as the application role
 * under row-level security) for bulk set-up and for looking at what a request left behind.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { auditLogs, tasks, tenants, tenantUsage, tenantUsageDeltas } from '../../src/db/schema/index.ts';
import { randomSource, taskDraft } from '../../src/db/seed/factories.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { cacheKeys, invalidateCache } from '../../src/lib/cache.ts';
import { newId } from '../../src/lib/ids.ts';
import { readUsageOf } from '../../src/modules/plans/usage.repository.ts';
import type { AppInstance } from '../../src/types.ts';
import type { TestApp } from '../helpers/app.ts';
import type { TestUser } from '../helpers/auth.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Res<T = unknown> {
  status: number;
  body: {
    success: boolean;
    data: T;
    meta?: { nextCursor: string | null };
    error: { code: string; message: string; details?: unknown; requestId: string };
  };
  headers: LightMyRequestResponse['headers'];
  requestId: string;
}

export interface ProjectDto {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  archived: boolean;
  archivedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TaskDto {
  id: string;
  projectId: string;
  title: string;
  description: string;
  status: 'todo' | 'in_progress' | 'done' | 'canceled';
  priority: 'low' | 'medium' | 'high' | 'urgent';
  dueDate: string | null;
  assigneeId: string | null;
  labels: string[];
  position: number;
  version: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface CommentDto {
  id: string;
  taskId: string;
  authorId: string | null;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export const tenantUrl = (tenantId: string, rest = '') => `/api/v1/tenants/${tenantId}${rest}`;

/** One call to the API as `user` (null: no credentials). `payload` may be a raw string (sent as JSON). */
export async function call<T = unknown>(
  app: AppInstance,
  user: TestUser | null,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<Res<T>> {
  const raw = await app.inject({
    method,
    url,
    headers: {
      ...(user ? user.h : {}),
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}),
  });
  let body: Res<T>['body'];
  try {
    body = raw.json();
  } catch {
    throw new Error(`${method} ${url}: not JSON (${raw.statusCode}): ${raw.body.slice(0, 300)}`);
  }
  return { status: raw.statusCode, body, headers: raw.headers, requestId: String(raw.headers['x-request-id']) };
}

/** Asserts a success status and returns the envelope's data. */
export async function ok<T = unknown>(
  app: AppInstance,
  user: TestUser | null,
  method: Method,
  url: string,
  payload?: unknown,
  status = method === 'POST' ? 201 : 200,
): Promise<T> {
  const res = await call<T>(app, user, method, url, payload);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body.success).toBe(true);
  return res.body.data;
}

/** Asserts the failure envelope with `status` and `code` (and the request id echoed). */
export function expectError(res: Res, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String), requestId: res.requestId } });
}

/** Asserts a 400 whose details name `path` (e.g. "title", "labels.0"). */
export function expectValidation(res: Res, path: string) {
  expectError(res, 400, 'validation_error');
  const details = res.body.error.details as { path?: string }[] | undefined;
  expect(Array.isArray(details), JSON.stringify(res.body)).toBe(true);
  expect(
    details?.map((d) => d.path),
    JSON.stringify(res.body),
  ).toContain(path);
}

export const createProjectApi = (app: AppInstance, user: TestUser, tenantId: string, body: Record<string, unknown>) =>
  ok<ProjectDto>(app, user, 'POST', tenantUrl(tenantId, '/projects'), body);

export const createTaskApi = (app: AppInstance, user: TestUser, tenantId: string, body: Record<string, unknown>) =>
  ok<TaskDto>(app, user, 'POST', tenantUrl(tenantId, '/tasks'), body);

export const getTaskApi = (app: AppInstance, user: TestUser, tenantId: string, taskId: string) =>
  ok<TaskDto>(app, user, 'GET', tenantUrl(tenantId, `/tasks/${taskId}`));

/** Every task of a list query, following meta.nextCursor to the end. */
export async function listAll(app: AppInstance, user: TestUser, tenantId: string, query: Record<string, string> = {}, limit = 100) {
  const rows: TaskDto[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const qs = new URLSearchParams({ limit: String(limit), ...query, ...(cursor ? { cursor } : {}) });
    const res: Res<TaskDto[]> = await call<TaskDto[]>(app, user, 'GET', tenantUrl(tenantId, `/tasks?${qs}`));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    rows.push(...res.body.data);
    cursor = res.body.meta?.nextCursor ?? null;
    if (++pages > 10_000) throw new Error('pagination does not end');
  } while (cursor);
  return rows;
}

/** Changes the tenant's plan directly in the database (billing has no API yet). */
export async function setPlan(t: TestApp, tenantId: string, plan: 'free' | 'pro' | 'business') {
  await withTenant(t.database.db, { tenantId }, (tx) => tx.update(tenants).set({ plan }).where(eq(tenants.id, tenantId)));
  // Written behind billing's back: drop the cached entitlements as billing would (lib/cache.ts).
  await invalidateCache({ keys: [cacheKeys.entitlements(tenantId)] });
}

/** Sets a usage counter directly (bulk-inserted rows bypass the services that keep it): the row, no deltas. */
export async function setUsage(t: TestApp, tenantId: string, metric: 'tasks' | 'projects', value: number) {
  await withTenant(t.database.db, { tenantId }, async (tx) => {
    await tx.delete(tenantUsageDeltas).where(and(eq(tenantUsageDeltas.tenantId, tenantId), eq(tenantUsageDeltas.metric, metric)));
    await tx
      .insert(tenantUsage)
      .values({ tenantId, metric, value })
      .onConflictDoUpdate({ target: [tenantUsage.tenantId, tenantUsage.metric], set: { value } });
  });
}

/** A usage counter as the API counts it: its row plus its deltas not folded yet. */
export async function usageOf(t: TestApp, tenantId: string, metric: string) {
  return withTenant(t.database.db, { tenantId }, (tx) => readUsageOf(tx, tenantId, metric));
}

export async function countTasks(t: TestApp, tenantId: string, where?: ReturnType<typeof eq>) {
  const [row] = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select({ n: sql<number>`count(*)::int` })
      .from(tasks)
      .where(and(eq(tasks.tenantId, tenantId), where)),
  );
  return row?.n ?? 0;
}

export async function auditFor(t: TestApp, tenantId: string, targetId: string) {
  return withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), eq(auditLogs.targetId, targetId)))
      .orderBy(auditLogs.createdAt, auditLogs.id),
  );
}

/**
 * What a rejected request must not change: per table, the row count and the latest updated_at (and,
 * for usage counters, their values: row plus deltas, which the fold job may move between the two at
 * any time), read in the tenant's scope.
 */
export async function snapshot(t: TestApp, tenantId: string) {
  const rows = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx.execute(sql`
      select 'tasks' as t, count(*)::int as n, max(updated_at)::text as latest, coalesce(sum(version), 0)::int as extra from tasks
      union all select 'projects', count(*)::int, max(updated_at)::text, count(archived_at)::int from projects
      union all select 'comments', count(*)::int, max(updated_at)::text, 0 from comments
      union all select 'audit_logs', count(*)::int, max(updated_at)::text, 0 from audit_logs
      union all select 'tenant_events', count(*)::int, max(id)::text, 0 from tenant_events
      union all select 'usage', count(*)::int, string_agg(metric || '=' || value, ',' order by metric), 0 from (
        select metric, sum(value) as value from (
          select metric, value from tenant_usage union all select metric, delta from tenant_usage_deltas
        ) as counted group by metric
      ) as usage`),
  );
  return (rows as unknown as { rows: unknown[] }).rows;
}

/** The order the database gives these ids (its collation), to compute expected tie-breaks. */
export async function dbOrderOfIds(t: TestApp, tenantId: string, ids: string[]): Promise<Map<string, number>> {
  const res = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx.execute(
      sql`select id from unnest(${sql.raw(`ARRAY[${ids.map((i) => `'${i.replaceAll("'", "''")}'`).join(',')}]::text[]`)}) as id order by id`,
    ),
  );
  const ordered = (res as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
  return new Map(ordered.map((id, i) => [id, i]));
}

/**
 * Audit actions per request, oldest request first; within a request (one transaction, one
 * created_at) sorted by name, joined with "+": e.g. ["task.created", "task.status_changed+task.updated"].
 */
export function actionsByRequest(rows: { action: string; requestId: string | null; createdAt: Date }[]): string[] {
  const groups = new Map<string, { at: number; actions: string[] }>();
  for (const r of rows) {
    const key = r.requestId ?? `no-request-${r.createdAt.getTime()}`;
    const g = groups.get(key) ?? { at: r.createdAt.getTime(), actions: [] };
    g.at = Math.min(g.at, r.createdAt.getTime());
    g.actions.push(r.action);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.at - b.at).map((g) => g.actions.sort().join('+'));
}

/**
 * `n` realistic tasks inserted in one statement (set-up only: no audit rows, no usage counting; set
 * the counter with setUsage when a limit matters).
 */
export async function bulkInsertTasks(t: TestApp, tenantId: string, projectId: string, createdBy: string, n: number, seed = n) {
  const rng = randomSource(seed);
  const rows = Array.from({ length: n }, (_, i) => {
    const d = taskDraft(rng, { projectId });
    return {
      id: newId('task'),
      tenantId,
      projectId,
      title: d.title,
      description: d.description ?? '',
      status: d.status,
      priority: d.priority,
      dueDate: d.dueDate ?? null,
      labels: d.labels ?? [],
      position: (i + 1) * 1024,
      createdBy,
      completedAt: d.status === 'done' ? new Date() : null,
    };
  });
  await withTenant(t.database.db, { tenantId }, (tx) => tx.insert(tasks).values(rows));
  return rows.map((r) => r.id);
}
