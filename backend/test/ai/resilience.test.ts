/**
 * The gateway when providers misbehave and budgets run out: retries on 429, a hanging model timed out
 * and the next one used, every model down (503, nothing charged), unusable output (503, nothing
 * created), an exhausted budget (402 before any provider call), and 20 concurrent calls at the edge of
 * the budget. The response cache is off here, so every call is a real one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AiCallRecord, onAiCall } from '../../src/modules/ai/gateway.ts';
import type { TestApp } from '../helpers/app.ts';
import { createProject, createTask, createWorkspace, setPlan, type Workspace } from '../helpers/workspace.ts';
import { type FakeOpenAI, SUMMARY_TEXT } from './fake-openai.ts';
import {
  type AiTestApp,
  aiUrl,
  BREAKDOWN,
  budgetMetric,
  budgetUsed,
  counts,
  expectError,
  ledger,
  post,
  postStream,
  SUMMARY,
  setUsage,
  startAiApp,
} from './support.ts';

let env: AiTestApp;
let t: TestApp;
let fake: FakeOpenAI;
let ws: Workspace;
let projectId: string;
let seq = 0;
const PRO_TOKENS = 2_000_000;

async function freshTask(title = 'Migrate the billing database') {
  return createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: `${title} #${++seq}`, description: 'Zero downtime.' });
}

async function newRows(before: number) {
  return (await ledger(t, ws.tenantId)).slice(before);
}

beforeAll(async () => {
  env = await startAiApp({ work: true, env: { AI_CACHE_TTL_SECONDS: '0' }, captureLogs: true });
  ({ t, fake } = env);
  ws = await createWorkspace(t.app, 'Flaky AI');
  await setPlan(t.database, ws.tenantId, 'pro');
  projectId = await createProject(t.app, ws.tenantId, ws.users.owner, 'Infra');
}, 300_000);

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  fake.reset();
});

describe('retries and fallback', () => {
  it('retries a provider 429 and succeeds on the same model', async () => {
    const task = await freshTask();
    const before = (await ledger(t, ws.tenantId)).length;
    fake.queue(BREAKDOWN.primary.model, { kind: 'status', status: 429, headers: { 'retry-after': '0' } }, { kind: 'status', status: 503 });
    const res = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.usage.model.model).toBe(BREAKDOWN.primary.model);
    expect(fake.callsTo(BREAKDOWN.primary.model).map((c) => c.behaviour)).toEqual(['status', 'status', 'answer']);
    expect(fake.callsTo(BREAKDOWN.secondary.model)).toHaveLength(0);
    const rows = await newRows(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: BREAKDOWN.primary.model, status: 'ok', attempts: 3, errorCode: null });
    // Backoff: the retries were not immediate.
    const [a, b, c] = fake.callsTo(BREAKDOWN.primary.model);
    expect((c?.at ?? 0) - (b?.at ?? 0)).toBeGreaterThanOrEqual(400);
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(0);
  });

  it('gives up on a model that keeps answering 429 after two retries and uses the next one', async () => {
    const task = await freshTask();
    const before = (await ledger(t, ws.tenantId)).length;
    fake.setDefault(BREAKDOWN.primary.model, { kind: 'status', status: 429, headers: { 'retry-after': '0' } });
    const res = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.usage.model.model).toBe(BREAKDOWN.secondary.model);
    expect(fake.callsTo(BREAKDOWN.primary.model)).toHaveLength(3);
    expect(await newRows(before)).toMatchObject([
      { model: BREAKDOWN.primary.model, status: 'error', errorCode: 'provider_rate_limited', attempts: 3, costMicros: 0 },
      { model: BREAKDOWN.secondary.model, status: 'ok', attempts: 1 },
    ]);
  });

  it('times out a hanging model (its own timeout) and answers from the next model by priority', async () => {
    const task = await freshTask();
    const before = (await ledger(t, ws.tenantId)).length;
    const usedBefore = await budgetUsed(t, ws.tenantId);
    fake.queue(BREAKDOWN.primary.model, { kind: 'hang' });
    const started = Date.now();
    const res = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
    const elapsed = Date.now() - started;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.usage.model.model).toBe(BREAKDOWN.secondary.model);
    expect(elapsed).toBeGreaterThanOrEqual(BREAKDOWN.primary.timeoutMs);
    // A timeout is not retried on the same model.
    expect(fake.callsTo(BREAKDOWN.primary.model)).toHaveLength(1);
    expect(fake.callsTo(BREAKDOWN.secondary.model)).toHaveLength(1);
    const rows = await newRows(before);
    expect(rows).toMatchObject([
      { model: BREAKDOWN.primary.model, status: 'error', errorCode: 'timeout', costMicros: 0, inputTokens: 0, outputTokens: 0 },
      { model: BREAKDOWN.secondary.model, status: 'ok' },
    ]);
    expect(rows[0]?.latencyMs).toBeGreaterThanOrEqual(BREAKDOWN.primary.timeoutMs);
    // Only the answering model's tokens are charged, at its own price.
    const reported = fake.callsTo(BREAKDOWN.secondary.model)[0]?.usage as { prompt_tokens: number; completion_tokens: number };
    expect(await budgetUsed(t, ws.tenantId)).toBe(usedBefore + reported.prompt_tokens + reported.completion_tokens);
  });

  it('every model down: 503, ledger rows with status error and zero cost, budget unchanged, nothing created', async () => {
    const task = await freshTask();
    const before = (await ledger(t, ws.tenantId)).length;
    const usedBefore = await budgetUsed(t, ws.tenantId);
    const countsBefore = await counts(t, ws.tenantId);
    fake.setDefault(BREAKDOWN.primary.model, { kind: 'status', status: 500 });
    fake.setDefault(BREAKDOWN.secondary.model, { kind: 'status', status: 502 });
    const seen: AiCallRecord[] = [];
    const unsubscribe = onAiCall((r) => seen.push(r));
    const res = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
    unsubscribe();
    expectError(res, 503, 'service_unavailable');
    // Metrics can subscribe to every call: the same records as the ledger.
    expect(seen.map((r) => [r.model, r.status, r.errorCode, r.costMicros])).toEqual([
      [BREAKDOWN.primary.model, 'error', 'provider_error', 0],
      [BREAKDOWN.secondary.model, 'error', 'provider_error', 0],
    ]);
    expect(res.body.error.details).toMatchObject({ reason: 'ai_unavailable', chargedTokens: 0 });
    expect(res.body.error.message).toContain('nothing was charged');
    expect(fake.callsTo(BREAKDOWN.primary.model)).toHaveLength(3);
    expect(fake.callsTo(BREAKDOWN.secondary.model)).toHaveLength(3);
    const rows = await newRows(before);
    expect(rows).toMatchObject([
      {
        model: BREAKDOWN.primary.model,
        status: 'error',
        errorCode: 'provider_error',
        costMicros: 0,
        inputTokens: 0,
        outputTokens: 0,
        attempts: 3,
      },
      {
        model: BREAKDOWN.secondary.model,
        status: 'error',
        errorCode: 'provider_error',
        costMicros: 0,
        inputTokens: 0,
        outputTokens: 0,
        attempts: 3,
      },
    ]);
    expect(await budgetUsed(t, ws.tenantId)).toBe(usedBefore);
    expect(await counts(t, ws.tenantId)).toEqual(countsBefore);
    // One structured log line per model call.
    const lines = t.logs.filter((l) => l.msg === 'ai call' && (l.ai as { requestId?: string })?.requestId === rows[0]?.requestId);
    expect(lines.map((l) => (l.ai as { errorCode: string }).errorCode)).toEqual(['provider_error', 'provider_error']);
    expect(lines[0]?.ai).toMatchObject({ tenantId: ws.tenantId, feature: 'task_breakdown', costMicros: 0, status: 'error' });
  });

  it('unusable output (a body that is not JSON, or JSON that breaks the schema): 503 ai_invalid_output, nothing created', async () => {
    const task = await freshTask();
    const before = (await ledger(t, ws.tenantId)).length;
    const usedBefore = await budgetUsed(t, ws.tenantId);
    const countsBefore = await counts(t, ws.tenantId);
    fake.queue(BREAKDOWN.primary.model, { kind: 'malformed' });
    fake.queue(BREAKDOWN.secondary.model, { kind: 'invalid_output' });
    const res = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
    expectError(res, 503, 'service_unavailable');
    expect(res.body.error.details).toMatchObject({ reason: 'ai_invalid_output', attempts: ['invalid_response', 'invalid_output'] });
    // Neither is retried: retrying would get the same kind of answer.
    expect(fake.callsTo(BREAKDOWN.primary.model)).toHaveLength(1);
    expect(fake.callsTo(BREAKDOWN.secondary.model)).toHaveLength(1);
    expect(await counts(t, ws.tenantId)).toEqual(countsBefore);
    const rows = await newRows(before);
    // The schema-breaking answer did consume tokens at the provider: they are recorded and charged.
    const reported = fake.callsTo(BREAKDOWN.secondary.model)[0]?.usage as { prompt_tokens: number; completion_tokens: number };
    expect(rows).toMatchObject([
      { model: BREAKDOWN.primary.model, status: 'error', errorCode: 'invalid_response', inputTokens: 0, costMicros: 0 },
      {
        model: BREAKDOWN.secondary.model,
        status: 'error',
        errorCode: 'invalid_output',
        inputTokens: reported.prompt_tokens,
        outputTokens: reported.completion_tokens,
      },
    ]);
    expect(rows[1]?.costMicros).toBeGreaterThan(0);
    expect(await budgetUsed(t, ws.tenantId)).toBe(usedBefore + reported.prompt_tokens + reported.completion_tokens);

    // A valid answer right after still works (the fallback is per call, not sticky).
    const ok = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
    expect(ok.status).toBe(201);
  });

  it('a streamed summary falls back to the next model when the first fails before its first chunk', async () => {
    const id = await createProject(t.app, ws.tenantId, ws.users.owner, `Stream fallback ${++seq}`);
    await createTask(t.app, ws.tenantId, ws.users.owner, { projectId: id, title: 'Something' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    fake.setDefault(SUMMARY.primary.model, { kind: 'status', status: 500 });
    const res = await postStream(`${base}${aiUrl(ws.tenantId, '/project-summary')}`, ws.users.member.h, { projectId: id });
    expect(res.status, res.raw).toBe(200);
    expect(
      res.events
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.text)
        .join(''),
    ).toBe(SUMMARY_TEXT);
    expect(res.events.at(-1)).toMatchObject({ event: 'done', data: { usage: { model: { model: SUMMARY.secondary.model } } } });
    expect(fake.callsTo(SUMMARY.primary.model)).toHaveLength(3);

    // A model that stops midway cannot be replaced (the client already has half an answer): the stream
    // ends with an error event; nothing is charged without a usage report.
    fake.setDefault(SUMMARY.primary.model, { kind: 'cut', afterChunks: 2 });
    const usedBefore = await budgetUsed(t, ws.tenantId);
    const ledgerBefore = (await ledger(t, ws.tenantId)).length;
    const cut = await postStream(`${base}${aiUrl(ws.tenantId, '/project-summary')}`, ws.users.member.h, { projectId: id });
    expect(cut.status).toBe(200);
    expect(cut.events.map((e) => e.event)).toEqual(['delta', 'delta', 'error']);
    expect(cut.events.at(-1)?.data).toMatchObject({ code: 'service_unavailable', details: { reason: 'ai_stream_interrupted' } });
    expect(fake.callsTo(SUMMARY.secondary.model)).toHaveLength(1);
    expect(await newRows(ledgerBefore)).toMatchObject([
      { model: SUMMARY.primary.model, status: 'error', errorCode: 'stream_interrupted', costMicros: 0 },
    ]);
    expect(await budgetUsed(t, ws.tenantId)).toBe(usedBefore);

    // Every model down before any chunk: an ordinary JSON 503, not a broken stream.
    fake.setDefault(SUMMARY.primary.model, { kind: 'status', status: 500 });
    fake.setDefault(SUMMARY.secondary.model, { kind: 'status', status: 500 });
    const down = await postStream(`${base}${aiUrl(ws.tenantId, '/project-summary')}`, ws.users.member.h, { projectId: id });
    expect(down.status).toBe(503);
    expect(JSON.parse(down.raw).error).toMatchObject({ code: 'service_unavailable', details: { reason: 'ai_unavailable' } });
  });
});

describe('monthly token budget', () => {
  it('an exhausted budget is 402 before any provider call', async () => {
    const task = await freshTask();
    const before = (await ledger(t, ws.tenantId)).length;
    const used = await budgetUsed(t, ws.tenantId);
    await setUsage(t, ws.tenantId, budgetMetric(), PRO_TOKENS);
    try {
      const res = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id });
      expectError(res, 402, 'plan_limit_reached');
      expect(res.body.error.details).toMatchObject({ metric: 'ai_tokens_per_month', limit: PRO_TOKENS, used: PRO_TOKENS });
      expect(res.body.error.details.needed).toBeGreaterThan(BREAKDOWN.primary.maxOutputTokens);
      expectError(await post(t, ws.users.member, aiUrl(ws.tenantId, '/project-summary'), { projectId }), 402, 'plan_limit_reached');
      expect(fake.calls).toHaveLength(0);
      expect(await budgetUsed(t, ws.tenantId)).toBe(PRO_TOKENS);
      expect(await newRows(before)).toMatchObject([
        { status: 'rejected', errorCode: 'budget_exhausted', model: null, costMicros: 0, feature: 'task_breakdown' },
        { status: 'rejected', errorCode: 'budget_exhausted', model: null, costMicros: 0, feature: 'project_summary' },
      ]);
    } finally {
      await setUsage(t, ws.tenantId, budgetMetric(), used);
    }
  });

  it('20 concurrent calls near the limit overspend by at most one call’s estimate, and refused ones call no model', async () => {
    const list = [];
    for (let i = 0; i < 20; i++)
      list.push(await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: `Parallel task ${String(i).padStart(2, '0')}` }));
    const used = await budgetUsed(t, ws.tenantId);
    // The provider reports usage close to the reservation, so a non-atomic check would overspend a lot.
    fake.setDefault(BREAKDOWN.primary.model, { kind: 'answer', usage: { completion: BREAKDOWN.primary.maxOutputTokens - 20 } });

    // Measure one call's estimate from a refusal (the 402 says what the call needs).
    await setUsage(t, ws.tenantId, budgetMetric(), PRO_TOKENS);
    const probe = await post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: list[0]?.id });
    expectError(probe, 402, 'plan_limit_reached');
    const estimate = probe.body.error.details.needed as number;
    expect(fake.calls).toHaveLength(0);

    const start = PRO_TOKENS - Math.floor(5.5 * estimate);
    await setUsage(t, ws.tenantId, budgetMetric(), start);
    const before = (await ledger(t, ws.tenantId)).length;
    try {
      const results = await Promise.all(
        list.map((task) => post(t, ws.users.member, aiUrl(ws.tenantId, '/task-breakdown'), { taskId: task.id })),
      );
      const okCount = results.filter((r) => r.status === 201).length;
      const refused = results.filter((r) => r.status === 402);
      expect(okCount + refused.length, JSON.stringify(results.map((r) => r.status))).toBe(20);
      expect(okCount).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const r of refused) expect(r.body.error.code).toBe('plan_limit_reached');
      const rows = await newRows(before);
      // Refused calls never reached a model: every provider call belongs to an admitted call's ledger row.
      const attempts = rows.filter((r) => r.status !== 'rejected').reduce((n, r) => n + r.attempts, 0);
      expect(fake.calls, JSON.stringify(rows.map((r) => [r.model, r.status, r.errorCode]))).toHaveLength(attempts);
      expect(attempts).toBeGreaterThanOrEqual(okCount);
      const final = await budgetUsed(t, ws.tenantId);
      expect(final).toBeLessThanOrEqual(PRO_TOKENS + estimate);
      // The budget holds exactly what the ledger says was used.
      const spent = rows.reduce((n, r) => n + r.inputTokens + r.outputTokens, 0);
      expect(final).toBe(start + spent);
      expect(rows.filter((r) => r.status === 'ok')).toHaveLength(okCount);
      expect(rows.filter((r) => r.errorCode === 'budget_exhausted')).toHaveLength(refused.length);
      // Without the atomic reservation all 20 would have run and spent far more than the limit allows.
      expect(start + 20 * (spent / okCount)).toBeGreaterThan(PRO_TOKENS + estimate);
    } finally {
      await setUsage(t, ws.tenantId, budgetMetric(), used);
    }
  }, 180_000);
});
