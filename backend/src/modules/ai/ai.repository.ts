/**
 * AI queries: the model registry, the monthly token budget (a `tenant_usage` row per tenant and month,
 * taken with one conditional UPDATE), the usage ledger and its aggregates, the response cache,
 * suggestions, AI jobs, and the facts of a project its summary is written from.
 */
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { SqlRunner, Tx } from '../../db/client.ts';
import {
  type AiJobStatus,
  type AiPurpose,
  aiCache,
  aiJobs,
  aiModelChanges,
  aiModels,
  aiSuggestions,
  aiUsage,
  tasks,
  tenantUsage,
  users,
} from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';
import type { ModelEntry } from './models.config.ts';

export type AiModelRow = typeof aiModels.$inferSelect;
export type AiUsageInsert = typeof aiUsage.$inferInsert;
export type AiSuggestionRow = typeof aiSuggestions.$inferSelect;
export type AiJobRow = typeof aiJobs.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Model registry
// ---------------------------------------------------------------------------------------------------

/**
 * Upserts the registry from configuration as the owner role (the application role may not insert).
 * Rows a platform admin changed keep their values; rows no longer configured are disabled.
 */
export async function upsertModels(runner: SqlRunner, entries: ModelEntry[]): Promise<void> {
  for (const m of entries) {
    const values = [
      m.provider,
      m.model,
      m.purpose,
      m.inputPricePerMTokMicros,
      m.outputPricePerMTokMicros,
      m.maxOutputTokens,
      m.timeoutMs,
      m.priority,
      m.enabled,
    ];
    await runner.query(
      `insert into ai_models (id, provider, model, purpose, input_price_per_mtok_micros, output_price_per_mtok_micros, max_output_tokens, timeout_ms, priority, enabled, in_config)
       values ($10, $1, $2, $3, $4, $5, $6, $7, $8, $9, true)
       on conflict (provider, model, purpose) do update set
         input_price_per_mtok_micros = case when ai_models.admin_edited_at is null then excluded.input_price_per_mtok_micros else ai_models.input_price_per_mtok_micros end,
         output_price_per_mtok_micros = case when ai_models.admin_edited_at is null then excluded.output_price_per_mtok_micros else ai_models.output_price_per_mtok_micros end,
         max_output_tokens = case when ai_models.admin_edited_at is null then excluded.max_output_tokens else ai_models.max_output_tokens end,
         timeout_ms = case when ai_models.admin_edited_at is null then excluded.timeout_ms else ai_models.timeout_ms end,
         priority = case when ai_models.admin_edited_at is null then excluded.priority else ai_models.priority end,
         enabled = case when ai_models.admin_edited_at is null then excluded.enabled else ai_models.enabled end,
         in_config = true,
         updated_at = now()`,
      [...values, newId('aim')],
    );
  }
  await runner.query(
    `update ai_models set in_config = false, enabled = false, updated_at = now()
     where in_config and not ((provider || '/' || model || '/' || purpose) = any($1::text[]))`,
    [entries.map((m) => `${m.provider}/${m.model}/${m.purpose}`)],
  );
}

export async function findModels(tx: Tx, purpose?: AiPurpose): Promise<AiModelRow[]> {
  return tx
    .select()
    .from(aiModels)
    .where(purpose ? eq(aiModels.purpose, purpose) : undefined)
    .orderBy(asc(aiModels.purpose), asc(aiModels.priority), asc(aiModels.id));
}

export async function findModel(tx: Tx, id: string): Promise<AiModelRow | undefined> {
  const [row] = await tx.select().from(aiModels).where(eq(aiModels.id, id));
  return row;
}

export type ModelPatch = Partial<
  Pick<AiModelRow, 'inputPricePerMTokMicros' | 'outputPricePerMTokMicros' | 'enabled' | 'priority' | 'timeoutMs' | 'maxOutputTokens'>
>;

export async function updateModelRow(tx: Tx, id: string, patch: ModelPatch): Promise<AiModelRow | undefined> {
  const now = new Date();
  const [row] = await tx
    .update(aiModels)
    .set({ ...patch, adminEditedAt: now, updatedAt: now })
    .where(eq(aiModels.id, id))
    .returning();
  return row;
}

export async function insertModelChange(tx: Tx, row: Omit<typeof aiModelChanges.$inferInsert, 'id'>): Promise<void> {
  await tx.insert(aiModelChanges).values({ id: newId('aimc'), ...row });
}

// ---------------------------------------------------------------------------------------------------
// Monthly token budget: the tenant_usage row `ai_tokens:YYYY-MM` holds the tokens used plus those
// reserved by calls in flight.
// ---------------------------------------------------------------------------------------------------

/**
 * Reserves `amount` tokens if they fit under `limit` (-1 = unlimited), atomically: the row lock of the
 * UPDATE serializes concurrent reservations, so together they never pass the limit. Returns the new
 * value, or undefined when the budget cannot take `amount` more.
 */
export async function reserveTokens(tx: Tx, tenantId: string, metric: string, amount: number, limit: number): Promise<number | undefined> {
  await tx.insert(tenantUsage).values({ tenantId, metric, value: 0 }).onConflictDoNothing();
  const [row] = await tx
    .update(tenantUsage)
    .set({ value: sql`${tenantUsage.value} + ${amount}`, updatedAt: new Date() })
    .where(
      and(
        eq(tenantUsage.tenantId, tenantId),
        eq(tenantUsage.metric, metric),
        limit < 0 ? undefined : sql`${tenantUsage.value} + ${amount} <= ${limit}`,
      ),
    )
    .returning({ value: tenantUsage.value });
  return row?.value;
}

/** Adds `delta` (negative to give back) to the budget row, never below zero. */
export async function adjustTokens(tx: Tx, tenantId: string, metric: string, delta: number): Promise<void> {
  if (delta === 0) return;
  await tx.insert(tenantUsage).values({ tenantId, metric, value: 0 }).onConflictDoNothing();
  await tx
    .update(tenantUsage)
    .set({ value: sql`greatest(${tenantUsage.value} + ${delta}, 0)`, updatedAt: new Date() })
    .where(and(eq(tenantUsage.tenantId, tenantId), eq(tenantUsage.metric, metric)));
}

export async function readTokens(tx: Tx, tenantId: string, metric: string): Promise<number> {
  const [row] = await tx
    .select({ value: tenantUsage.value })
    .from(tenantUsage)
    .where(and(eq(tenantUsage.tenantId, tenantId), eq(tenantUsage.metric, metric)));
  return row?.value ?? 0;
}

// ---------------------------------------------------------------------------------------------------
// Usage ledger
// ---------------------------------------------------------------------------------------------------

export async function insertUsageRows(tx: Tx, rows: AiUsageInsert[]): Promise<void> {
  if (rows.length > 0) await tx.insert(aiUsage).values(rows);
}

export type UsageGroupBy = 'day' | 'model' | 'feature' | 'user';

const usageSums = {
  calls: sql<number>`count(*)::int`,
  cachedCalls: sql<number>`count(*) filter (where ${aiUsage.cached})::int`,
  failedCalls: sql<number>`count(*) filter (where ${aiUsage.status} <> 'ok')::int`,
  inputTokens: sql<number>`coalesce(sum(${aiUsage.inputTokens}), 0)::bigint`,
  outputTokens: sql<number>`coalesce(sum(${aiUsage.outputTokens}), 0)::bigint`,
  costMicros: sql<number>`coalesce(sum(${aiUsage.costMicros}), 0)::bigint`,
};

function groupKey(groupBy: UsageGroupBy) {
  switch (groupBy) {
    case 'day':
      return sql<string>`to_char(${aiUsage.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    case 'model':
      return sql<string>`coalesce(${aiUsage.provider} || ':' || ${aiUsage.model}, '(none)')`;
    case 'feature':
      return sql<string>`${aiUsage.feature}`;
    case 'user':
      return sql<string>`coalesce(${aiUsage.userId}, 'key:' || ${aiUsage.apiKeyId}, '(none)')`;
  }
}

export async function usageReport(tx: Tx, q: { tenantId: string; from: Date; to: Date; groupBy: UsageGroupBy }) {
  const where = and(eq(aiUsage.tenantId, q.tenantId), gte(aiUsage.createdAt, q.from), lt(aiUsage.createdAt, q.to));
  const [totals] = await tx.select(usageSums).from(aiUsage).where(where);
  const key = groupKey(q.groupBy);
  const groups = await tx
    .select({ key, ...usageSums })
    .from(aiUsage)
    .where(where)
    .groupBy(key)
    .orderBy(asc(key));
  return { totals, groups };
}

// ---------------------------------------------------------------------------------------------------
// Response cache
// ---------------------------------------------------------------------------------------------------

export async function findCached(tx: Tx, tenantId: string, keys: string[], now: Date) {
  if (keys.length === 0) return [];
  return tx
    .select()
    .from(aiCache)
    .where(and(eq(aiCache.tenantId, tenantId), inArray(aiCache.key, keys), gt(aiCache.expiresAt, now)));
}

export async function upsertCache(tx: Tx, row: typeof aiCache.$inferInsert): Promise<void> {
  await tx
    .insert(aiCache)
    .values(row)
    .onConflictDoUpdate({
      target: [aiCache.tenantId, aiCache.key],
      set: { modelId: row.modelId, value: row.value, expiresAt: row.expiresAt, updatedAt: new Date() },
    });
}

/** As atrium_maintenance: expired cache entries and old finished jobs, across tenants. */
export async function pruneAi(tx: Tx): Promise<{ cache: number; jobs: number }> {
  const cache = await tx.delete(aiCache).where(lt(aiCache.expiresAt, new Date())).returning({ key: aiCache.key });
  const jobs = await tx
    .delete(aiJobs)
    .where(sql`${aiJobs.finishedAt} is not null and ${aiJobs.finishedAt} < now() - interval '7 days'`)
    .returning({ id: aiJobs.id });
  return { cache: cache.length, jobs: jobs.length };
}

// ---------------------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------------------

export async function insertSuggestion(tx: Tx, row: typeof aiSuggestions.$inferInsert): Promise<AiSuggestionRow> {
  const [s] = await tx.insert(aiSuggestions).values(row).returning();
  return s as AiSuggestionRow;
}

export async function findSuggestion(tx: Tx, tenantId: string, id: string): Promise<AiSuggestionRow | undefined> {
  const [s] = await tx
    .select()
    .from(aiSuggestions)
    .where(and(eq(aiSuggestions.tenantId, tenantId), eq(aiSuggestions.id, id)));
  return s;
}

/** Marks a suggestion accepted, once: undefined when it already was. */
export async function markSuggestionAccepted(tx: Tx, tenantId: string, id: string, userId: string | null, taskIds: string[]) {
  const now = new Date();
  const [s] = await tx
    .update(aiSuggestions)
    .set({ acceptedAt: now, acceptedBy: userId, createdTaskIds: taskIds, updatedAt: now })
    .where(and(eq(aiSuggestions.tenantId, tenantId), eq(aiSuggestions.id, id), isNull(aiSuggestions.acceptedAt)))
    .returning();
  return s;
}

// ---------------------------------------------------------------------------------------------------
// AI jobs
// ---------------------------------------------------------------------------------------------------

export async function insertJob(tx: Tx, row: typeof aiJobs.$inferInsert): Promise<AiJobRow> {
  const [j] = await tx.insert(aiJobs).values(row).returning();
  return j as AiJobRow;
}

export async function findJob(tx: Tx, tenantId: string, id: string): Promise<AiJobRow | undefined> {
  const [j] = await tx
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.tenantId, tenantId), eq(aiJobs.id, id)));
  return j;
}

/**
 * Moves a job to running; undefined when another worker has it or it is done. A job left running for
 * `staleAfterMs` (its worker died) may be taken again.
 */
export async function claimJob(tx: Tx, tenantId: string, id: string, staleAfterMs: number): Promise<AiJobRow | undefined> {
  const now = new Date();
  const [j] = await tx
    .update(aiJobs)
    .set({ status: 'running', startedAt: now, updatedAt: now })
    .where(
      and(
        eq(aiJobs.tenantId, tenantId),
        eq(aiJobs.id, id),
        or(eq(aiJobs.status, 'queued'), and(eq(aiJobs.status, 'running'), lt(aiJobs.startedAt, new Date(now.getTime() - staleAfterMs)))),
      ),
    )
    .returning();
  return j;
}

export async function finishJob(
  tx: Tx,
  tenantId: string,
  id: string,
  outcome: { status: Extract<AiJobStatus, 'succeeded' | 'failed'>; result?: Record<string, unknown>; error?: AiJobRow['error'] },
): Promise<void> {
  const now = new Date();
  await tx
    .update(aiJobs)
    .set({ status: outcome.status, result: outcome.result ?? null, error: outcome.error ?? null, finishedAt: now, updatedAt: now })
    .where(and(eq(aiJobs.tenantId, tenantId), eq(aiJobs.id, id), ne(aiJobs.status, 'succeeded')));
}

// ---------------------------------------------------------------------------------------------------
// Project facts
// ---------------------------------------------------------------------------------------------------

/** The tasks of a project the summary is computed from (newest first, at most `limit`). */
export async function findProjectTasks(tx: Tx, tenantId: string, projectId: string, limit: number) {
  return tx
    .select({
      id: tasks.id,
      title: tasks.title,
      status: tasks.status,
      priority: tasks.priority,
      dueDate: tasks.dueDate,
      labels: tasks.labels,
      assigneeName: users.name,
      completedAt: tasks.completedAt,
      updatedAt: tasks.updatedAt,
    })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.projectId, projectId)))
    .orderBy(desc(tasks.updatedAt), desc(tasks.id))
    .limit(limit);
}

/** Every task of the project, counted by status. */
export async function countProjectTasksByStatus(tx: Tx, tenantId: string, projectId: string): Promise<Record<string, number>> {
  const rows = await tx
    .select({ status: tasks.status, n: count() })
    .from(tasks)
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.projectId, projectId)))
    .groupBy(tasks.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
