/**
 * AI: the model registry (global, seeded from modules/ai/models.config.ts and changed by platform
 * admins), its change log, and the tenant data of the AI features: the usage ledger (one row per model
 * call, also failures), the response cache, task-breakdown suggestions and background AI jobs. The
 * monthly token budget is the `tenant_usage` row `ai_tokens:YYYY-MM` (see modules/ai/ai.repository.ts).
 * Tenant tables are under RLS; money is integer micro-dollars, tokens are integers.
 */
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';
import { tenants } from './tenants.ts';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const AI_PROVIDERS = ['openai', 'anthropic', 'openai_compatible'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];
export const AI_PURPOSES = ['task_breakdown', 'project_summary'] as const;
export type AiPurpose = (typeof AI_PURPOSES)[number];

export const aiModels = pgTable(
  'ai_models',
  {
    /** aim_… */
    id: text('id').primaryKey(),
    provider: text('provider').$type<AiProvider>().notNull(),
    /** The provider's model id (only ever read from the configuration or the database). */
    model: text('model').notNull(),
    purpose: text('purpose').$type<AiPurpose>().notNull(),
    /** Price per million input / output tokens, in integer micro-dollars (1 USD = 1,000,000). */
    inputPricePerMTokMicros: integer('input_price_per_mtok_micros').notNull(),
    outputPricePerMTokMicros: integer('output_price_per_mtok_micros').notNull(),
    maxOutputTokens: integer('max_output_tokens').notNull(),
    timeoutMs: integer('timeout_ms').notNull(),
    /** Fallback order: lower first. */
    priority: integer('priority').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Still listed in the configuration file (rows dropped from it are kept, disabled). */
    inConfig: boolean('in_config').notNull().default(true),
    /** Set when a platform admin changed the row: from then on the configuration no longer overwrites it. */
    adminEditedAt: timestamp('admin_edited_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('ai_models_provider_model_purpose_key').on(t.provider, t.model, t.purpose)],
);

/** Append-only log of registry changes by platform admins (action `ai.model_updated`). */
export const aiModelChanges = pgTable(
  'ai_model_changes',
  {
    id: text('id').primaryKey(),
    modelId: text('model_id')
      .notNull()
      .references(() => aiModels.id, { onDelete: 'cascade' }),
    action: text('action').notNull(),
    actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorEmail: text('actor_email'),
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
    ip: text('ip'),
    requestId: text('request_id'),
    ...timestamps,
  },
  (t) => [index('ai_model_changes_model_created_idx').on(t.modelId, t.createdAt)],
);

export type AiCallStatus = 'ok' | 'error' | 'rejected';

/** The usage ledger: one row per model call (each model tried), per cache hit and per refused call. */
export const aiUsage = pgTable(
  'ai_usage',
  {
    /** aiu_… */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    apiKeyId: text('api_key_id'),
    /** task_breakdown | project_summary */
    feature: text('feature').notNull(),
    /** Registry row and the provider/model it named at the time (null when refused before any model). */
    modelId: text('model_id'),
    provider: text('provider'),
    model: text('model'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    latencyMs: integer('latency_ms').notNull().default(0),
    /** Provider attempts made for this row (1 + retries). */
    attempts: integer('attempts').notNull().default(0),
    cached: boolean('cached').notNull().default(false),
    status: text('status').$type<AiCallStatus>().notNull(),
    errorCode: text('error_code'),
    requestId: text('request_id'),
    ...timestamps,
  },
  (t) => [index('ai_usage_tenant_created_idx').on(t.tenantId, t.createdAt)],
);

/** Answers kept for AI_CACHE_TTL_SECONDS: the same model, prompt and parameters are served from here. */
export const aiCache = pgTable(
  'ai_cache',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** sha256 of (provider, model, system, prompt, parameters). */
    key: text('key').notNull(),
    modelId: text('model_id').notNull(),
    /** { text } or { object }. */
    value: jsonb('value').$type<{ text?: string; object?: unknown }>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('ai_cache_tenant_key').on(t.tenantId, t.key), index('ai_cache_tenant_expires_idx').on(t.tenantId, t.expiresAt)],
);

export interface SubtaskProposalJson {
  title: string;
  description: string;
  priority: 'low' | 'medium' | 'high' | 'urgent';
  estimate: string;
}

/** A proposed breakdown of a task; accepting it creates the chosen subtasks as tasks (once). */
export const aiSuggestions = pgTable(
  'ai_suggestions',
  {
    /** sug_… */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'task_breakdown'>().notNull(),
    taskId: text('task_id').notNull(),
    projectId: text('project_id').notNull(),
    items: jsonb('items').$type<SubtaskProposalJson[]>().notNull(),
    modelId: text('model_id'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: text('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    createdTaskIds: text('created_task_ids').array(),
    ...timestamps,
  },
  (t) => [index('ai_suggestions_tenant_task_idx').on(t.tenantId, t.taskId, t.createdAt)],
);

export type AiJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** An AI request run in the background (`?async=true`): its input, state and result. */
export const aiJobs = pgTable(
  'ai_jobs',
  {
    /** aij_… */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    feature: text('feature').$type<'task_breakdown' | 'project_summary'>().notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<AiJobStatus>().notNull().default('queued'),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: jsonb('error').$type<{ code: string; message: string; details?: unknown }>(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    requestId: text('request_id'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [index('ai_jobs_tenant_created_idx').on(t.tenantId, t.createdAt)],
);
