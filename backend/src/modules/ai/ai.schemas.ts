/**
 * AI schemas: what the model is asked to return, how its answer is validated, and the HTTP contract.
 */
import { z } from 'zod';
import { AI_PROVIDERS, AI_PURPOSES, TASK_PRIORITIES } from '../../db/schema/index.ts';
import { RefId } from '../tasks/tasks.schemas.ts';
import { Id, TenantParams } from '../tenants/tenants.schemas.ts';

// ---------------------------------------------------------------------------------------------------
// Model output
// ---------------------------------------------------------------------------------------------------

/** The JSON the model is asked for (types only: every provider's structured-output mode accepts it). */
export const BreakdownModelSchema = z.object({
  subtasks: z
    .array(
      z.object({
        title: z.string().describe('Short imperative title of the subtask'),
        description: z.string().describe('One to three sentences: what to do and when it is done'),
        priority: z.enum(TASK_PRIORITIES),
        estimate: z.string().describe('Effort, such as 30m, 2h, 1d or 1w'),
      }),
    )
    .describe('2 to 8 subtasks, in the order they should be done'),
});

/** No control characters other than tab and line breaks; no NUL (PostgreSQL text cannot hold it). */
const plain = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return false;
  }
  return true;
};

/** The model's answer must pass this before anything is stored or shown; otherwise it is unusable output. */
export const SubtaskProposal = z
  .object({
    title: z.string().trim().min(1).max(200).refine(plain, 'control characters'),
    description: z.string().trim().max(2000).refine(plain, 'control characters'),
    priority: z.enum(TASK_PRIORITIES),
    estimate: z.string().trim().min(1).max(40).refine(plain, 'control characters'),
  })
  .meta({ id: 'SubtaskProposal' });

export const BreakdownValidated = z.object({ subtasks: z.array(SubtaskProposal).min(1).max(12) });
export type BreakdownOutput = z.output<typeof BreakdownValidated>;

// ---------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------

export const AsyncQuery = z.object({
  async: z.enum(['true', 'false']).default('false').describe('true: run in the background and answer 202 with a job id'),
});

export const TaskBreakdownBody = z.object({ taskId: RefId.describe('The task to break down (task_…)') });
export const ProjectSummaryBody = z.object({ projectId: RefId.describe('The project to summarize (prj_…)') });
export const AcceptBody = z.object({
  indexes: z
    .array(z.number().int().min(0).max(99))
    .min(1)
    .max(12)
    .refine((l) => new Set(l).size === l.length, 'indexes must be unique')
    .optional()
    .describe('Which proposed subtasks to create (0-based); all when omitted'),
});

export const SuggestionParams = TenantParams.extend({ suggestionId: RefId.describe('Suggestion id (sug_…)') });
export const JobParams = TenantParams.extend({ jobId: RefId.describe('AI job id (aij_…)') });
export const ModelParams = z.object({ modelId: Id.describe('Registry id (aim_…)') });

export const AiUsageSummary = z
  .object({
    model: z.object({ id: z.string(), provider: z.enum(AI_PROVIDERS), model: z.string() }).describe('The model that answered'),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costMicros: z.number().int().describe('Cost in micro-dollars (1 USD = 1,000,000); 0 when served from the cache'),
    cached: z.boolean().describe('Served from the response cache: no provider call, no cost'),
    latencyMs: z.number().int(),
  })
  .meta({ id: 'AiUsageSummary' });

export const Suggestion = z
  .object({
    id: z.string().describe('sug_…'),
    kind: z.literal('task_breakdown'),
    taskId: z.string(),
    projectId: z.string(),
    items: z.array(SubtaskProposal).describe('Proposed subtasks (plain text: render as text, never as HTML)'),
    createdBy: z.string().nullable(),
    createdAt: z.iso.datetime(),
    acceptedAt: z.iso.datetime().nullable(),
    createdTaskIds: z.array(z.string()).nullable(),
  })
  .meta({ id: 'AiSuggestion' });

export const BreakdownResult = z.object({ suggestion: Suggestion, usage: AiUsageSummary }).meta({ id: 'AiTaskBreakdown' });

export const ProjectFacts = z
  .object({
    project: z.object({ id: z.string(), name: z.string(), archived: z.boolean() }),
    today: z.string().describe('YYYY-MM-DD (UTC)'),
    totals: z.object({
      tasks: z.number().int(),
      considered: z.number().int().describe('Tasks the facts were computed from (the most recently changed, at most 300)'),
      byStatus: z.record(z.string(), z.number().int()),
      completionPercent: z.number().int(),
      unassignedOpen: z.number().int(),
    }),
    overdue: z.array(
      z.object({ id: z.string(), title: z.string(), dueDate: z.string(), daysOverdue: z.number().int(), assignee: z.string().nullable() }),
    ),
    blockers: z.array(z.object({ id: z.string(), title: z.string(), reason: z.string(), assignee: z.string().nullable() })),
    dueSoon: z.array(z.object({ id: z.string(), title: z.string(), dueDate: z.string() })),
    recentlyCompleted: z.array(z.object({ id: z.string(), title: z.string(), completedAt: z.string() })),
  })
  .meta({ id: 'AiProjectFacts' });

export const SummaryResult = z
  .object({
    projectId: z.string(),
    summary: z.string().describe('Plain text written by the model from the facts (render as text, never as HTML)'),
    facts: ProjectFacts,
    usage: AiUsageSummary,
  })
  .meta({ id: 'AiProjectSummary' });

export const JobAccepted = z.object({ jobId: z.string().describe('aij_…; poll GET …/ai/jobs/:jobId'), status: z.literal('queued') });

export const AiJob = z
  .object({
    id: z.string(),
    feature: z.enum(AI_PURPOSES),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    input: z.record(z.string(), z.unknown()),
    result: z.record(z.string(), z.unknown()).nullable().describe('The same body the synchronous call answers with'),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AiJob' });

export const UsageQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive start (ISO 8601); default: the start of this month (UTC)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive end (ISO 8601); default: the start of next month (UTC)'),
  groupBy: z.enum(['day', 'model', 'feature', 'user']).default('day'),
});

const UsageNumbers = {
  calls: z.number().int().describe('Ledger rows: model calls, cache hits and refused calls'),
  cachedCalls: z.number().int(),
  failedCalls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  costMicros: z.number().int().describe('Micro-dollars (1 USD = 1,000,000)'),
};

export const UsageReport = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    groupBy: z.enum(['day', 'model', 'feature', 'user']),
    totals: z.object(UsageNumbers),
    groups: z.array(z.object({ key: z.string().describe('The day (YYYY-MM-DD), provider:model, feature, or user id'), ...UsageNumbers })),
    budget: z.object({
      period: z.string().describe('YYYY-MM'),
      limit: z.number().int().describe('The plan’s AI tokens per month; -1 means unlimited'),
      used: z.number().int().describe('Tokens used this month, including calls in flight'),
    }),
  })
  .meta({ id: 'AiUsageReport' });

export const AiModel = z
  .object({
    id: z.string(),
    provider: z.enum(AI_PROVIDERS),
    model: z.string(),
    purpose: z.enum(AI_PURPOSES),
    inputPricePerMTokMicros: z.number().int().describe('Micro-dollars per million input tokens'),
    outputPricePerMTokMicros: z.number().int().describe('Micro-dollars per million output tokens'),
    maxOutputTokens: z.number().int(),
    timeoutMs: z.number().int(),
    priority: z.number().int().describe('Fallback order: lower first'),
    enabled: z.boolean(),
    inConfig: z.boolean().describe('Still listed in the configuration file'),
    providerConfigured: z.boolean().describe('This server has credentials (or a URL) for the provider'),
    adminEditedAt: z.iso.datetime().nullable().describe('Changed by a platform admin: the configuration file no longer overwrites it'),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'AiModel' });

export const ModelPatchBody = z
  .object({
    inputPricePerMTokMicros: z.number().int().min(0).max(1_000_000_000).optional(),
    outputPricePerMTokMicros: z.number().int().min(0).max(1_000_000_000).optional(),
    enabled: z.boolean().optional(),
    priority: z.number().int().min(0).max(10_000).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
    maxOutputTokens: z.number().int().min(16).max(200_000).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'change at least one field');
