/**
 * Plan counters without one hot row per workspace (migration 0019, ADR 0019):
 * - on a plan without a task limit, creates and deletes append deltas to tenant_usage_deltas and leave
 *   the counter row alone; the counter (row plus deltas) is exact under concurrent creates and deletes;
 * - a workspace that moves to a plan with a limit is counted exactly: the take folds the deltas first,
 *   also when creates race for the last slot;
 * - the fold job moves deltas into the rows without changing any counter, and is idempotent;
 * - the deltas are isolated per tenant (RLS), and the maintenance role may only read them.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantUsage, tenantUsageDeltas } from '../../src/db/schema/index.ts';
import { withMaintenance, withTenant } from '../../src/db/tenant.ts';
import { foldPendingUsage } from '../../src/modules/maintenance/maintenance.service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';
import {
  bulkInsertTasks,
  call,
  countTasks,
  createProjectApi,
  expectError,
  ok,
  type ProjectDto,
  setPlan,
  setUsage,
  type TaskDto,
  tenantUrl,
  usageOf,
} from './support.ts';

let t: TestApp;
let dana: TestUser;

beforeAll(async () => {
  t = await startTestApp({ work: true });
  // The fold job's worker stopped (after any run in flight): here it runs only when a test calls it, so
  // the rows are what the requests left.
  await t.jobs.boss.offWork('maintenance.fold-usage');
  dana = await createUser(t.app, { label: 'dana' });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

/** The counter row's value and the deltas of `metric`, as stored. */
async function stored(tenantId: string, metric: string) {
  return withTenant(t.database.db, { tenantId }, async (tx) => {
    const [row] = await tx
      .select({ value: tenantUsage.value })
      .from(tenantUsage)
      .where(and(eq(tenantUsage.tenantId, tenantId), eq(tenantUsage.metric, metric)));
    const deltas = await tx
      .select({ delta: tenantUsageDeltas.delta })
      .from(tenantUsageDeltas)
      .where(and(eq(tenantUsageDeltas.tenantId, tenantId), eq(tenantUsageDeltas.metric, metric)));
    return { row: row?.value, deltas: deltas.map((d) => d.delta).sort((a, b) => a - b) };
  });
}

const create = (tenantId: string, projectId: string, title: string) =>
  call<TaskDto>(t.app, dana, 'POST', tenantUrl(tenantId, '/tasks'), { projectId, title });

async function workspace(name: string, plan: 'free' | 'business'): Promise<{ id: string; project: ProjectDto }> {
  const id = await createTenant(t.app, dana, name);
  await setPlan(t, id, plan);
  const project = await createProjectApi(t.app, dana, id, { name: 'Counted' });
  return { id, project };
}

describe('plan counters (tenant_usage plus deltas)', () => {
  it('without a limit: concurrent creates and deletes append deltas, leave the row alone, and count exactly', async () => {
    const U = await workspace('Unlimited', 'business');
    await setUsage(t, U.id, 'tasks', 0);

    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => create(U.id, U.project.id, `Many ${i}`)));
    expect(created.map((r) => r.status)).toEqual(Array(20).fill(201));
    const removed = created.slice(0, 5).map((r) => (r.body.data as TaskDto).id);
    await Promise.all(removed.map((id) => ok(t.app, dana, 'DELETE', tenantUrl(U.id, `/tasks/${id}`))));

    expect(await stored(U.id, 'tasks')).toEqual({ row: 0, deltas: [...Array(5).fill(-1), ...Array(20).fill(1)] });
    expect(await usageOf(t, U.id, 'tasks')).toBe(15);
    expect(await countTasks(t, U.id)).toBe(15);
    // What the subscription page shows (billing reads the same counters).
    const subscription = await ok<{ usage: Record<string, { used: number }> }>(t.app, dana, 'GET', tenantUrl(U.id, '/subscription'));
    expect(subscription.usage.tasks).toMatchObject({ used: 15, unlimited: true });

    // The fold job: every delta moved into the row, the counter unchanged; a second run changes nothing.
    const folded = await foldPendingUsage(t.database.db);
    expect(folded.tenants).toBeGreaterThanOrEqual(1);
    expect(await stored(U.id, 'tasks')).toEqual({ row: 15, deltas: [] });
    expect(await usageOf(t, U.id, 'tasks')).toBe(15);
    await foldPendingUsage(t.database.db);
    expect(await stored(U.id, 'tasks')).toEqual({ row: 15, deltas: [] });
  });

  it('moving to a plan with a limit: the take folds the deltas first, so the last slot is taken once', async () => {
    const M = await workspace('Moving', 'business');
    await bulkInsertTasks(t, M.id, M.project.id, dana.id, 196);
    await setUsage(t, M.id, 'tasks', 196);
    // Three more on the unlimited plan: deltas, the row still says 196.
    for (const i of [1, 2, 3]) expect((await create(M.id, M.project.id, `Before ${i}`)).status).toBe(201);
    expect(await stored(M.id, 'tasks')).toEqual({ row: 196, deltas: [1, 1, 1] });

    // Downgraded to free (200 tasks): 199 counted, so of three racing creates exactly one gets in.
    await setPlan(t, M.id, 'free');
    const race = await Promise.all([1, 2, 3].map((i) => create(M.id, M.project.id, `Race ${i}`)));
    expect(race.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of race.filter((x) => x.status !== 201)) {
      expectError(r, 402, 'plan_limit_reached');
      expect(r.body.error.details).toEqual({ metric: 'tasks', limit: 200, plan: 'free' });
    }
    expect(await stored(M.id, 'tasks')).toEqual({ row: 200, deltas: [] });
    expect(await countTasks(t, M.id)).toBe(200);
    expectError(await create(M.id, M.project.id, 'Over'), 402, 'plan_limit_reached');

    // A delete on the limited plan gives the slot back (a delta, folded by the next take).
    const winner = race.find((r) => r.status === 201)?.body.data as TaskDto;
    await ok(t.app, dana, 'DELETE', tenantUrl(M.id, `/tasks/${winner.id}`));
    expect(await usageOf(t, M.id, 'tasks')).toBe(199);
    expect((await create(M.id, M.project.id, 'Back in')).status).toBe(201);
    expect(await stored(M.id, 'tasks')).toEqual({ row: 200, deltas: [] });
  });

  it("deltas are the tenant's own: another tenant's cannot be written or read, and maintenance only reads", async () => {
    const A = await workspace('Delta A', 'business');
    const B = await workspace('Delta B', 'business');
    expect((await create(B.id, B.project.id, 'B counts')).status).toBe(201);
    const db = t.database.db;

    // As A: a delta for B is refused by the policy; B's deltas are invisible; deleting them removes nothing.
    await expect(
      withTenant(db, { tenantId: A.id }, (tx) => tx.insert(tenantUsageDeltas).values({ tenantId: B.id, metric: 'tasks', delta: -100 })),
    ).rejects.toThrow();
    const seen = await withTenant(db, { tenantId: A.id }, (tx) =>
      tx.select().from(tenantUsageDeltas).where(eq(tenantUsageDeltas.tenantId, B.id)),
    );
    expect(seen).toEqual([]);
    await withTenant(db, { tenantId: A.id }, (tx) => tx.delete(tenantUsageDeltas).where(eq(tenantUsageDeltas.tenantId, B.id)));
    // Folding B's counter from A's scope sees neither B's row nor B's deltas.
    await expect(withTenant(db, { tenantId: A.id }, (tx) => tx.execute(sql`select atrium_fold_usage(${B.id}, 'tasks')`))).rejects.toThrow();
    expect((await stored(B.id, 'tasks')).deltas).toEqual([1]);

    // The maintenance role finds the workspaces with deltas, and can do nothing else with them.
    const visible = await withMaintenance(db, (tx) => tx.selectDistinct({ tenantId: tenantUsageDeltas.tenantId }).from(tenantUsageDeltas));
    expect(visible.map((r) => r.tenantId)).toContain(B.id);
    await expect(withMaintenance(db, (tx) => tx.delete(tenantUsageDeltas).where(eq(tenantUsageDeltas.tenantId, B.id)))).rejects.toThrow();
    await expect(
      withMaintenance(db, (tx) => tx.insert(tenantUsageDeltas).values({ tenantId: B.id, metric: 'tasks', delta: 5 })),
    ).rejects.toThrow();
    expect(await usageOf(t, B.id, 'tasks')).toBe(1);
  });
});
