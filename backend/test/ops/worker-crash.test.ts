/**
 * Must show 4: the worker is killed with SIGKILL in the middle of a job, and the job runs again and
 * its effect happens once. The job is a real one: a webhook delivery to a local receiver, which holds
 * the first request open while the test kills the worker (`node src/worker.ts`, a child process).
 * pg-boss finds the job expired (WEBHOOK_JOB_EXPIRE_SECONDS, short here) and retries it on the
 * restarted worker; the retry carries the same Atrium-Delivery id, so the receiver applies the event
 * once, and Atrium records one successful delivery.
 *
 * PostgreSQL only: with PGlite the worker runs inside the API process and cannot be killed alone.
 */
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/types.ts';
import { createUser } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTenant } from '../helpers/workspace.ts';
import { type Child, freshPostgresDatabase, isPostgres, remote, spawnBackend } from './processes.ts';

const skip = !isPostgres();
if (skip) console.warn('worker-crash.test.ts skipped: it needs TEST_DB=postgres (with PGlite the worker lives inside the API process).');

let api: Child;
let worker: Child | undefined;
let A: AppInstance;
let dbUrl: string;
let dropDb: (() => Promise<void>) | undefined;
let env: Record<string, string>;

// The receiver: applies each delivery's effect once (keyed by Atrium-Delivery), answers the first
// request never (the worker dies while waiting), every later one with 200.
const received: { deliveryId: string; event: string }[] = [];
const applied = new Map<string, number>();
let holdFirst = true;
let receiver: http.Server;
let firstArrived: () => void;
const firstRequest = new Promise<void>((r) => {
  firstArrived = r;
});

describe.skipIf(skip)('worker killed with SIGKILL mid-job (needs TEST_DB=postgres)', () => {
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const deliveryId = String(req.headers['atrium-delivery']);
        received.push({ deliveryId, event: String(req.headers['atrium-event']) });
        // The effect, idempotent by delivery id (what Atrium's docs ask of receivers).
        if (body && !applied.has(deliveryId)) applied.set(deliveryId, 1);
        if (holdFirst) {
          holdFirst = false;
          firstArrived();
          return; // never answered: the worker is killed while it waits
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const db = await freshPostgresDatabase();
    dbUrl = db.url;
    dropDb = db.drop;
    env = {
      DATABASE_URL: db.url,
      WORKER_MODE: 'off',
      ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
      // A delivery still active after 3 s is presumed lost; the queue looks every second.
      WEBHOOK_JOB_EXPIRE_SECONDS: '3',
      JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
      WEBHOOK_RETRY_DELAY_SECONDS: '1',
    };
    api = await spawnBackend('server', env);
    A = remote(api.url);
    worker = await spawnBackend('worker', env);
  }, 170_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    receiver?.close();
    receiver?.closeAllConnections();
    await dropDb?.().catch(() => {});
  });

  it('runs the delivery again after the crash, and its effect happens once', async () => {
    const owner = await createUser(A, { label: 'crash-owner' });
    const tenantId = await createTenant(A, owner, 'Crash');
    // Webhooks are a paid feature: put the tenant on pro directly (no cache in front of it here:
    // without Redis, on PostgreSQL, entitlements are always read from the database).
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    await c.query(`update tenants set plan = 'pro' where id = $1`, [tenantId]);
    await c.end();

    const port = (receiver.address() as { port: number }).port;
    const hook = await A.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/webhooks`,
      headers: owner.h,
      payload: { url: `http://127.0.0.1:${port}/hook`, events: ['project.created'] },
    });
    expect(hook.statusCode).toBe(201);
    const webhookId = hook.json().data.id as string;

    const project = await A.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/projects`,
      headers: owner.h,
      payload: { name: 'Boom' },
    });
    expect(project.statusCode).toBe(201);

    // The worker is inside the handler, waiting for the receiver: kill it.
    await firstRequest;
    const first = worker as Child;
    expect(first.logs.some((l) => l.msg === 'job completed' && l.queue === 'webhooks.deliver')).toBe(false);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    // A new worker picks the expired job up and delivers it again, with the same delivery id.
    worker = await spawnBackend('worker', env);
    await waitFor(async () => received.length >= 2, { timeoutMs: 45_000, intervalMs: 200 });
    const ids = new Set(received.map((r) => r.deliveryId));
    expect(ids.size).toBe(1);
    expect(received.every((r) => r.event === 'project.created')).toBe(true);
    expect([...applied.values()]).toEqual([1]);

    // Atrium's side: one delivery, succeeded, on the second attempt; no further runs.
    const delivery = await waitFor(async () => {
      const res = await A.inject({ url: `/api/v1/tenants/${tenantId}/webhooks/${webhookId}/deliveries`, headers: owner.h });
      const rows = res.json().data as { id: string; status: string; attempts: number }[];
      return rows.length === 1 && rows[0]?.status === 'succeeded' ? rows[0] : undefined;
    });
    expect(delivery.id).toBe([...ids][0]);
    expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(received).toHaveLength(2);
  });
});
