/**
 * Outgoing webhooks: signed deliveries a receiver can verify, retries with backoff and a delivery
 * log, switching off after repeated failure (with a mail to admins), and SSRF refusals.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';
import { createProject, createTask, createWorkspace, setPlan, type Workspace } from '../helpers/workspace.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local receiver whose answer the test chooses. */
async function receiver(answer: (r: Received) => { status: number; headers?: Record<string, string> }) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const r = { headers: req.headers, body, at: Date.now() };
      got.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.headers).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let t: TestApp;
let ws: Workspace;
let projectId: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestApp({
    work: true,
    env: { ALLOW_PRIVATE_WEBHOOK_URLS: 'true', WEBHOOK_RETRIES: '3', WEBHOOK_RETRY_DELAY_SECONDS: '1' },
  });
  ws = await createWorkspace(t.app);
  await setPlan(t.database, ws.tenantId, 'pro');
  projectId = await createProject(t.app, ws.tenantId, ws.users.owner);
});
afterAll(async () => {
  for (const c of closers) await c();
  await t?.close();
});

async function register(url: string, events: string[] = ['task.created']) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${ws.tenantId}/webhooks`,
    headers: ws.users.admin.h,
    payload: { url, events },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string; secret: string };
}

async function deliveries(webhookId: string) {
  const res = await t.app.inject({ url: `/api/v1/tenants/${ws.tenantId}/webhooks/${webhookId}/deliveries`, headers: ws.users.admin.h });
  return res.json().data as {
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    lastError: string | null;
    eventType: string;
  }[];
}

describe('outgoing webhooks', () => {
  it('delivers signed events that the receiver can verify', async () => {
    const r = await receiver(() => ({ status: 200 }));
    closers.push(r.close);
    const hook = await register(r.url);
    expect(hook.secret).toMatch(/^whsec_/);
    const task = await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: 'Ship it' });
    const got = await waitFor(async () => r.got[0]);
    const [tPart, vPart] = String(got.headers['atrium-signature']).split(',');
    const timestamp = tPart?.slice(2);
    const expected = createHmac('sha256', hook.secret).update(`${timestamp}.${got.body}`).digest('hex');
    expect(vPart).toBe(`v1=${expected}`);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60);
    expect(got.headers['atrium-event']).toBe('task.created');
    const payload = JSON.parse(got.body);
    expect(payload).toMatchObject({ type: 'task.created', tenantId: ws.tenantId, data: { id: task.id, title: 'Ship it' } });
    expect(got.headers['atrium-delivery']).toBe(payload.id);
    await waitFor(async () => (await deliveries(hook.id))[0]?.status === 'succeeded');
    // Events the webhook did not ask for are not sent.
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${ws.tenantId}/projects`,
      headers: ws.users.owner.h,
      payload: { name: 'Not subscribed' },
    });
    await new Promise((res) => setTimeout(res, 1000));
    expect(r.got.map((x) => x.headers['atrium-event'])).toEqual(['task.created']);
  });

  it('retries a failing receiver with growing delays and logs every attempt', async () => {
    const r = await receiver(() => ({ status: r.got.length < 3 ? 500 : 200 }));
    closers.push(r.close);
    const hook = await register(r.url);
    await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: 'Eventually' });
    await waitFor(async () => r.got.length >= 3, { timeoutMs: 30_000 });
    const [first, second, third] = r.got as [Received, Received, Received];
    expect(first.headers['atrium-delivery']).toBe(third.headers['atrium-delivery']); // the same delivery, again
    // Exponential backoff from a 1 s base (with jitter): the first retry waits ≥ 1 s, the second ≥ 2 s.
    expect(second.at - first.at).toBeGreaterThanOrEqual(500); // less up to one 0.5 s polling interval
    expect(third.at - second.at).toBeGreaterThanOrEqual(1_500);
    const [delivery] = await waitFor(async () => {
      const d = await deliveries(hook.id);
      return d[0]?.status === 'succeeded' ? d : undefined;
    });
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
  }, 60_000);

  it('does not follow redirects (no request reaches the redirect target)', async () => {
    const target = await receiver(() => ({ status: 200 }));
    closers.push(target.close);
    const r = await receiver(() => ({ status: 302, headers: { location: target.url } }));
    closers.push(r.close);
    const hook = await register(r.url);
    await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: 'Redirected' });
    await waitFor(async () => (await deliveries(hook.id))[0]?.lastError?.includes('redirect'));
    expect(target.got).toHaveLength(0);
  });

  it('switches a webhook off after repeated failed deliveries and tells the admins', async () => {
    const r = await receiver(() => ({ status: 503 }));
    closers.push(r.close);
    const hook = await register(r.url);
    for (let i = 0; i < 5; i++) await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: `Doomed ${i}` });
    const list = await waitFor(
      async () => {
        const res = await t.app.inject({ url: `/api/v1/tenants/${ws.tenantId}/webhooks`, headers: ws.users.admin.h });
        const w = (res.json().data as { id: string; active: boolean; disabledReason: string | null }[]).find((x) => x.id === hook.id);
        return w && !w.active ? w : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(list.disabledReason).toContain('in a row');
    // Switched off means no new deliveries, from the very next write (the cached subscriptions of the
    // tenant were invalidated when it was switched off).
    const before = (await deliveries(hook.id)).length;
    await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: 'After the switch-off' });
    expect(await deliveries(hook.id)).toHaveLength(before);
    const mail = await waitFor(async () => {
      const res = await t.app.inject({ url: `/api/v1/dev/outbox?to=${encodeURIComponent(ws.users.owner.email)}&limit=100` });
      return (res.json().data as { subject: string; text: string }[]).find(
        (m) => m.subject.includes('switched off') && m.text.includes(r.url),
      );
    });
    expect(mail.text).toContain('in a row');
  }, 120_000);
});

describe('SSRF protection', () => {
  let strict: TestApp;
  let sws: Workspace;
  beforeAll(async () => {
    strict = await startTestApp({ work: true });
    sws = await createWorkspace(strict.app, 'Strict');
    await setPlan(strict.database, sws.tenantId, 'pro');
  });
  afterAll(async () => {
    await strict?.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://[::1]/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://172.20.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/hook',
    'http://localhost:4000/hook',
    'http://0.0.0.0/hook',
    'ftp://example.com/hook',
    'http://user:pass@example.com/hook',
  ])('refuses %s', async (url) => {
    const res = await strict.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${sws.tenantId}/webhooks`,
      headers: sws.users.admin.h,
      payload: { url, events: ['task.created'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_error');
  });
});
