/**
 * AI test support: the real app configured with a local OpenAI-compatible server (fake-openai.ts) and
 * the test model registry (fixtures/models.json: two models per purpose, different priorities), plus
 * direct reads of the ledger, the budget and the feature tables for the assertions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, asc, count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { aiSuggestions, aiUsage, auditLogs, tasks, tenantUsage } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { clock } from '../../src/lib/clock.ts';
import { aiTokensMetric } from '../../src/modules/billing/billing.service.ts';
import { readUsageOf } from '../../src/modules/plans/usage.repository.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import type { TestUser } from '../helpers/auth.ts';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MODELS_FILE = path.join(here, 'fixtures', 'models.json');

export interface ModelFixture {
  provider: string;
  model: string;
  purpose: 'task_breakdown' | 'project_summary';
  inputPricePerMTokMicros: number;
  outputPricePerMTokMicros: number;
  maxOutputTokens: number;
  timeoutMs: number;
  priority: number;
}

const fixtures = JSON.parse(fs.readFileSync(MODELS_FILE, 'utf8')) as ModelFixture[];
function ordered(purpose: ModelFixture['purpose']) {
  const list = fixtures.filter((m) => m.purpose === purpose).sort((a, b) => a.priority - b.priority);
  return { primary: list[0] as ModelFixture, secondary: list[1] as ModelFixture };
}
/** The two models of each purpose, by priority (names come from the fixture, not from code). */
export const BREAKDOWN = ordered('task_breakdown');
export const SUMMARY = ordered('project_summary');

export interface AiTestApp {
  t: TestApp;
  fake: FakeOpenAI;
  close(): Promise<void>;
}

export async function startAiApp(
  options: { env?: Record<string, string>; work?: boolean; captureLogs?: boolean } = {},
): Promise<AiTestApp> {
  const fake = await startFakeOpenAI();
  const t = await startTestApp({
    work: options.work,
    captureLogs: options.captureLogs,
    env: { AI_COMPATIBLE_BASE_URL: fake.url, AI_MODELS_FILE: MODELS_FILE, AI_REQUESTS_PER_MINUTE: '100000', ...options.env },
  });
  return {
    t,
    fake,
    async close() {
      await t.close();
      await fake.close();
    },
  };
}

export const aiUrl = (tenantId: string, rest: string) => `/api/v1/tenants/${tenantId}/ai${rest}`;

export async function post(t: TestApp, user: TestUser | undefined, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'POST', url, headers: { ...(user?.h ?? {}), ...headers }, payload: payload as object });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export async function get(t: TestApp, user: TestUser | undefined, url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: user?.h ?? {} });
  return { status: res.statusCode, body: res.json() };
}

export function expectError(res: { status: number; body: { success: boolean; error?: { code: string } } }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.success).toBe(false);
  expect(res.body.error?.code).toBe(code);
}

/** Cost the way the registry prices it: tokens × price per million / 1,000,000, rounded up. */
export function expectedCost(prices: { inputPricePerMTokMicros: number; outputPricePerMTokMicros: number }, input: number, output: number) {
  return Math.ceil((input * prices.inputPricePerMTokMicros + output * prices.outputPricePerMTokMicros) / 1_000_000);
}

export async function ledger(t: TestApp, tenantId: string) {
  return withTenant(t.database.db, { tenantId }, (tx) =>
    tx.select().from(aiUsage).where(eq(aiUsage.tenantId, tenantId)).orderBy(asc(aiUsage.createdAt), asc(aiUsage.id)),
  );
}

export const budgetMetric = () => aiTokensMetric(clock.now());

/** Tokens used (and reserved) this month, as the budget row holds them. */
export async function budgetUsed(t: TestApp, tenantId: string): Promise<number> {
  const [row] = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select({ value: tenantUsage.value })
      .from(tenantUsage)
      .where(and(eq(tenantUsage.tenantId, tenantId), eq(tenantUsage.metric, budgetMetric()))),
  );
  return row?.value ?? 0;
}

export async function setUsage(t: TestApp, tenantId: string, metric: string, value: number): Promise<void> {
  await withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .insert(tenantUsage)
      .values({ tenantId, metric, value })
      .onConflictDoUpdate({ target: [tenantUsage.tenantId, tenantUsage.metric], set: { value } }),
  );
}

/** A usage counter as the API counts it (its row plus deltas not folded yet: plans module). */
export async function readUsage(t: TestApp, tenantId: string, metric: string): Promise<number> {
  return withTenant(t.database.db, { tenantId }, (tx) => readUsageOf(tx, tenantId, metric));
}

export async function counts(t: TestApp, tenantId: string) {
  return withTenant(t.database.db, { tenantId }, async (tx) => {
    const [s] = await tx.select({ n: count() }).from(aiSuggestions).where(eq(aiSuggestions.tenantId, tenantId));
    const [k] = await tx.select({ n: count() }).from(tasks).where(eq(tasks.tenantId, tenantId));
    return { suggestions: s?.n ?? 0, tasks: k?.n ?? 0 };
  });
}

export async function auditRows(t: TestApp, tenantId: string) {
  return withTenant(t.database.db, { tenantId }, (tx) =>
    tx.select().from(auditLogs).where(eq(auditLogs.tenantId, tenantId)).orderBy(asc(auditLogs.createdAt), asc(auditLogs.id)),
  );
}

/** Server-Sent Events of a POST over a real socket. */
export async function postStream(url: string, headers: Record<string, string>, payload: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  const raw = await res.text();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    for (const block of raw.split('\n\n')) {
      if (!block.trim()) continue;
      let event = 'message';
      let data: Record<string, unknown> | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data = JSON.parse(line.slice(6));
      }
      if (data) events.push({ event, data });
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', raw, events };
}
