/**
 * The AI features, each a plain service over the gateway: a task breakdown (stored as a suggestion that
 * can be accepted into real tasks), a project summary (plain or streamed), background runs of both,
 * and the usage report. Routes and the `ai.run` job call the same functions.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AppDb } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { clock } from '../../lib/clock.ts';
import { AppError, conflict, forbidden, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { aiTokensMetric } from '../billing/billing.service.ts';
import { getEntitlements } from '../plans/entitlements.ts';
import { findProject, type ProjectRow } from '../projects/projects.repository.ts';
import { createTask, readableTask } from '../tasks/tasks.service.ts';
import { allowed } from '../tenants/permissions.ts';
import { memberContext, resolveMembership, type TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './ai.repository.ts';
import type { AiDeps } from './ai.runtime.ts';
import { BreakdownModelSchema, type BreakdownOutput, BreakdownValidated } from './ai.schemas.ts';
import type { AiFeature, AiResult } from './gateway.ts';
import { projectSummaryPrompt, taskBreakdownPrompt } from './prompts.ts';

export const AI_RUN_JOB = 'ai.run';
export const AI_PRUNE_JOB = 'ai.prune';
/** Tasks a project summary is computed from: the most recently changed ones. */
const SUMMARY_TASKS = 300;
const DAY_MS = 24 * 3600 * 1000;

function usageOf(r: AiResult<unknown>) {
  return {
    model: { id: r.model.id, provider: r.model.provider as 'openai' | 'anthropic' | 'openai_compatible', model: r.model.model },
    inputTokens: r.usage.inputTokens,
    outputTokens: r.usage.outputTokens,
    costMicros: r.usage.costMicros,
    cached: r.cached,
    latencyMs: r.latencyMs,
  };
}

const auditUsage = (r: AiResult<unknown>) => ({
  model: `${r.model.provider}:${r.model.model}`,
  inputTokens: r.usage.inputTokens,
  outputTokens: r.usage.outputTokens,
  costMicros: r.usage.costMicros,
  cached: r.cached,
});

export function toSuggestion(s: repo.AiSuggestionRow) {
  return {
    id: s.id,
    kind: s.kind,
    taskId: s.taskId,
    projectId: s.projectId,
    items: s.items,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    acceptedAt: s.acceptedAt?.toISOString() ?? null,
    createdTaskIds: s.createdTaskIds ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------
// Task breakdown
// ---------------------------------------------------------------------------------------------------

/** Proposes subtasks for a task and stores them as a suggestion (`sug_…`); nothing else is created. */
export async function proposeTaskBreakdown(
  ai: AiDeps,
  ctx: TenantContext,
  input: { taskId: string },
  options: { admitted?: boolean } = {},
) {
  const admission = await ai.gateway.admit(ctx, 'task_breakdown', { rateLimit: !options.admitted });
  const task = await withTenant(
    ai.db,
    ctx,
    async (tx) => {
      const t = await readableTask(tx, ctx, input.taskId);
      const project = await findProject(tx, ctx.tenantId, t.projectId);
      return { ...t, projectName: project?.name ?? '' };
    },
    { lookup: true },
  );
  const { system, prompt } = taskBreakdownPrompt({
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    dueDate: task.dueDate,
    labels: task.labels,
    projectName: task.projectName,
  });
  const { result, committed } = await ai.gateway.generate<BreakdownOutput, repo.AiSuggestionRow>({
    ctx,
    admission,
    system,
    prompt,
    output: { name: 'task_breakdown', schema: BreakdownModelSchema, validate: BreakdownValidated },
    commit: async (tx, r) => {
      const suggestion = await repo.insertSuggestion(tx, {
        id: newId('sug'),
        tenantId: ctx.tenantId,
        kind: 'task_breakdown',
        taskId: task.id,
        projectId: task.projectId,
        items: (r.object as BreakdownOutput).subtasks,
        modelId: r.model.id,
        createdBy: ctx.userId,
      });
      await recordAudit(tx, ctx.tenantId, ctx.actor, {
        action: 'ai.task_breakdown',
        targetType: 'task',
        targetId: task.id,
        metadata: { suggestionId: suggestion.id, subtasks: suggestion.items.length, ...auditUsage(r) },
      });
      return suggestion;
    },
  });
  return { suggestion: toSuggestion(committed), usage: usageOf(result) };
}

/**
 * Creates the chosen subtasks of a suggestion as tasks, through the tasks service (plan limits,
 * permissions, audit and events as for any task), all in one transaction: if one cannot be created,
 * none is. A suggestion is accepted once.
 */
export async function acceptTaskBreakdown(db: AppDb, ctx: TenantContext, suggestionId: string, body: { indexes?: number[] }) {
  if (!allowed(ctx, 'ai:use')) throw forbidden(`Your role (${ctx.role ?? 'api key'}) lacks the permission ai:use`);
  return withTenant(db, ctx, async (tx) => {
    const suggestion = await repo.findSuggestion(tx, ctx.tenantId, suggestionId);
    if (!suggestion) throw notFound('Suggestion');
    if (suggestion.acceptedAt) {
      throw conflict('This suggestion was already accepted', { createdTaskIds: suggestion.createdTaskIds ?? [] });
    }
    const indexes = body.indexes ?? suggestion.items.map((_, i) => i);
    const outside = indexes.filter((i) => i >= suggestion.items.length);
    if (outside.length > 0) {
      throw new AppError(
        'validation_error',
        `This suggestion has ${suggestion.items.length} subtasks (indexes 0 to ${suggestion.items.length - 1})`,
        [{ location: 'body', path: 'indexes', message: `No subtask at ${outside.join(', ')}` }],
      );
    }
    // The tasks service opens its own transaction: here it nests (a savepoint) inside this one.
    const nested = tx as unknown as AppDb;
    const created = [];
    for (const i of indexes) {
      const item = suggestion.items[i] as BreakdownOutput['subtasks'][number];
      created.push(
        await createTask(nested, ctx, {
          projectId: suggestion.projectId,
          title: item.title,
          description: item.description ? `${item.description}\n\nEstimate: ${item.estimate}` : `Estimate: ${item.estimate}`,
          priority: item.priority,
        }),
      );
    }
    const taskIds = created.map((t) => t.id);
    const accepted = await repo.markSuggestionAccepted(tx, ctx.tenantId, suggestionId, ctx.userId, taskIds);
    if (!accepted) throw conflict('This suggestion was accepted at the same moment by someone else');
    await recordAudit(tx, ctx.tenantId, ctx.actor, {
      action: 'ai.breakdown_accepted',
      targetType: 'ai_suggestion',
      targetId: suggestionId,
      metadata: { taskId: suggestion.taskId, indexes, createdTaskIds: taskIds },
    });
    return { suggestion: toSuggestion(accepted), tasks: created };
  });
}

// ---------------------------------------------------------------------------------------------------
// Project summary
// ---------------------------------------------------------------------------------------------------

type TaskFactRow = Awaited<ReturnType<typeof repo.findProjectTasks>>[number];

const isOpen = (t: { status: string }) => t.status === 'todo' || t.status === 'in_progress';

/** The facts the summary is written from, computed here (never by the model). */
export function computeProjectFacts(project: ProjectRow, rows: TaskFactRow[], byStatus: Record<string, number>, now: Date) {
  const today = now.toISOString().slice(0, 10);
  const inAWeek = new Date(now.getTime() + 7 * DAY_MS).toISOString().slice(0, 10);
  const total = Object.values(byStatus).reduce((n, v) => n + v, 0);
  const done = byStatus.done ?? 0;
  const countable = total - (byStatus.canceled ?? 0);
  const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
  const open = rows.filter(isOpen);
  return {
    project: { id: project.id, name: project.name, archived: project.archivedAt !== null },
    today,
    totals: {
      tasks: total,
      considered: rows.length,
      byStatus: { todo: 0, in_progress: 0, done: 0, canceled: 0, ...byStatus },
      completionPercent: countable > 0 ? Math.round((done / countable) * 100) : 0,
      unassignedOpen: open.filter((t) => !t.assigneeName).length,
    },
    overdue: open
      .filter((t) => t.dueDate !== null && t.dueDate < today)
      .sort((a, b) => String(a.dueDate).localeCompare(String(b.dueDate)))
      .slice(0, 20)
      .map((t) => ({
        id: t.id,
        title: t.title,
        dueDate: t.dueDate as string,
        daysOverdue: daysBetween(t.dueDate as string, today),
        assignee: t.assigneeName,
      })),
    blockers: open
      .filter((t) => t.labels.some((l) => /^block/i.test(l)) || t.priority === 'urgent')
      .slice(0, 20)
      .map((t) => ({
        id: t.id,
        title: t.title,
        reason: t.labels.some((l) => /^block/i.test(l)) ? 'labelled as blocked' : 'urgent and not done',
        assignee: t.assigneeName,
      })),
    dueSoon: open
      .filter((t) => t.dueDate !== null && t.dueDate >= today && t.dueDate <= inAWeek)
      .sort((a, b) => String(a.dueDate).localeCompare(String(b.dueDate)))
      .slice(0, 10)
      .map((t) => ({ id: t.id, title: t.title, dueDate: t.dueDate as string })),
    recentlyCompleted: rows
      .filter((t) => t.status === 'done' && t.completedAt !== null && t.completedAt.getTime() >= now.getTime() - 7 * DAY_MS)
      .slice(0, 10)
      .map((t) => ({ id: t.id, title: t.title, completedAt: (t.completedAt as Date).toISOString() })),
  };
}

export type ProjectFacts = ReturnType<typeof computeProjectFacts>;

/**
 * A status report of a project: progress, blockers and overdue work, written by the model from facts
 * computed here. With `onDelta` the text is streamed as it comes (a streamed answer is not replayable,
 * so it does not claim an Idempotency-Key).
 */
export async function summarizeProject(
  ai: AiDeps,
  ctx: TenantContext,
  input: { projectId: string },
  options: { admitted?: boolean; onDelta?: (text: string) => void; signal?: AbortSignal } = {},
) {
  const admission = await ai.gateway.admit(ctx, 'project_summary', { rateLimit: !options.admitted });
  if (!allowed(ctx, 'task:read:all')) throw forbidden('A project summary reads every task of the project, which your role cannot');
  const facts = await withTenant(
    ai.db,
    ctx,
    async (tx) => {
      const project = await findProject(tx, ctx.tenantId, input.projectId);
      if (!project) throw notFound('Project');
      const rows = await repo.findProjectTasks(tx, ctx.tenantId, project.id, SUMMARY_TASKS);
      const byStatus = await repo.countProjectTasksByStatus(tx, ctx.tenantId, project.id);
      return computeProjectFacts(project, rows, byStatus, clock.now());
    },
    { lookup: true },
  );
  const { system, prompt } = projectSummaryPrompt(facts);
  const { result } = await ai.gateway.generate<undefined, void>({
    ctx,
    admission,
    system,
    prompt,
    onDelta: options.onDelta,
    signal: options.signal,
    claimIdempotency: !options.onDelta,
    commit: async (tx, r) => {
      await recordAudit(tx, ctx.tenantId, ctx.actor, {
        action: 'ai.project_summary',
        targetType: 'project',
        targetId: input.projectId,
        metadata: { streamed: Boolean(options.onDelta), ...auditUsage(r) },
      });
    },
  });
  return { projectId: input.projectId, summary: result.text, facts, usage: usageOf(result) };
}

// ---------------------------------------------------------------------------------------------------
// Background runs (?async=true)
// ---------------------------------------------------------------------------------------------------

export type AiJobInput = { taskId: string } | { projectId: string };

/** Admits the request now (permission, plan, rate limit, the target exists) and queues it: 202 { jobId }. */
export async function enqueueAiJob(ai: AiDeps, ctx: TenantContext, feature: AiFeature, input: AiJobInput) {
  await ai.gateway.admit(ctx, feature);
  if (!ctx.userId) throw forbidden('Background AI jobs run for a member; API keys cannot queue them');
  await withTenant(
    ai.db,
    ctx,
    async (tx) => {
      if ('taskId' in input) await readableTask(tx, ctx, input.taskId);
      else if (!(await findProject(tx, ctx.tenantId, input.projectId))) throw notFound('Project');
    },
    { lookup: true },
  );
  return withTenant(ai.db, ctx, async (tx) => {
    const job = await repo.insertJob(tx, {
      id: newId('aij'),
      tenantId: ctx.tenantId,
      feature,
      input,
      userId: ctx.userId,
      requestId: ctx.actor.requestId ?? null,
    });
    await ai.jobs.send(AI_RUN_JOB, { tenantId: ctx.tenantId, jobId: job.id }, { tx });
    return { jobId: job.id, status: 'queued' as const };
  });
}

/** The `ai.run` job: runs the queued request as the member who queued it (if still a member). */
export async function runAiJob(ai: AiDeps, data: { tenantId: string; jobId: string }, log: FastifyBaseLogger): Promise<void> {
  const { tenantId, jobId } = data;
  const job = await withTenant(ai.db, { tenantId }, (tx) => repo.claimJob(tx, tenantId, jobId, 10 * 60_000), { lookup: true });
  if (!job) return;
  let outcome: Parameters<typeof repo.finishJob>[3];
  try {
    if (!job.userId) throw forbidden('The member who queued this job no longer exists');
    const membership = await resolveMembership(ai.db, tenantId, job.userId);
    if (!membership) throw forbidden('The member who queued this job no longer belongs to this workspace');
    const ctx = memberContext(tenantId, job.userId, membership, { type: 'user', id: job.userId, requestId: job.requestId });
    const result =
      job.feature === 'task_breakdown'
        ? await proposeTaskBreakdown(ai, ctx, job.input as { taskId: string }, { admitted: true })
        : await summarizeProject(ai, ctx, job.input as { projectId: string }, { admitted: true });
    outcome = { status: 'succeeded', result: result as unknown as Record<string, unknown> };
  } catch (err) {
    if (!(err instanceof AppError)) log.error({ err, jobId, tenantId }, 'ai job failed unexpectedly');
    outcome = {
      status: 'failed',
      error:
        err instanceof AppError
          ? { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) }
          : { code: 'internal_error', message: 'The AI job failed unexpectedly' },
    };
  }
  await withTenant(ai.db, { tenantId }, (tx) => repo.finishJob(tx, tenantId, jobId, outcome), { lookup: true });
}

export async function getAiJob(db: AppDb, ctx: TenantContext, jobId: string) {
  if (!allowed(ctx, 'ai:use')) throw forbidden(`Your role (${ctx.role ?? 'api key'}) lacks the permission ai:use`);
  return withTenant(db, ctx, async (tx) => {
    const job = await repo.findJob(tx, ctx.tenantId, jobId);
    if (!job) throw notFound('AI job');
    return {
      id: job.id,
      feature: job.feature,
      status: job.status,
      input: job.input,
      result: job.result ?? null,
      error: job.error ?? null,
      createdAt: job.createdAt.toISOString(),
      startedAt: job.startedAt?.toISOString() ?? null,
      finishedAt: job.finishedAt?.toISOString() ?? null,
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------------------------------

const MAX_RANGE_MS = 400 * DAY_MS;

/** Tokens and cost from the ledger, in total and grouped; plus this month's budget. */
export async function getAiUsage(db: AppDb, ctx: TenantContext, q: { from?: string; to?: string; groupBy: repo.UsageGroupBy }) {
  if (!allowed(ctx, 'ai:use')) throw forbidden(`Your role (${ctx.role ?? 'api key'}) lacks the permission ai:use`);
  const now = clock.now();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = q.from ? new Date(q.from) : monthStart;
  const to = q.to ? new Date(q.to) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  if (from.getTime() >= to.getTime() || to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw new AppError('validation_error', '`from` must be before `to`, at most 400 days apart', [
      { location: 'querystring', path: 'from', message: 'Invalid range' },
    ]);
  }
  return withTenant(db, ctx, async (tx) => {
    const report = await repo.usageReport(tx, { tenantId: ctx.tenantId, from, to, groupBy: q.groupBy });
    const entitlements = await getEntitlements(tx, ctx.tenantId, now);
    const metric = aiTokensMetric(now);
    const numbers = (r: (typeof report.groups)[number] | NonNullable<typeof report.totals> | undefined) => {
      const inputTokens = Number(r?.inputTokens ?? 0);
      const outputTokens = Number(r?.outputTokens ?? 0);
      return {
        calls: Number(r?.calls ?? 0),
        cachedCalls: Number(r?.cachedCalls ?? 0),
        failedCalls: Number(r?.failedCalls ?? 0),
        inputTokens,
        outputTokens,
        totalTokens: inputTokens + outputTokens,
        costMicros: Number(r?.costMicros ?? 0),
      };
    };
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: q.groupBy,
      totals: numbers(report.totals),
      groups: report.groups.map((g) => ({ key: g.key, ...numbers(g) })),
      budget: {
        period: metric.slice(metric.indexOf(':') + 1),
        limit: entitlements.limits.ai_tokens_per_month,
        used: await repo.readTokens(tx, ctx.tenantId, metric),
      },
    };
  });
}
