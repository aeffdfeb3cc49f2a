/**
 * Slow queries: a query slower than SLOW_QUERY_MS is logged at warn with its duration, SQL text (no
 * parameters), the request id, and the tenant and user of the request; fast queries are not.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledQuery } from '../../src/db/compiled.ts';
import { tenants } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { tenantOf, useTenantScope } from '../../src/plugins/tenant-context.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';

/** A compiled read run on its own (CompiledQuery.scoped: one message without BEGIN/COMMIT on PostgreSQL). */
const sleepyRead = compiledQuery<{ tenantId: string; seconds: number }, { slept: unknown }>('test_slow_scoped_read', (db) =>
  db
    .select({ slept: sql`pg_sleep(${sql.placeholder('seconds')}::float8)` })
    .from(tenants)
    .where(eq(tenants.id, sql.placeholder('tenantId'))),
);

let t: TestApp;
let owner: TestUser;
let tenantId: string;

beforeAll(async () => {
  t = await startTestApp({
    work: true,
    captureLogs: true,
    env: { SLOW_QUERY_MS: '400' },
    extraRoutes: async (app) => {
      await app.register(async (scope) => {
        useTenantScope(scope);
        scope.get('/api/v1/tenants/:tenantId/test-only/query', async (request) => {
          const { ms, pool } = request.query as { ms: string; pool?: string };
          const seconds = Number(ms) / 1000;
          if (request.query && (request.query as { scoped?: string }).scoped) {
            const ctx = tenantOf(request);
            await sleepyRead.scoped(app.database.db, ctx, { tenantId: ctx.tenantId, seconds });
            return { ok: true };
          }
          if (pool) await app.database.db.execute(sql`select pg_sleep(${seconds}) as slept_on_pool`);
          else await withTenant(app.database.db, tenantOf(request), (tx) => tx.execute(sql`select pg_sleep(${seconds}) as slept`));
          return { ok: true };
        });
      });
    },
  });
  owner = await createUser(t.app, { label: 'owner' });
  tenantId = await createTenant(t.app, owner);
});
afterAll(async () => t?.close());

const slowLines = () => t.logs.filter((l) => l.slowQuery === true);

describe('slow-query log', () => {
  it('logs a query slower than SLOW_QUERY_MS with request id, tenant, user and duration', async () => {
    const requestId = `req_slow_${Date.now()}`;
    const res = await t.app.inject({
      url: `/api/v1/tenants/${tenantId}/test-only/query?ms=800`,
      headers: { ...owner.h, 'x-request-id': requestId },
    });
    expect(res.statusCode).toBe(200);
    const line = slowLines().find((l) => l.requestId === requestId);
    expect(line).toBeDefined();
    expect(line).toMatchObject({ level: 'warn', msg: 'slow query', tenantId, userId: owner.id });
    expect(line?.durationMs as number).toBeGreaterThanOrEqual(750);
    expect(String(line?.sql)).toContain('pg_sleep');
    // The SQL text only: bind parameters (values) are never logged.
    expect(String(line?.sql)).toMatch(/pg_sleep\(\$1\)/);
    expect(Object.keys(line ?? {})).not.toContain('params');
  });

  it('also times queries outside a transaction (straight on the pool)', async () => {
    const requestId = `req_pool_${Date.now()}`;
    const res = await t.app.inject({
      url: `/api/v1/tenants/${tenantId}/test-only/query?ms=700&pool=1`,
      headers: { ...owner.h, 'x-request-id': requestId },
    });
    expect(res.statusCode).toBe(200);
    const lines = slowLines().filter((l) => l.requestId === requestId);
    expect(lines).toHaveLength(1); // timed once, not again on the pooled connection underneath
    const line = lines[0];
    expect(String(line?.sql)).toContain('slept_on_pool');
    expect(line?.durationMs as number).toBeGreaterThanOrEqual(650);
  });

  it('times a scoped read sent without a transaction around it', async () => {
    const requestId = `req_scoped_${Date.now()}`;
    const res = await t.app.inject({
      url: `/api/v1/tenants/${tenantId}/test-only/query?ms=600&scoped=1`,
      headers: { ...owner.h, 'x-request-id': requestId },
    });
    expect(res.statusCode).toBe(200);
    const lines = slowLines().filter((l) => l.requestId === requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ tenantId, userId: owner.id });
    expect(String(lines[0]?.sql)).toContain('pg_sleep');
    expect(lines[0]?.durationMs as number).toBeGreaterThanOrEqual(550);
  });

  it('does not log queries under the threshold', async () => {
    const requestId = `req_fast_${Date.now()}`;
    const res = await t.app.inject({
      url: `/api/v1/tenants/${tenantId}/test-only/query?ms=1`,
      headers: { ...owner.h, 'x-request-id': requestId },
    });
    expect(res.statusCode).toBe(200);
    expect(t.logs.some((l) => l.requestId === requestId && l.msg === 'request completed')).toBe(true);
    expect(slowLines().filter((l) => l.requestId === requestId)).toHaveLength(0);
  });
});
