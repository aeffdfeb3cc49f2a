/**
 * Prometheus metrics at GET /metrics (prom-client), one registry per app:
 * - HTTP: request duration histogram by route, method and status; requests in flight.
 * - Runtime: Node's default metrics (event-loop lag, heap, GC, CPU).
 * - Database pool connections; job queue depth, run durations and failures.
 * - Business (platform-wide, read as the read-only metrics role, cached 15 s): sign-ups, tenants,
 *   tasks, active subscriptions and MRR by plan, daily/weekly active users, AI tokens and cost by model.
 * In production the endpoint requires `Authorization: Bearer $METRICS_TOKEN`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { AppConfig } from '../config.ts';
import { withMetrics } from '../db/tenant.ts';
import { cacheStats } from '../lib/cache.ts';
import { AppError } from '../lib/errors.ts';
import { readBusinessFigures } from '../modules/metrics/metrics.repository.ts';

type Figures = Awaited<ReturnType<typeof readBusinessFigures>>;

export default fp(async function metricsPlugin(app: FastifyInstance, opts: { config: AppConfig }) {
  const register = new Registry();
  collectDefaultMetrics({ register, eventLoopMonitoringPrecision: 20 });

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being handled now', registers: [register] });
  const jobRuns = new Histogram({
    name: 'atrium_job_duration_seconds',
    help: 'Background job run time by queue',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
    registers: [register],
  });
  const jobFailures = new Counter({
    name: 'atrium_jobs_failed_total',
    help: 'Failed job runs (each retry counts) by queue',
    labelNames: ['queue'] as const,
    registers: [register],
  });
  new Counter({
    name: 'atrium_cache_requests_total',
    help: 'Cache lookups by cache (membership, entitlements, plan) and result (hit, miss, bypass = cache not usable)',
    labelNames: ['cache', 'result'] as const,
    registers: [register],
    collect() {
      this.reset();
      for (const s of cacheStats()) this.inc({ cache: s.cache, result: s.result }, s.count);
    },
  });
  app.jobs.observe((queue, ok, seconds) => {
    jobRuns.observe({ queue, outcome: ok ? 'completed' : 'failed' }, seconds);
    if (!ok) jobFailures.inc({ queue });
  });

  new Gauge({
    name: 'atrium_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'] as const,
    registers: [register],
    collect() {
      const pool = app.database.pool;
      if (pool) {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      } else {
        this.set({ state: 'total' }, 1); // embedded: one session
      }
    },
  });
  new Gauge({
    name: 'atrium_jobs_queued',
    help: 'Jobs waiting to run, by queue',
    labelNames: ['queue'] as const,
    registers: [register],
    async collect() {
      try {
        for (const q of await app.jobs.boss.getQueues(app.jobs.queueNames())) this.set({ queue: q.name }, q.queuedCount);
      } catch {
        // queue statistics unavailable (e.g. shutting down): report nothing this time
      }
    },
  });

  // Business figures: one query batch per 15 s whatever the scrape rate.
  let figures: { at: number; value: Figures } | undefined;
  const business = async (): Promise<Figures | undefined> => {
    if (!figures || Date.now() - figures.at > (opts.config.appEnv === 'test' ? 0 : 15_000)) {
      try {
        figures = { at: Date.now(), value: await withMetrics(app.database.db, readBusinessFigures) };
      } catch (err) {
        app.log.warn({ err }, 'business metrics unavailable');
        return figures?.value;
      }
    }
    return figures.value;
  };
  const businessGauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, f: Figures) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [register],
      async collect() {
        const f = await business();
        if (f) {
          this.reset();
          fill(this, f);
        }
      },
    });
  businessGauge('atrium_signups_total', 'Accounts ever created (sign-ups)', [], (g, f) => g.set(f.users));
  businessGauge('atrium_tenants', 'Workspaces', [], (g, f) => g.set(f.tenants));
  businessGauge('atrium_tasks', 'Tasks in all workspaces', [], (g, f) => g.set(f.tasks));
  businessGauge('atrium_active_users', 'Users active within the window', ['window'], (g, f) => {
    for (const a of f.activeUsers) g.set({ window: a.window }, a.n);
  });
  businessGauge('atrium_active_subscriptions', 'Paid subscriptions (active, trialing or in grace) by plan', ['plan'], (g, f) => {
    for (const s of f.subscriptions) g.set({ plan: s.plan }, s.count);
  });
  businessGauge('atrium_mrr_cents', 'Monthly recurring revenue in cents by plan', ['plan'], (g, f) => {
    for (const s of f.subscriptions) g.set({ plan: s.plan }, s.mrrCents);
  });
  businessGauge('atrium_ai_tokens_total', 'AI tokens used, by model', ['model'], (g, f) => {
    for (const a of f.ai) g.set({ model: a.model }, a.tokens);
  });
  businessGauge('atrium_ai_cost_microdollars_total', 'AI cost in micro-dollars, by model', ['model'], (g, f) => {
    for (const a of f.ai) g.set({ model: a.model }, a.costMicros);
  });

  app.addHook('onRequest', async (_request, reply) => {
    inFlight.inc();
    reply.raw.once('close', () => inFlight.dec());
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const token = opts.config.metricsToken;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (production: Authorization: Bearer METRICS_TOKEN)',
        operationId: 'getMetrics',
        security: [],
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
      },
    },
    async (request, reply) => {
      if (token) {
        const given = Buffer.from(request.headers.authorization ?? '');
        const expected = Buffer.from(`Bearer ${token}`);
        if (given.length !== expected.length || !timingSafeEqual(given, expected))
          throw new AppError('unauthorized', 'A metrics token is required');
      }
      return reply.type(register.contentType).send(await register.metrics());
    },
  );
});
