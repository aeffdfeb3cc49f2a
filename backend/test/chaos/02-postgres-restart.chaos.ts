/**
 * Scenario 2: PostgreSQL restarts with `-m immediate` under load.
 *
 * The issue names `pg_ctlcluster … restart -m immediate` on the machine's cluster; here the same fault
 * hits a private cluster (`pg_ctl stop -m immediate`, an outage of a few seconds, `pg_ctl start`), so
 * the machine's PostgreSQL is never touched. `-m immediate` kills every backend without a checkpoint:
 * the next start runs crash recovery, exactly as after a crash.
 *
 * While clients create tasks (with Idempotency-Keys) and list them:
 * - no request hangs: every answer comes within 5 s, during the outage too;
 * - every failure is a 503 `service_unavailable` envelope (never a 500, never a dropped connection);
 * - the pool recovers by itself: readiness and requests are OK again within 5 s of the database's return;
 * - every write that got a 2xx is in the database afterwards (none lost), and none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiProcess,
  bootstrapWorkspace,
  CI_MODE,
  envelopeOk,
  type HttpResult,
  http,
  PrivatePostgres,
  sleep,
  taskTitles,
  type Workspace,
} from './harness.ts';
import { Scenario } from './report.ts';

const CLIENTS = 6;
const WARM_MS = CI_MODE ? 2_000 : 4_000;
const OUTAGE_MS = CI_MODE ? 3_000 : 6_000;
const AFTER_MS = CI_MODE ? 6_000 : 10_000;
const LIMIT_MS = 5_000;

interface Sample extends HttpResult {
  kind: 'write' | 'read' | 'ready';
  start: number;
  end: number;
  title?: string;
}

const report = new Scenario(2, 'PostgreSQL restart (-m immediate) under load');
let pgdb: PrivatePostgres;
let api: ApiProcess;
let ws: Workspace;

beforeAll(async () => {
  pgdb = await PrivatePostgres.create();
  api = await ApiProcess.start({ DATABASE_URL: pgdb.url, DATABASE_POOL_MAX: '10' });
  ws = await bootstrapWorkspace(api.base, pgdb, 'pgrestart');
});

afterAll(async () => {
  report.save();
  await api?.kill();
  await pgdb?.destroy();
});

describe('PostgreSQL restart under load', () => {
  it('fails fast with 503, recovers by itself within 5 s, loses no acknowledged write', async () => {
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const samples: Sample[] = [];
    let stop = false;
    let seq = 0;
    const run = Date.now().toString(36);

    const jitter = (max: number) => Math.floor(Math.random() * max);
    const client = async (n: number) => {
      while (!stop) {
        const write = (seq++ + n) % 2 === 0;
        const start = now();
        if (write) {
          const title = `Outage ${run} #${seq}`;
          const r = await http(api.base, 'POST', `/api/v1/tenants/${ws.tenantId}/tasks`, {
            headers: { ...ws.headers, 'idempotency-key': `pg-${run}-${seq}` },
            body: { projectId: ws.projectId, title },
            timeoutMs: 15_000,
          });
          samples.push({ ...r, kind: 'write', start, end: now(), title });
        } else {
          const r = await http(api.base, 'GET', `/api/v1/tenants/${ws.tenantId}/tasks?limit=20`, {
            headers: ws.headers,
            timeoutMs: 15_000,
          });
          samples.push({ ...r, kind: 'read', start, end: now() });
        }
        await sleep(jitter(20));
      }
    };
    const prober = async () => {
      while (!stop) {
        const start = now();
        const res = await http(api.base, 'GET', '/readyz', { timeoutMs: 15_000 });
        samples.push({ ...res, kind: 'ready', start, end: now() });
        await sleep(100);
      }
    };

    const load = Promise.all([...Array.from({ length: CLIENTS }, (_, i) => client(i)), prober()]);
    await sleep(WARM_MS);
    const downAt = now();
    await pgdb.stopImmediate();
    await sleep(OUTAGE_MS);
    await pgdb.start(); // returns once the server accepts connections (pg_ctl -w)
    const upAt = now();
    await sleep(AFTER_MS);
    stop = true;
    await load;

    const during = samples.filter((s) => s.end >= downAt && s.start <= upAt);
    const after = samples.filter((s) => s.start >= upAt);
    const firstReady = after.find((s) => s.kind === 'ready' && s.status === 200);
    const firstWrite = after.find((s) => s.kind === 'write' && s.status === 201);
    const recoveryMs = Math.max(
      firstReady ? firstReady.end - upAt : Number.POSITIVE_INFINITY,
      firstWrite ? firstWrite.end - upAt : Number.POSITIVE_INFINITY,
    );
    const maxDuring = Math.max(0, ...during.map((s) => s.ms));
    const failures = samples.filter((s) => s.kind !== 'ready' && s.status !== 200 && s.status !== 201);
    const acked = samples.filter((s) => s.kind === 'write' && s.status === 201);
    const titles = await taskTitles(pgdb, ws.tenantId);
    const lost = acked.filter((s) => titles.get(s.title as string) !== 1);

    report.figure('requests', samples.filter((s) => s.kind !== 'ready').length);
    report.figure('acknowledged writes', acked.length);
    report.figure('lost', lost.length);
    report.figure('503 during outage', failures.filter((s) => s.status === 503).length);
    report.figure('max latency during outage', `${Math.round(maxDuring)} ms`);
    report.figure('recovery time', Number.isFinite(recoveryMs) ? `${Math.round(recoveryMs)} ms` : 'never');
    report.figure('outage', `${Math.round(upAt - downAt)} ms`);

    await report.check(() => {
      expect(during.length, 'the load kept running through the outage').toBeGreaterThan(10);
      expect(failures.length, 'the outage was felt').toBeGreaterThan(0);
    });
    await report.check(() => {
      const slow = samples.filter((s) => s.ms > LIMIT_MS).map((s) => `${s.kind} ${Math.round(s.ms)} ms → ${s.status}`);
      expect(slow, 'requests that hung more than 5 s').toEqual([]);
    });
    await report.check(() => {
      const bad = failures
        .filter(
          (s) => s.status !== 503 || !envelopeOk(s.body) || (s.body as { error: { code: string } }).error.code !== 'service_unavailable',
        )
        .map((s) => `${s.kind} ${s.status} ${s.error ?? ''} ${JSON.stringify(s.body).slice(0, 200)}`);
      expect(bad, 'failures other than a 503 service_unavailable envelope').toEqual([]);
    });
    await report.check(() => {
      expect(recoveryMs, 'readiness and a write OK again within 5 s of the database returning').toBeLessThanOrEqual(LIMIT_MS);
      // Once recovered, it stays recovered.
      const late = after.filter((s) => s.start > (firstReady?.end ?? 0) + 1_000 && s.status !== 200 && s.status !== 201);
      expect(late.map((s) => `${s.kind} ${s.status}`)).toEqual([]);
      expect(api.alive, `the API process survived:\n${api.output}`).toBe(true);
    });
    await report.check(() => {
      expect(
        lost.map((s) => s.title),
        'acknowledged writes missing or doubled',
      ).toEqual([]);
      expect([...titles.values()].filter((n) => n > 1)).toEqual([]);
    });
  });
});
