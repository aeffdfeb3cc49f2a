/**
 * The AI gateway: the one service every AI feature calls. For each request it
 *
 *   1. admits it (`admit`): the `ai:use` permission (403), a configured and enabled model for the
 *      purpose (503 `ai_not_configured`), the plan's `ai` feature (402) and the per-tenant request
 *      limit AI_REQUESTS_PER_MINUTE (429);
 *   2. serves it from the response cache when the same model, prompt and parameters were answered
 *      within AI_CACHE_TTL_SECONDS (a ledger row marked cached, zero cost, no provider call);
 *   3. reserves the estimated tokens (input ≈ characters / 4, plus the largest max output) in the
 *      tenant's monthly budget with one conditional UPDATE (402 when they do not fit), BEFORE any call;
 *   4. calls the models by priority: each attempt has the model's timeout; a 429 or 5xx is retried twice
 *      with backoff; a timeout, another error or unusable output moves on to the next model;
 *   5. settles: the budget keeps the tokens the providers reported (the reservation is given back), a
 *      ledger row per model tried is written (failures too), and the feature's own rows (`commit`) go in
 *      the same transaction. When every model failed: 503 and the reservation is released.
 *
 * Every model call also makes one structured log line (`ai call`) and is passed to `onAiCall`
 * listeners (metrics). Model output is data: validated with Zod, never executed, never rendered as HTML.
 */
import { createHash } from 'node:crypto';
import type { LanguageModelUsage } from 'ai';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { AppConfig } from '../../config.ts';
import type { AppDb, Tx } from '../../db/client.ts';
import type { AiCallStatus, AiPurpose } from '../../db/schema/index.ts';
import { withTenant } from '../../db/tenant.ts';
import { clock } from '../../lib/clock.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { aiTokensMetric } from '../billing/billing.service.ts';
import { assertFeature } from '../plans/limits.service.ts';
import { allowed } from '../tenants/permissions.ts';
import type { TenantContext } from '../tenants/tenants.service.ts';
import * as repo from './ai.repository.ts';
import { anyProviderConfigured, isProviderConfigured, ProviderModels } from './providers.ts';
import { AiRateLimiter } from './rate-limit.ts';

export type AiFeature = AiPurpose;

type AiSdk = typeof import('ai');
let aiSdk: Promise<AiSdk> | undefined;
/** The AI SDK, loaded on the first model call: a process that never calls a model does not hold it. */
const loadAiSdk = (): Promise<AiSdk> => {
  aiSdk ??= import('ai');
  return aiSdk;
};

/** Retries after the first attempt, for a provider answering 429 or 5xx. */
export const MAX_RETRIES = 2;
const MAX_BACKOFF_MS = 5_000;

/** One model call (or cache hit, or refusal), as written to the ledger and the log. */
export interface AiCallRecord {
  id: string;
  tenantId: string;
  userId: string | null;
  apiKeyId: string | null;
  feature: AiFeature;
  modelId: string | null;
  provider: string | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  latencyMs: number;
  attempts: number;
  cached: boolean;
  status: AiCallStatus;
  errorCode: string | null;
  requestId: string | null;
  /** When the call started (rows of one request are in call order). */
  createdAt: Date;
}

type AiCallListener = (record: AiCallRecord) => void;
const listeners = new Set<AiCallListener>();

/** Subscribes to every AI call (for metrics). Returns the unsubscribe function. */
export function onAiCall(listener: AiCallListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tokens a prompt is estimated at before the call: about four characters per token. */
export function estimateInputTokens(...texts: string[]): number {
  return Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4);
}

/** Cost in micro-dollars: tokens × price per million tokens / 1,000,000, rounded up. */
export function costMicros(
  prices: { inputPricePerMTokMicros: number; outputPricePerMTokMicros: number },
  inputTokens: number,
  outputTokens: number,
): number {
  const numerator =
    BigInt(inputTokens) * BigInt(prices.inputPricePerMTokMicros) + BigInt(outputTokens) * BigInt(prices.outputPricePerMTokMicros);
  return Number((numerator + 999_999n) / 1_000_000n);
}

export interface Admission {
  feature: AiFeature;
  /** Enabled models with a configured provider, in fallback order. */
  candidates: repo.AiModelRow[];
  /** The plan's ai_tokens_per_month (-1 = unlimited). */
  tokenLimit: number;
}

export interface AiResult<T> {
  text: string;
  object: T | undefined;
  model: { id: string; provider: string; model: string };
  usage: { inputTokens: number; outputTokens: number; costMicros: number };
  cached: boolean;
  latencyMs: number;
}

export interface GenerateRequest<T, R> {
  ctx: TenantContext;
  admission: Admission;
  system: string;
  prompt: string;
  /** Structured output: the model is asked for JSON of `schema`; the answer must pass `validate`. */
  output?: { name: string; schema: z.ZodType; validate: z.ZodType<T> };
  /** Streams the answer: called with each text chunk as it arrives. */
  onDelta?: (text: string) => void;
  /** The caller went away (e.g. the client closed the stream). */
  signal?: AbortSignal;
  /** Writes the feature's rows in the same transaction as the settlement and the ledger rows. */
  commit?: (tx: Tx, result: AiResult<T>) => Promise<R>;
  /**
   * Whether the final transaction is the request's "first" one (claiming its Idempotency-Key).
   * False for streamed answers, which cannot be replayed.
   */
  claimIdempotency?: boolean;
}

interface ErrorClass {
  code: string;
  retryable: boolean;
  retryAfterMs?: number;
}

interface AttemptResult<T> {
  ok: boolean;
  text: string;
  object: T | undefined;
  /** Tokens the provider reported for this attempt (also for unusable output). */
  usage: { inputTokens: number; outputTokens: number };
  /** Text already went to the client (a stream): no other model may answer any more. */
  streamed: boolean;
  error?: ErrorClass;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers['retry-after-ms']);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function classify(err: unknown, { NoObjectGeneratedError, APICallError }: AiSdk): ErrorClass {
  if (NoObjectGeneratedError.isInstance(err)) return { code: 'invalid_output', retryable: false };
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    if (status === 429) return { code: 'provider_rate_limited', retryable: true, retryAfterMs: retryAfterMs(err.responseHeaders) };
    if (status !== undefined && status >= 500) {
      return { code: 'provider_error', retryable: true, retryAfterMs: retryAfterMs(err.responseHeaders) };
    }
    if (status !== undefined && status < 300) return { code: 'invalid_response', retryable: false };
    if (status !== undefined) return { code: 'provider_rejected', retryable: false };
    return { code: 'provider_unreachable', retryable: false };
  }
  const name = (err as { name?: string } | undefined)?.name ?? '';
  if (/JSONParse|TypeValidation|InvalidResponse|NoContentGenerated|NoOutputGenerated/.test(name)) {
    return { code: 'invalid_response', retryable: false };
  }
  return { code: 'provider_failed', retryable: false };
}

function reportedUsage(usage: LanguageModelUsage | undefined) {
  if (!usage || (usage.inputTokens === undefined && usage.outputTokens === undefined)) return undefined;
  return { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
}

function notConfigured(config: AppConfig, feature: AiFeature): AppError {
  const message = anyProviderConfigured(config.ai)
    ? `No enabled AI model for ${feature} has a configured provider. A platform admin can enable one (PATCH /api/v1/admin/ai-models/:id), ` +
      'or configure its provider: OPENAI_API_KEY, ANTHROPIC_API_KEY or AI_COMPATIBLE_BASE_URL (see .env.example).'
    : 'AI is not configured on this server. To turn it on, set OPENAI_API_KEY or ANTHROPIC_API_KEY, or AI_COMPATIBLE_BASE_URL for any ' +
      'OpenAI-compatible server such as Ollama, vLLM or llama.cpp (e.g. http://127.0.0.1:11434/v1), and restart. See .env.example.';
  return new AppError('ai_not_configured', message, { feature });
}

export interface GatewayDeps {
  config: AppConfig;
  db: AppDb;
  log: FastifyBaseLogger;
  /** First retry delay (doubles each retry); a provider's Retry-After wins, up to 5 s. */
  retryBaseDelayMs?: number;
}

export class AiGateway {
  private readonly config: AppConfig;
  private readonly db: AppDb;
  private readonly log: FastifyBaseLogger;
  private readonly providers: ProviderModels;
  private readonly limiter: AiRateLimiter;
  private readonly retryBaseDelayMs: number;

  constructor(deps: GatewayDeps) {
    this.config = deps.config;
    this.db = deps.db;
    this.log = deps.log.child({ module: 'ai' });
    this.providers = new ProviderModels(deps.config.ai);
    this.limiter = new AiRateLimiter(deps.config.ai.requestsPerMinute);
    this.retryBaseDelayMs = deps.retryBaseDelayMs ?? 250;
  }

  /**
   * May this caller use AI for `feature` now? Permission, configuration, plan feature and (unless
   * `rateLimit` is false, for work admitted earlier) the per-tenant request limit.
   */
  async admit(ctx: TenantContext, feature: AiFeature, options: { rateLimit?: boolean } = {}): Promise<Admission> {
    if (!allowed(ctx, 'ai:use')) {
      throw forbidden(ctx.role ? `Your role (${ctx.role}) lacks the permission ai:use` : 'This API key lacks the scope for ai:use');
    }
    const admission = await withTenant(
      this.db,
      ctx,
      async (tx) => {
        const candidates = (await repo.findModels(tx, feature)).filter(
          (m) => m.enabled && isProviderConfigured(this.config.ai, m.provider),
        );
        if (candidates.length === 0) return undefined;
        const entitlements = await assertFeature(tx, ctx.tenantId, 'ai');
        return { feature, candidates, tokenLimit: entitlements.limits.ai_tokens_per_month };
      },
      { lookup: true },
    );
    if (!admission) throw notConfigured(this.config, feature);
    if (options.rateLimit !== false) {
      const taken = this.limiter.take(ctx.tenantId);
      if (!taken.ok) {
        this.log.warn({ tenantId: ctx.tenantId, feature, requestId: ctx.actor.requestId }, 'ai request refused: rate limit');
        throw new AppError('rate_limited', `Too many AI requests in this workspace; retry in ${taken.retryAfterSeconds} seconds`, {
          limit: this.limiter.limit,
          retryAfter: taken.retryAfterSeconds,
        });
      }
    }
    return admission;
  }

  async generate<T = undefined, R = undefined>(req: GenerateRequest<T, R>): Promise<{ result: AiResult<T>; committed: R }> {
    const { ctx, admission } = req;
    const claim = req.claimIdempotency !== false;
    const base = {
      tenantId: ctx.tenantId,
      userId: ctx.userId,
      apiKeyId: ctx.actor.type === 'api_key' ? ctx.actor.id : null,
      feature: admission.feature,
      requestId: ctx.actor.requestId ?? null,
    };
    let lastAt = 0;
    const record = (
      model: repo.AiModelRow | null,
      fields: Partial<AiCallRecord> & { status: AiCallStatus },
      startedAt = Date.now(),
    ): AiCallRecord => {
      lastAt = Math.max(startedAt, lastAt + 1);
      return {
        id: newId('aiu'),
        ...base,
        modelId: model?.id ?? null,
        provider: model?.provider ?? null,
        model: model?.model ?? null,
        inputTokens: 0,
        outputTokens: 0,
        costMicros: 0,
        latencyMs: 0,
        attempts: 0,
        cached: false,
        errorCode: null,
        createdAt: new Date(lastAt),
        ...fields,
      };
    };

    // 1. The response cache.
    const ttlMs = this.config.ai.cacheTtlSeconds * 1000;
    const schemaFingerprint = req.output ? JSON.stringify([req.output.name, z.toJSONSchema(req.output.schema)]) : null;
    const keyed =
      ttlMs > 0 ? admission.candidates.map((model) => ({ model, key: this.cacheKey(model, req, schemaFingerprint) })) : ([] as const);
    if (keyed.length > 0) {
      const lookupStarted = Date.now();
      const hits = await withTenant(
        this.db,
        ctx,
        (tx) =>
          repo.findCached(
            tx,
            ctx.tenantId,
            keyed.map((k) => k.key),
            clock.now(),
          ),
        {
          lookup: true,
        },
      );
      for (const { model, key } of keyed) {
        const hit = hits.find((h) => h.key === key);
        const value = hit ? this.readCached(hit.value, req) : undefined;
        if (!value) continue;
        const latencyMs = Date.now() - lookupStarted;
        const row = record(model, { status: 'ok', cached: true, latencyMs });
        const result: AiResult<T> = {
          ...value,
          model: { id: model.id, provider: model.provider, model: model.model },
          usage: { inputTokens: 0, outputTokens: 0, costMicros: 0 },
          cached: true,
          latencyMs,
        };
        req.onDelta?.(result.text);
        const committed = await withTenant(
          this.db,
          ctx,
          async (tx) => {
            await repo.insertUsageRows(tx, [row]);
            return (req.commit ? await req.commit(tx, result) : undefined) as R;
          },
          { lookup: !claim },
        );
        this.emit([row]);
        return { result, committed };
      }
    }

    // 2. Reserve the estimate in the monthly budget, before any provider call.
    const metric = aiTokensMetric(clock.now());
    const estimate = estimateInputTokens(req.system, req.prompt) + Math.max(...admission.candidates.map((m) => m.maxOutputTokens));
    const refused = await withTenant(
      this.db,
      ctx,
      async (tx) => {
        const value = await repo.reserveTokens(tx, ctx.tenantId, metric, estimate, admission.tokenLimit);
        if (value !== undefined) return undefined;
        const row = record(null, { status: 'rejected', errorCode: 'budget_exhausted' });
        await repo.insertUsageRows(tx, [row]);
        return { row, used: await repo.readTokens(tx, ctx.tenantId, metric) };
      },
      { lookup: true },
    );
    if (refused) {
      this.emit([refused.row]);
      const period = metric.slice(metric.indexOf(':') + 1);
      throw new AppError(
        'plan_limit_reached',
        `This workspace has used ${refused.used} of its ${admission.tokenLimit} AI tokens for ${period}; this request needs up to ${estimate}. ` +
          'The budget renews at the start of next month, or upgrade the plan for more.',
        { metric: 'ai_tokens_per_month', limit: admission.tokenLimit, used: refused.used, needed: estimate, period },
      );
    }

    // 3. The models, by priority.
    const rows: AiCallRecord[] = [];
    let charged = 0;
    let success: { model: repo.AiModelRow; attempt: AttemptResult<T>; latencyMs: number; costMicros: number } | undefined;
    let streamed = false;
    for (const model of admission.candidates) {
      if (req.signal?.aborted) break;
      const started = Date.now();
      let attempts = 0;
      const usage = { inputTokens: 0, outputTokens: 0 };
      let last: AttemptResult<T>;
      for (;;) {
        attempts++;
        last = await this.attempt(model, req);
        usage.inputTokens += last.usage.inputTokens;
        usage.outputTokens += last.usage.outputTokens;
        const error = last.error;
        if (last.ok || !error?.retryable || last.streamed || attempts > MAX_RETRIES || req.signal?.aborted) break;
        const backoff = Math.min(error.retryAfterMs ?? this.retryBaseDelayMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
        await sleep(backoff + Math.floor(Math.random() * 50), req.signal);
      }
      const latencyMs = Date.now() - started;
      const cost = costMicros(model, usage.inputTokens, usage.outputTokens);
      charged += usage.inputTokens + usage.outputTokens;
      rows.push(
        record(
          model,
          {
            status: last.ok ? 'ok' : 'error',
            errorCode: last.ok ? null : (last.error?.code ?? 'provider_failed'),
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            costMicros: cost,
            latencyMs,
            attempts,
          },
          started,
        ),
      );
      if (last.ok) {
        success = { model, attempt: last, latencyMs, costMicros: cost };
        break;
      }
      if (last.streamed) {
        streamed = true;
        break;
      }
    }

    // 4. Settle.
    const settle = async (tx: Tx) => {
      await repo.adjustTokens(tx, ctx.tenantId, metric, charged - estimate);
      await repo.insertUsageRows(tx, rows);
    };
    const settleAlone = async () => {
      try {
        await withTenant(this.db, ctx, settle, { lookup: true });
      } catch (err) {
        this.log.error({ err, tenantId: ctx.tenantId, metric, estimate, charged }, 'ai: settling the token budget failed');
      }
    };
    if (success) {
      const { model, attempt } = success;
      const okRow = rows.at(-1) as AiCallRecord;
      const result: AiResult<T> = {
        text: attempt.text,
        object: attempt.object,
        model: { id: model.id, provider: model.provider, model: model.model },
        usage: { inputTokens: okRow.inputTokens, outputTokens: okRow.outputTokens, costMicros: okRow.costMicros },
        cached: false,
        latencyMs: success.latencyMs,
      };
      let committed: R;
      try {
        committed = await withTenant(
          this.db,
          ctx,
          async (tx) => {
            await settle(tx);
            const entry = keyed.find((k) => k.model.id === model.id);
            if (entry) {
              await repo.upsertCache(tx, {
                tenantId: ctx.tenantId,
                key: entry.key,
                modelId: model.id,
                value: req.output ? { object: attempt.object } : { text: attempt.text },
                expiresAt: new Date(clock.now().getTime() + ttlMs),
              });
            }
            return (req.commit ? await req.commit(tx, result) : undefined) as R;
          },
          { lookup: !claim },
        );
      } catch (err) {
        // The feature's write failed (e.g. a plan limit): the tokens were still spent.
        await settleAlone();
        this.emit(rows);
        throw err;
      }
      this.emit(rows);
      return { result, committed };
    }

    await settleAlone();
    this.emit(rows);
    throw this.failure(rows, charged, streamed, req.signal?.aborted === true);
  }

  /** One provider call with the model's timeout. Never throws: failures come back classified. */
  private async attempt<T, R>(model: repo.AiModelRow, req: GenerateRequest<T, R>): Promise<AttemptResult<T>> {
    const ai = await loadAiSdk();
    const { generateText, NoObjectGeneratedError, Output, streamText } = ai;
    const languageModel = await this.providers.model(model.provider, model.model);
    const controller = new AbortController();
    let timedOut = false;
    const arm = () =>
      setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`timed out after ${model.timeoutMs} ms`));
      }, model.timeoutMs);
    let timer = arm();
    const signal = req.signal ? AbortSignal.any([controller.signal, req.signal]) : controller.signal;
    const empty = { inputTokens: 0, outputTokens: 0 };
    const settings = {
      model: languageModel,
      system: req.system,
      prompt: req.prompt,
      maxOutputTokens: model.maxOutputTokens,
      maxRetries: 0,
      abortSignal: signal,
    };
    // When a provider does not report usage, the budget still counts an estimate.
    const usageOf = (usage: LanguageModelUsage | undefined, text: string) =>
      reportedUsage(usage) ?? { inputTokens: estimateInputTokens(req.system, req.prompt), outputTokens: estimateInputTokens(text) };
    let streamed = false;
    try {
      if (req.onDelta) {
        let text = '';
        let usage: LanguageModelUsage | undefined;
        let failure: unknown;
        const stream = streamText({ ...settings, onError: () => {} });
        for await (const part of stream.fullStream) {
          if (part.type === 'text-delta' && part.text) {
            streamed = true;
            text += part.text;
            clearTimeout(timer);
            timer = arm(); // the timeout is between chunks once the answer flows
            req.onDelta(part.text);
          } else if (part.type === 'finish') {
            usage = part.totalUsage;
          } else if (part.type === 'error') {
            failure = part.error;
            break;
          } else if (part.type === 'abort') {
            failure = signal.reason ?? new Error('aborted');
            break;
          }
        }
        if (failure !== undefined) throw failure;
        if (!text.trim())
          return {
            ok: false,
            text,
            object: undefined,
            usage: usageOf(usage, text),
            streamed,
            error: { code: 'invalid_output', retryable: false },
          };
        return { ok: true, text, object: undefined, usage: usageOf(usage, text), streamed };
      }
      if (req.output) {
        const r = await generateText({ ...settings, output: Output.object({ schema: req.output.schema, name: req.output.name }) });
        const usage = usageOf(r.usage, r.text);
        const checked = req.output.validate.safeParse(r.output);
        if (!checked.success)
          return { ok: false, text: r.text, object: undefined, usage, streamed, error: { code: 'invalid_output', retryable: false } };
        return { ok: true, text: JSON.stringify(checked.data), object: checked.data, usage, streamed };
      }
      const r = await generateText(settings);
      const usage = usageOf(r.usage, r.text);
      if (!r.text.trim())
        return { ok: false, text: r.text, object: undefined, usage, streamed, error: { code: 'invalid_output', retryable: false } };
      return { ok: true, text: r.text, object: undefined, usage, streamed };
    } catch (err) {
      const usage = NoObjectGeneratedError.isInstance(err) ? (reportedUsage(err.usage) ?? empty) : empty;
      let error: ErrorClass;
      if (timedOut) error = { code: 'timeout', retryable: false };
      else if (req.signal?.aborted) error = { code: 'aborted', retryable: false };
      else error = classify(err, ai);
      if (streamed && error.code !== 'aborted') error = { code: 'stream_interrupted', retryable: false };
      return { ok: false, text: '', object: undefined, usage, streamed, error };
    } finally {
      clearTimeout(timer);
    }
  }

  private failure(rows: AiCallRecord[], charged: number, streamed: boolean, aborted: boolean): AppError {
    const attempts = rows.map((r) => r.errorCode ?? 'unknown');
    if (aborted) return new AppError('service_unavailable', 'The AI request was cancelled', { reason: 'ai_cancelled', attempts });
    if (streamed) {
      return new AppError('service_unavailable', 'The AI model stopped in the middle of its answer; try again', {
        reason: 'ai_stream_interrupted',
        attempts,
      });
    }
    const unusable = rows.length > 0 && rows.every((r) => r.errorCode === 'invalid_output' || r.errorCode === 'invalid_response');
    if (unusable) {
      return new AppError(
        'service_unavailable',
        'The AI models answered with output that could not be used; nothing was created. Try again.',
        {
          reason: 'ai_invalid_output',
          attempts,
          chargedTokens: charged,
        },
      );
    }
    return new AppError(
      'service_unavailable',
      `No AI model could answer right now (${attempts.join(', ')}); ${charged === 0 ? 'nothing was charged' : 'only the tokens the providers reported were charged'}. Try again in a minute.`,
      { reason: 'ai_unavailable', attempts, chargedTokens: charged },
    );
  }

  private cacheKey<T, R>(model: repo.AiModelRow, req: GenerateRequest<T, R>, schemaFingerprint: string | null): string {
    return createHash('sha256')
      .update(
        JSON.stringify([
          'v1',
          model.provider,
          model.model,
          req.admission.feature,
          model.maxOutputTokens,
          schemaFingerprint,
          req.system,
          req.prompt,
        ]),
      )
      .digest('hex');
  }

  private readCached<T, R>(
    value: { text?: string; object?: unknown },
    req: GenerateRequest<T, R>,
  ): { text: string; object: T | undefined } | undefined {
    if (req.output) {
      const checked = req.output.validate.safeParse(value.object);
      return checked.success ? { text: JSON.stringify(checked.data), object: checked.data } : undefined;
    }
    return typeof value.text === 'string' && value.text.trim() ? { text: value.text, object: undefined } : undefined;
  }

  private emit(rows: AiCallRecord[]): void {
    for (const row of rows) {
      const line = { ai: row };
      if (row.status === 'ok') this.log.info(line, 'ai call');
      else this.log.warn(line, 'ai call');
      for (const listener of listeners) {
        try {
          listener(row);
        } catch (err) {
          this.log.warn({ err }, 'ai: an onAiCall listener failed');
        }
      }
    }
  }
}
