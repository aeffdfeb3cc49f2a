/**
 * Scenario 5 (CHAOS_SOAK=1 only; not in CI mode): a soak at half the measured capacity.
 *
 * Capacity is measured first with autocannon for a few seconds (or taken from CHAOS_SOAK_RATE,
 * requests per second); then CHAOS_SOAK_MINUTES (default 5) of the same mix — three task lists for
 * one task create — at half that rate, against the API as a child process on a private PostgreSQL.
 * - zero errors (no non-2xx, no socket error, no timeout);
 * - RSS grows less than 10 % between the end of the warm-up and the end;
 * - event-loop lag p99 (prom-client's `nodejs_eventloop_lag_p99_seconds` from /metrics, one value per
 *   10 s window) stays under 100 ms after the warm-up.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProcess, bootstrapWorkspace, http, PrivatePostgres, sleep, type Workspace } from './harness.ts';
import { Scenario } from './report.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface AutocannonInstance extends Promise<AutocannonResult> {
  stop(): void;
}
type Autocannon = (opts: Record<string, unknown>) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const ENABLED = process.env.CHAOS_SOAK === '1' && process.env.CHAOS_MODE !== 'ci';
const MINUTES = Number(process.env.CHAOS_SOAK_MINUTES ?? 5);
const FIXED_RATE = process.env.CHAOS_SOAK_RATE ? Number(process.env.CHAOS_SOAK_RATE) : undefined;
const CAPACITY_SECONDS = 8;
const SAMPLE_MS = 10_000;

const report = new Scenario(5, `Soak at half capacity (${MINUTES} min)`);
let pgdb: PrivatePostgres | undefined;
let api: ApiProcess | undefined;
let ws: Workspace;

beforeAll(async () => {
  if (!ENABLED) return;
  pgdb = await PrivatePostgres.create();
  api = await ApiProcess.start({ DATABASE_URL: pgdb.url });
  ws = await bootstrapWorkspace(api.base, pgdb, 'soak');
  for (let i = 0; i < 50; i++) {
    await http(api.base, 'POST', `/api/v1/tenants/${ws.tenantId}/tasks`, {
      headers: ws.headers,
      body: { projectId: ws.projectId, title: `Seed ${i}` },
    });
  }
});

afterAll(async () => {
  if (!ENABLED) report.figure('skipped', 'set CHAOS_SOAK=1 (not in CI mode)');
  report.save();
  await api?.kill();
  await pgdb?.destroy();
});

function mix(base: string) {
  const list = { method: 'GET', path: `/api/v1/tenants/${ws.tenantId}/tasks?limit=20`, headers: ws.headers };
  const create = {
    method: 'POST',
    path: `/api/v1/tenants/${ws.tenantId}/tasks`,
    headers: { ...ws.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ projectId: ws.projectId, title: 'Soak task' }),
  };
  return { url: base, requests: [list, list, list, create], connections: 8, pipelining: 1, timeout: 10 };
}

async function lagP99(base: string): Promise<number> {
  const res = await http(base, 'GET', '/metrics');
  const m = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})?\s+([0-9.e+-]+)/m.exec(String(res.body));
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe.skipIf(!ENABLED)('soak', () => {
  it('zero errors, RSS growth < 10 %, event-loop lag p99 < 100 ms at half capacity', async () => {
    const a = api as ApiProcess;
    let capacity = FIXED_RATE ? FIXED_RATE * 2 : 0;
    if (!FIXED_RATE) {
      const measured = await autocannon({ ...mix(a.base), duration: CAPACITY_SECONDS });
      capacity = measured.requests.average;
    }
    const rate = Math.max(1, Math.floor(capacity / 2));
    const seconds = Math.round(MINUTES * 60);
    const warmupMs = Math.max(30_000, seconds * 200); // 20 % of the run, at least 30 s
    report.figure('capacity', `${Math.round(capacity)} req/s`);
    report.figure('rate', `${rate} req/s`);

    const samples: { at: number; rss: number; lag: number }[] = [];
    const started = Date.now();
    const run = autocannon({ ...mix(a.base), duration: seconds, overallRate: rate });
    let done = false;
    const sampler = (async () => {
      while (!done) {
        await sleep(SAMPLE_MS);
        if (done || !a.alive) break;
        samples.push({ at: Date.now() - started, rss: a.rss(), lag: await lagP99(a.base) });
      }
    })();
    const result = await run;
    done = true;
    await sampler;

    const settled = samples.filter((s) => s.at >= warmupMs);
    const base = median(settled.slice(0, 3).map((s) => s.rss));
    const end = median(settled.slice(-3).map((s) => s.rss));
    const growth = ((end - base) / base) * 100;
    const maxLag = Math.max(...settled.map((s) => s.lag));
    const medianLag = median(settled.map((s) => s.lag));
    const errors = result.errors + result.timeouts + result.non2xx;
    report.figure('requests', result.requests.total);
    report.figure('errors', errors);
    report.figure('RSS', `${Math.round(base / 2 ** 20)} → ${Math.round(end / 2 ** 20)} MiB (${growth.toFixed(1)} %)`);
    report.figure('lag p99 (max of 10 s windows)', `${maxLag.toFixed(1)} ms`);
    report.figure('lag p99 (median window)', `${medianLag.toFixed(1)} ms`);
    report.figure('latency p99', `${result.latency.p99} ms`);
    // The machine is shared: its load says how much of a lag spike may be someone else's.
    report.figure('machine load (1 min)', os.loadavg()[0]?.toFixed(1) ?? '?');

    await report.check(() => {
      expect(a.alive, a.output).toBe(true);
      expect(errors, `errors (non-2xx ${result.non2xx}, socket ${result.errors}, timeouts ${result.timeouts})`).toBe(0);
    });
    await report.check(() => {
      expect(settled.length, 'samples after the warm-up').toBeGreaterThanOrEqual(3);
      expect(growth, 'RSS growth after warm-up (%)').toBeLessThan(10);
    });
    await report.check(() => {
      expect(Number.isFinite(maxLag), 'event-loop lag read from /metrics').toBe(true);
      expect(maxLag, 'event-loop lag p99 (ms)').toBeLessThan(100);
    });
  });
});
