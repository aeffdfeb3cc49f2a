/**
 * AI configuration: without any provider the AI endpoints say how to configure one (503
 * ai_not_configured); the per-tenant AI request limit (429); the registry seeded from the models file,
 * kept when an admin changed it, and disabled when dropped from the file; model names only in
 * models.config.ts; configuration errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { aiModelChanges, aiModels } from '../../src/db/schema/index.ts';
import { withScope } from '../../src/db/tenant.ts';
import { AI_MODELS, loadModelEntries, ModelsFileError } from '../../src/modules/ai/models.config.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createProject, createTask, createTenant, setPlan } from '../helpers/workspace.ts';
import { type AiTestApp, aiUrl, BREAKDOWN, expectError, get, MODELS_FILE, post, startAiApp } from './support.ts';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

describe('without any AI provider', () => {
  let t: TestApp;
  let owner: TestUser;
  let tenantId: string;
  let projectId: string;
  let taskId: string;

  beforeAll(async () => {
    t = await startTestApp({ work: true });
    owner = await createUser(t.app, { label: 'owner' });
    tenantId = await createTenant(t.app, owner, 'No AI');
    await setPlan(t.database, tenantId, 'pro');
    projectId = await createProject(t.app, tenantId, owner);
    taskId = (await createTask(t.app, tenantId, owner, { projectId, title: 'Anything' })).id;
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 ai_not_configured, saying how to configure a provider', async () => {
    for (const [url, body] of [
      ['/task-breakdown', { taskId }],
      ['/project-summary', { projectId }],
      ['/task-breakdown?async=true', { taskId }],
    ] as const) {
      const res = await post(t, owner, aiUrl(tenantId, url), body);
      expectError(res, 503, 'ai_not_configured');
      expect(res.body.error.message).toMatch(/OPENAI_API_KEY/);
      expect(res.body.error.message).toMatch(/ANTHROPIC_API_KEY/);
      expect(res.body.error.message).toMatch(/AI_COMPATIBLE_BASE_URL/);
    }
    // The registry is still seeded from models.config.ts: every model there, none configured.
    const rows = await withScope(t.database.db, {}, (tx) => tx.select().from(aiModels));
    expect(rows.map((r) => `${r.provider}/${r.model}/${r.purpose}`).sort()).toEqual(
      AI_MODELS.map((m) => `${m.provider}/${m.model}/${m.purpose}`).sort(),
    );
  });

  it('documents the code in the OpenAPI error envelope', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(doc.components.schemas.ErrorEnvelope.properties.error.properties.code.enum).toContain('ai_not_configured');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/tenants/{tenantId}/ai/task-breakdown',
        '/api/v1/tenants/{tenantId}/ai/project-summary',
        '/api/v1/admin/ai-models',
      ]),
    );
  });
});

describe('the AI request limit per workspace', () => {
  let env: AiTestApp;
  let owner: TestUser;
  let tenantId: string;
  let other: string;

  beforeAll(async () => {
    env = await startAiApp({ work: true, env: { AI_REQUESTS_PER_MINUTE: '3', AI_CACHE_TTL_SECONDS: '0' } });
    owner = await createUser(env.t.app, { label: 'owner' });
    tenantId = await createTenant(env.t.app, owner, 'Limited');
    other = await createTenant(env.t.app, owner, 'Other');
    await setPlan(env.t.database, tenantId, 'pro');
    await setPlan(env.t.database, other, 'pro');
  }, 300_000);
  afterAll(async () => {
    await env?.close();
  });

  it('allows AI_REQUESTS_PER_MINUTE requests a minute, then 429 without a provider call; other workspaces are not affected', async () => {
    const projectId = await createProject(env.t.app, tenantId, owner);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const task = await createTask(env.t.app, tenantId, owner, { projectId, title: `Limited ${i}` });
      statuses.push((await post(env.t, owner, aiUrl(tenantId, '/task-breakdown'), { taskId: task.id })).status);
    }
    expect(statuses).toEqual([201, 201, 201]);
    const calls = env.fake.calls.length;
    const task = await createTask(env.t.app, tenantId, owner, { projectId, title: 'One too many' });
    const limited = await post(env.t, owner, aiUrl(tenantId, '/task-breakdown'), { taskId: task.id });
    expectError(limited, 429, 'rate_limited');
    expect(limited.body.error.details).toMatchObject({ limit: 3 });
    expect(limited.body.error.details.retryAfter).toBeGreaterThanOrEqual(1);
    expectError(await post(env.t, owner, aiUrl(tenantId, '/project-summary'), { projectId }), 429, 'rate_limited');
    expect(env.fake.calls.length).toBe(calls);

    const otherProject = await createProject(env.t.app, other, owner);
    expect((await post(env.t, owner, aiUrl(other, '/project-summary'), { projectId: otherProject })).status).toBe(200);
  });
});

describe('the model registry', () => {
  it('seeds from AI_MODELS_FILE, keeps what an admin changed, disables what the file dropped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-ai-models-'));
    const file = path.join(dir, 'models.json');
    const entries = JSON.parse(fs.readFileSync(MODELS_FILE, 'utf8')) as Record<string, unknown>[];
    fs.writeFileSync(file, JSON.stringify(entries));
    const email = `registry-admin-${Date.now().toString(36)}@example.com`;
    const env = await startAiApp({ work: true, env: { AI_MODELS_FILE: file, PLATFORM_ADMIN_EMAILS: email } });
    try {
      const admin = await createUser(env.t.app, { email });
      const list = async () => (await get(env.t, admin, '/api/v1/admin/ai-models')).body.data as Record<string, unknown>[];
      const seeded = await list();
      expect(seeded).toHaveLength(entries.length);
      expect(seeded.every((m) => m.providerConfigured === true && m.inConfig === true && m.adminEditedAt === null)).toBe(true);
      const primary = seeded.find((m) => m.model === BREAKDOWN.primary.model && m.purpose === 'task_breakdown') as { id: string };
      const secondary = seeded.find((m) => m.model === BREAKDOWN.secondary.model && m.purpose === 'task_breakdown') as { id: string };
      const patched = await env.t.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/ai-models/${primary.id}`,
        headers: admin.h,
        payload: { priority: 50 },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      const bad = await env.t.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/ai-models/${primary.id}`,
        headers: admin.h,
        payload: { priority: -1 },
      });
      expect(bad.statusCode).toBe(400);
      const empty = await env.t.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/ai-models/${primary.id}`,
        headers: admin.h,
        payload: {},
      });
      expect(empty.statusCode).toBe(400);
      const changes = await withScope(env.t.database.db, {}, (tx) =>
        tx
          .select({
            action: aiModelChanges.action,
            actorEmail: aiModelChanges.actorEmail,
            actorId: aiModelChanges.actorId,
            changes: aiModelChanges.changes,
          })
          .from(aiModelChanges)
          .where(eq(aiModelChanges.modelId, primary.id)),
      );
      expect(changes).toEqual([
        {
          action: 'ai.model_updated',
          actorEmail: email,
          actorId: admin.id,
          changes: { priority: { from: BREAKDOWN.primary.priority, to: 50 } },
        },
      ]);

      // The file changes: a price of the primary (admin-edited: kept), the secondary dropped.
      const next = entries
        .filter((e) => !(e.model === BREAKDOWN.secondary.model && e.purpose === 'task_breakdown'))
        .map((e) =>
          e.model === BREAKDOWN.primary.model && e.purpose === 'task_breakdown' ? { ...e, priority: 7, inputPricePerMTokMicros: 1 } : e,
        );
      fs.writeFileSync(file, JSON.stringify(next));
      const { seedAiModels } = await import('../../src/modules/ai/ai.runtime.ts');
      await seedAiModels(env.t.database, env.t.config);
      const after = await list();
      expect(after.find((m) => m.id === primary.id)).toMatchObject({
        priority: 50,
        inputPricePerMTokMicros: BREAKDOWN.primary.inputPricePerMTokMicros,
        inConfig: true,
      });
      expect(after.find((m) => m.id === secondary.id)).toMatchObject({ enabled: false, inConfig: false });
    } finally {
      await env.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a models file that is not a valid list, naming the problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-ai-models-'));
    try {
      const file = path.join(dir, 'bad.json');
      fs.writeFileSync(file, JSON.stringify([{ provider: 'nope', model: 'x', purpose: 'task_breakdown' }]));
      await expect(loadModelEntries(file)).rejects.toThrow(ModelsFileError);
      await expect(loadModelEntries(file)).rejects.toThrow(/provider/);
      await expect(loadModelEntries(path.join(dir, 'missing.json'))).rejects.toThrow(/cannot be read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names models only in models.config.ts', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (/\.(ts|sql|json)$/.test(e.name)) files.push(full);
      }
    };
    walk(srcDir);
    expect(files.length).toBeGreaterThan(50);
    const names = [...new Set(AI_MODELS.map((m) => m.model))];
    const offenders = files
      .filter((f) => !f.endsWith(path.join('modules', 'ai', 'models.config.ts')))
      .flatMap((f) => {
        const text = fs.readFileSync(f, 'utf8');
        return names.filter((n) => text.includes(n)).map((n) => `${path.relative(srcDir, f)}: ${n}`);
      });
    expect(offenders).toEqual([]);
    expect(fs.readFileSync(path.join(srcDir, 'modules', 'ai', 'models.config.ts'), 'utf8')).toContain(names[0] as string);
  });

  it('checks the AI variables at start-up', () => {
    expect(() => loadConfig({ APP_ENV: 'test', AI_COMPATIBLE_API_KEY: 'sk-local' })).toThrow(ConfigError);
    expect(() => loadConfig({ APP_ENV: 'test', AI_COMPATIBLE_BASE_URL: 'not a url' })).toThrow(/AI_COMPATIBLE_BASE_URL/);
    expect(() => loadConfig({ APP_ENV: 'test', AI_REQUESTS_PER_MINUTE: '0' })).toThrow(/AI_REQUESTS_PER_MINUTE/);
    const config = loadConfig({
      APP_ENV: 'test',
      OPENAI_API_KEY: 'sk-test',
      AI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1',
      PLATFORM_ADMIN_EMAILS: 'A@Example.com, b@example.com',
    });
    expect(config.ai).toMatchObject({
      openai: { apiKey: 'sk-test', baseUrl: undefined },
      anthropic: undefined,
      compatible: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined },
      requestsPerMinute: 30,
      cacheTtlSeconds: 3600,
    });
    expect(config.platformAdminEmails).toEqual(['a@example.com', 'b@example.com']);
  });
});
