/**
 * Scenario 4: the third parties misbehave. Stripe (through the official SDK, STRIPE_API_BASE) and the
 * AI provider (an OpenAI-compatible server, AI_COMPATIBLE_BASE_URL) both point at a local server that
 * hangs, answers malformed JSON, a 50 MB body, or a 307 redirect to another loopback server.
 * - Each call ends in bounded time (the per-call timeouts) with a clean 502/503/504 envelope, never a
 *   bare 500;
 * - a redirect is not followed: the loopback server it points to receives nothing (and no key);
 * - the app keeps serving meanwhile (a request made while Stripe hangs answers at once) and after.
 * Runs in-process (startTestApp: the real app on its own database) with real HTTP to the upstream.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createProject, createTask, createTenant, setPlan } from '../helpers/workspace.ts';
import { envelopeOk } from './harness.ts';
import { MisbehavingUpstream, type Misbehaviour } from './misbehaving-upstream.ts';
import { Scenario } from './report.ts';

const STRIPE_TIMEOUT_MS = 1_500;
const MODEL_TIMEOUT_MS = 1_500;
/** Stripe: three attempts and the SDK's backoff; AI: two models, one attempt each on a timeout. */
const BOUND_MS = 12_000;
const MODES: Misbehaviour[] = ['hang', 'malformed', 'huge', 'redirect'];

const report = new Scenario(4, 'Stripe and AI upstreams misbehave');
const stripeUp = new MisbehavingUpstream();
const aiUp = new MisbehavingUpstream();
let t: TestApp;
let owner: TestUser;
let tenantId = '';
let projectId = '';
let modelsDir = '';
let maxMs = 0;
let faults = 0;

beforeAll(async () => {
  await stripeUp.start();
  await aiUp.start();
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-chaos-models-'));
  const model = (name: string, priority: number) => ({
    provider: 'openai_compatible',
    model: name,
    purpose: 'task_breakdown',
    inputPricePerMTokMicros: 150000,
    outputPricePerMTokMicros: 600000,
    maxOutputTokens: 400,
    timeoutMs: MODEL_TIMEOUT_MS,
    priority,
    enabled: true,
  });
  const modelsFile = path.join(modelsDir, 'models.json');
  fs.writeFileSync(modelsFile, JSON.stringify([model('chaos-primary', 1), model('chaos-secondary', 2)]));
  t = await startTestApp({
    env: {
      STRIPE_SECRET_KEY: 'sk_test_chaos',
      STRIPE_WEBHOOK_SECRET: 'whsec_chaos',
      STRIPE_API_BASE: stripeUp.base,
      STRIPE_TIMEOUT_MS: String(STRIPE_TIMEOUT_MS),
      STRIPE_PRICE_PRO_MONTHLY: 'price_chaos_pro_m',
      STRIPE_PRICE_PRO_YEARLY: 'price_chaos_pro_y',
      STRIPE_PRICE_BUSINESS_MONTHLY: 'price_chaos_biz_m',
      STRIPE_PRICE_BUSINESS_YEARLY: 'price_chaos_biz_y',
      AI_COMPATIBLE_BASE_URL: `${aiUp.base}/v1`,
      AI_COMPATIBLE_API_KEY: 'sk-chaos-secret',
      AI_MODELS_FILE: modelsFile,
      AI_CACHE_TTL_SECONDS: '0',
      AI_REQUESTS_PER_MINUTE: '100000',
    },
  });
  owner = await createUser(t.app, { label: 'owner', verify: false });
  tenantId = await createTenant(t.app, owner, 'Chaos Upstreams');
  await setPlan(t.database, tenantId, 'pro');
  projectId = await createProject(t.app, tenantId, owner, 'Upstreams');
});

afterAll(async () => {
  report.figure('faults injected', faults);
  report.figure('slowest faulty call', `${Math.round(maxMs)} ms`);
  report.figure('redirects followed', stripeUp.trapped.length + aiUp.trapped.length);
  report.save();
  await t?.close();
  await stripeUp.close();
  await aiUp.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

async function timed(fn: () => Promise<{ statusCode: number; body: string }>) {
  const started = performance.now();
  const res = await fn();
  const ms = performance.now() - started;
  let body: unknown = res.body;
  try {
    body = JSON.parse(res.body);
  } catch {
    // kept as text
  }
  return { status: res.statusCode, body, ms };
}

const statusCheck = () => timed(() => t.app.inject({ url: `/api/v1/tenants/${tenantId}/tasks?limit=5`, headers: owner.h }));

async function expectCleanFailure(res: { status: number; body: unknown; ms: number }, what: string) {
  faults++;
  maxMs = Math.max(maxMs, res.ms);
  expect([502, 503, 504], `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toContain(res.status);
  expect(envelopeOk(res.body), `${what}: envelope`).toBe(true);
  expect(JSON.stringify(res.body)).not.toMatch(/sk_test_chaos|sk-chaos-secret|at .*\.ts:\d+/);
  expect(res.ms, `${what}: answered within ${BOUND_MS} ms`).toBeLessThan(BOUND_MS);
  // The app keeps serving.
  const after = await statusCheck();
  expect(after.status).toBe(200);
}

describe('Stripe misbehaves', () => {
  for (const mode of MODES) {
    it(`${mode}: checkout fails cleanly and in bounded time`, async () => {
      await report.check(async () => {
        stripeUp.mode = mode;
        const trappedBefore = stripeUp.trapped.length;
        const checkout = timed(() =>
          t.app.inject({
            method: 'POST',
            url: `/api/v1/tenants/${tenantId}/billing/checkout`,
            headers: owner.h,
            payload: { planId: 'pro', interval: 'monthly' },
          }),
        );
        if (mode === 'hang') {
          // While the provider hangs, other requests are served at once.
          await new Promise((r) => setTimeout(r, 300));
          const meanwhile = await statusCheck();
          expect(meanwhile.status).toBe(200);
          expect(meanwhile.ms, 'a request while Stripe hangs').toBeLessThan(1_000);
        }
        await expectCleanFailure(await checkout, `stripe ${mode}`);
        expect(stripeUp.trapped.length - trappedBefore, 'redirect followed into loopback').toBe(0);
      });
    });
  }
});

describe('the AI provider misbehaves', () => {
  for (const mode of MODES) {
    it(`${mode}: task breakdown fails cleanly and in bounded time`, async () => {
      await report.check(async () => {
        aiUp.mode = mode;
        const trappedBefore = aiUp.trapped.length;
        const task = await createTask(t.app, tenantId, owner, { projectId, title: `Break me down (${mode})` });
        const res = await timed(() =>
          t.app.inject({
            method: 'POST',
            url: `/api/v1/tenants/${tenantId}/ai/task-breakdown`,
            headers: owner.h,
            payload: { taskId: task.id },
          }),
        );
        await expectCleanFailure(res, `ai ${mode}`);
        expect(aiUp.trapped.length - trappedBefore, 'redirect followed into loopback').toBe(0);
      });
    });
  }
});
