/**
 * The task list stays an index scan at scale: 100,000 tasks across 1,000 tenants (one set-based
 * INSERT … SELECT generate_series, as the owner), statistics gathered with ANALYZE, then the exact
 * SQL the list endpoint runs (taken from the repository's query builder, not retyped) is EXPLAINed
 * inside withTenant as the application role, with row-level security in force. The plan must scan
 * tasks through an index and never sequentially. Runs on PGlite and on PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { drizzle as drizzleProxy } from 'drizzle-orm/pg-proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/client.ts';
import * as schema from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { findTasks, type TaskFilter } from '../../src/modules/tasks/tasks.repository.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const TENANTS = 1000;
const TASKS = 100_000;
const tenantId = (n: number) => `ten_x${String(n).padStart(4, '0')}`;
const TENANT = tenantId(421);

let t: TestApp;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The SQL and parameters the repository would send for this filter (captured, not executed). */
async function listTasksSql(filter: TaskFilter): Promise<string> {
  let captured: { sql: string; params: unknown[] } | undefined;
  const recorder = drizzleProxy(
    async (text, params) => {
      captured = { sql: text, params };
      return { rows: [] };
    },
    { schema },
  );
  await findTasks(recorder as unknown as Tx, filter);
  if (!captured) throw new Error('no query captured');
  const { sql: text, params } = captured;
  // Inline the parameters as literals (EXPLAIN of a parameterized statement needs a prepared one).
  return text.replace(/\$(\d+)/g, (_, i: string) => {
    const v = params[Number(i) - 1];
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
    throw new Error(`unexpected parameter ${JSON.stringify(v)}`);
  });
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(query: string) {
  return withTenant(t.database.db, { tenantId: TENANT }, async (tx) => {
    const who = (await tx.execute(sql`select current_user as role`)) as unknown as { rows: { role: string }[] };
    expect(who.rows[0]?.role).toBe('atrium_app');
    const res = (await tx.execute(sql.raw(`EXPLAIN (FORMAT JSON) ${query}`))) as unknown as { rows: Record<string, unknown>[] };
    const raw = Object.values(res.rows[0] ?? {})[0];
    const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    const rows = (await tx.execute(sql.raw(query))) as unknown as { rows: Record<string, unknown>[] };
    return { plan: doc[0]?.Plan as PlanNode, rows: rows.rows };
  });
}

function expectIndexScanOnTasks(plan: PlanNode) {
  const all = nodes(plan);
  const onTasks = all.filter((n) => n['Relation Name'] === 'tasks');
  const shown = JSON.stringify(all.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']]));
  expect(onTasks.length, shown).toBeGreaterThan(0);
  expect(
    onTasks.filter((n) => n['Node Type'] === 'Seq Scan'),
    shown,
  ).toEqual([]);
  const indexScans = onTasks.filter((n) => n['Node Type'] === 'Index Scan' || n['Node Type'] === 'Index Only Scan');
  expect(indexScans.length, shown).toBeGreaterThan(0);
  expect(indexScans[0]?.['Index Name'], shown).toMatch(/^tasks_tenant_/);
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  await t.database.withOwner(async (r) => {
    await r.exec(`
      INSERT INTO tenants (id, name, slug, plan)
        SELECT 'ten_x' || lpad(g::text, 4, '0'), 'Explain ' || g, 'explain-' || g, 'business' FROM generate_series(1, ${TENANTS}) g;
      INSERT INTO projects (id, tenant_id, name)
        SELECT 'prj_x' || lpad(g::text, 4, '0'), 'ten_x' || lpad(g::text, 4, '0'), 'Project ' || g FROM generate_series(1, ${TENANTS}) g`);
    await r.exec(`
      INSERT INTO tasks (id, tenant_id, project_id, title, description, status, priority, labels, position, created_at, updated_at)
        SELECT 'task_x' || lpad(g::text, 6, '0'),
               'ten_x' || lpad((1 + g % ${TENANTS})::text, 4, '0'),
               'prj_x' || lpad((1 + g % ${TENANTS})::text, 4, '0'),
               'Generated task ' || g,
               'Made for the query plan test',
               (ARRAY['todo', 'in_progress', 'done', 'canceled'])[1 + (g / ${TENANTS}) % 4],
               (ARRAY['low', 'medium', 'high', 'urgent'])[1 + (g / 7) % 4],
               ARRAY['plan'],
               g,
               now() - g * interval '1 minute',
               now() - g * interval '1 minute'
        FROM generate_series(1, ${TASKS}) g`);
    await r.exec('ANALYZE tenants; ANALYZE projects; ANALYZE tasks');
  });
}, 600_000);

afterAll(async () => {
  await t?.close();
});

describe('task list query plan at 100,000 tasks', () => {
  it('the data is there: 1,000 tenants of 100 tasks each', async () => {
    const counts = await t.database.withOwner(async (r) =>
      r.query<{ tasks: number; tenants: number; mine: number }>(
        `select count(*)::int as tasks, count(distinct tenant_id)::int as tenants,
                count(*) filter (where tenant_id = '${TENANT}')::int as mine from tasks`,
      ),
    );
    expect(counts.rows[0]).toEqual({ tasks: TASKS, tenants: TENANTS, mine: TASKS / TENANTS });
  });

  it('newest first (the default): an index scan, no sequential scan of tasks', async () => {
    const query = await listTasksSql({ tenantId: TENANT, sort: '-createdAt', limit: 20 });
    expect(query).toMatch(/order by .*"tasks"\."created_at" desc nulls last, .*"tasks"\."id" desc nulls last limit 21/i);
    const { plan, rows } = await explain(query);
    expectIndexScanOnTasks(plan);
    // And it is the right query: 21 rows (one more than the page), all of this tenant, newest first.
    expect(rows).toHaveLength(21);
    expect(rows.every((r) => Object.values(r).includes(TENANT))).toBe(true);
  });

  it('filtered by status: still an index scan', async () => {
    const query = await listTasksSql({ tenantId: TENANT, status: 'todo', sort: '-createdAt', limit: 20 });
    expect(query).toMatch(/"tasks"\."status" = 'todo'/);
    const { plan, rows } = await explain(query);
    expectIndexScanOnTasks(plan);
    expect(rows).toHaveLength(21);
    expect(rows.every((r) => Object.values(r).includes('todo'))).toBe(true);
  });

  it('the next page (keyset cursor): still an index scan', async () => {
    const query = await listTasksSql({
      tenantId: TENANT,
      sort: '-createdAt',
      limit: 20,
      cursor: { key: new Date(Date.now() - 30 * 24 * 3600 * 1000).toISOString(), id: 'task_x050000' },
    });
    const { plan, rows } = await explain(query);
    expectIndexScanOnTasks(plan);
    expect(rows.length).toBeGreaterThan(0);
  });
});
