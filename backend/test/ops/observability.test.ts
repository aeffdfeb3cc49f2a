/**
 * Operations: /metrics parses and its counters move with real activity; log lines carry the request
 * context and never a secret from headers or bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { scrapeMetrics, sumMetrics } from '../helpers/metrics.ts';
import { createProject, createTask, createTenant, setPlan } from '../helpers/workspace.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ work: true, captureLogs: true });
});
afterAll(async () => {
  await t?.close();
});

const scrape = () => scrapeMetrics(t);
const sum = sumMetrics;

describe('metrics', () => {
  it('exposes runtime, HTTP, database, job and business metrics that move with activity', async () => {
    const before = await scrape();
    expect(before.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(before.get('atrium_db_pool_connections{state="total"}')).toBeGreaterThan(0);

    const user = await createUser(t.app, { label: 'metrics' });
    const tenantId = await createTenant(t.app, user);
    await setPlan(t.database, tenantId, 'pro');
    const projectId = await createProject(t.app, tenantId, user);
    await createTask(t.app, tenantId, user, { projectId, title: 'Counted' });
    const after = await scrape();

    expect(after.get('atrium_signups_total')).toBe((before.get('atrium_signups_total') ?? 0) + 1);
    expect(after.get('atrium_tenants')).toBe((before.get('atrium_tenants') ?? 0) + 1);
    expect(after.get('atrium_tasks')).toBe((before.get('atrium_tasks') ?? 0) + 1);
    expect(after.get('atrium_active_users{window="1d"}')).toBeGreaterThanOrEqual(1);
    const created = 'http_request_duration_seconds_count{route="/api/v1/tenants/:tenantId/tasks",method="POST",status_code="201"}';
    expect(after.get(created)).toBe((before.get(created) ?? 0) + 1);
    expect(sum(after, 'atrium_job_duration_seconds_count')).toBeGreaterThan(sum(before, 'atrium_job_duration_seconds_count')); // mails ran
    expect(after.has('http_requests_in_flight')).toBe(true);
  });

  it('requires the metrics token when one is configured', async () => {
    const guarded = await startTestApp({ env: { METRICS_TOKEN: 'a-long-metrics-token-123' } });
    try {
      expect((await guarded.app.inject({ url: '/metrics' })).statusCode).toBe(401);
      expect(
        (await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-of-the-same-size' } })).statusCode,
      ).toBe(401);
      expect(
        (await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer a-long-metrics-token-123' } })).statusCode,
      ).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('logs', () => {
  it('carry request context and no secrets from headers or bodies', async () => {
    const user = await createUser(t.app, { label: 'logs' });
    const tenantId = await createTenant(t.app, user);
    await setPlan(t.database, tenantId, 'pro');
    const key = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/api-keys`,
      headers: user.h,
      payload: { name: 'log', scopes: ['tasks:read'] },
    });
    const secret = key.json().data.secret as string;
    await t.app.inject({ url: `/api/v1/tenants/${tenantId}/tasks`, headers: { 'x-api-key': secret } });
    const hook = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/webhooks`,
      headers: user.h,
      payload: { url: 'https://example.com/hook', events: ['task.created'] },
    });
    const webhookSecret = hook.statusCode === 201 ? (hook.json().data.secret as string) : undefined;
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: 'http://localhost:3000' },
      payload: { email: user.email, password: PASSWORD },
    });
    const traced = await t.app.inject({ url: `/api/v1/tenants/${tenantId}`, headers: { ...user.h, 'x-request-id': 'trace-logs-1' } });
    expect(traced.statusCode).toBe(200);

    const text = JSON.stringify(t.logs);
    for (const s of [user.jwt, secret, PASSWORD, user.cookie.split('=')[1], webhookSecret].filter(Boolean) as string[]) {
      expect(text.includes(s), `secret found in logs: ${s.slice(0, 8)}…`).toBe(false);
    }
    const line = t.logs.find((l) => l.requestId === 'trace-logs-1' && l.msg === 'request completed');
    expect(line).toMatchObject({
      level: 'info',
      route: '/api/v1/tenants/:tenantId',
      status: 200,
      userId: user.id,
      tenantId,
      durationMs: expect.any(Number),
      time: expect.any(String),
    });
  });
});
