/**
 * A task's create in one statement (tasks.repository.ts, createTaskRow; docs/performance.md change 35),
 * with the cache in front of it as a deployment has it: on PostgreSQL with a private Redis, so the plan
 * and the webhook subscriptions are cached and the create runs on its own, as one message without
 * BEGIN or COMMIT (db/scoped-read.ts); on PGlite in a transaction of its own.
 *
 * - Once the cache is warm, a create sends one query (the scope statement and the create statement),
 *   no BEGIN, no COMMIT (PostgreSQL).
 * - Whatever path it takes, a create writes the task, one audit row and one live event, and counts
 *   once; a refused one (unknown, archived or other tenant's project, outsider assignee, plan full)
 *   writes nothing at all.
 * - With a webhook subscribed, the create takes the transaction and the delivery is written with it.
 */
import { and, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, tenantEvents, webhookDeliveries } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { addMember, createTenant } from '../helpers/workspace.ts';
import { isPostgres, type PrivateRedis, startRedis } from '../ops/processes.ts';
import {
  call,
  createProjectApi,
  expectError,
  ok,
  type ProjectDto,
  setPlan,
  setUsage,
  snapshot,
  type TaskDto,
  tenantUrl,
  usageOf,
} from './support.ts';

let t: TestApp;
let redis: PrivateRedis | undefined;
let dana: TestUser;
let T: string;
let project: ProjectDto;

beforeAll(async () => {
  if (isPostgres()) redis = await startRedis();
  spyOnQueries();
  t = await startTestApp({
    work: true,
    env: { ALLOW_PRIVATE_WEBHOOK_URLS: 'true', ...(redis ? { REDIS_URL: redis.url } : {}) },
  });
  dana = await createUser(t.app, { label: 'dana' });
  T = await createTenant(t.app, dana, 'One statement');
  project = await createProjectApi(t.app, dana, T, { name: 'Main' });
  // The first create reads the plan and the subscriptions in a transaction and leaves them cached.
  await create(T, { projectId: project.id, title: 'Warms the cache' });
}, 180_000);

afterAll(async () => {
  pg.Client.prototype.query = originalQuery;
  await t?.close();
  await redis?.stop();
});

const create = (tenantId: string, body: Record<string, unknown>, user = dana) =>
  call<TaskDto>(t.app, user, 'POST', tenantUrl(tenantId, '/tasks'), body);

/**
 * What node-postgres is given (text or prepared statement name, and how many statements it carries),
 * while `recording` is set. Installed before the app starts: the pool's clients bind `query` when they
 * connect (db/client.ts).
 */
let recording: { name?: string; text: string; count: number }[] | undefined;
const originalQuery = pg.Client.prototype.query;
function spyOnQueries() {
  pg.Client.prototype.query = function spied(this: pg.Client, ...args: unknown[]) {
    const config = args[0] as { text?: string; name?: string; statementCount?: number } | string;
    const text = typeof config === 'string' ? config : String(config?.text ?? '');
    if (recording && !text.includes('pgboss')) {
      recording.push({
        name: typeof config === 'string' ? undefined : config?.name,
        text,
        count: (typeof config === 'string' ? 1 : config?.statementCount) ?? 1,
      });
    }
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof originalQuery;
}

async function statementsDuring(fn: () => Promise<unknown>) {
  recording = [];
  try {
    await fn();
    return recording;
  } finally {
    recording = undefined;
  }
}

async function rowsFor(tenantId: string, taskId: string) {
  return withTenant(t.database.db, { tenantId }, async (tx) => ({
    audit: await tx
      .select({ action: auditLogs.action, actorId: auditLogs.actorId, metadata: auditLogs.metadata, requestId: auditLogs.requestId })
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), eq(auditLogs.targetId, taskId))),
    events: await tx
      .select({ type: tenantEvents.type, ownerIds: tenantEvents.ownerIds, data: tenantEvents.data })
      .from(tenantEvents)
      .where(and(eq(tenantEvents.tenantId, tenantId), eq(tenantEvents.entityId, taskId))),
  }));
}

describe('a task create in one statement', () => {
  it.skipIf(!isPostgres())('with the cache warm: one query on the wire (scope and create statements), no BEGIN, no COMMIT', async () => {
    let res: Awaited<ReturnType<typeof create>> | undefined;
    const seen = await statementsDuring(async () => {
      res = await create(T, { projectId: project.id, title: 'On its own' });
    });
    expect(res?.status, JSON.stringify(res?.body)).toBe(201);
    const create_ = seen.filter((s) => s.name === 'tasks_create');
    expect(create_).toHaveLength(1);
    expect(create_[0]?.count).toBe(2);
    expect(seen.filter((s) => /^\s*(begin|commit)\b/i.test(s.text))).toEqual([]);
    // Besides it: at most the live-update wake-up, sent once the create has committed.
    expect(seen.filter((s) => s.name !== 'tasks_create' && !s.text.includes('pg_notify'))).toEqual([]);
  });

  it('writes the task, its audit row and its live event, and counts it once', async () => {
    const before = await usageOf(t, T, 'tasks');
    const res = await create(T, { projectId: project.id, title: 'Ship \ud800 it', labels: ['x'], status: 'done' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const task = res.body.data as TaskDto;
    expect(task).toMatchObject({ title: 'Ship \ufffd it', status: 'done', completedAt: expect.any(String), version: 1 });
    const { audit, events } = await rowsFor(T, task.id);
    expect(audit).toEqual([
      { action: 'task.created', actorId: dana.id, metadata: { projectId: project.id, title: 'Ship \ufffd it' }, requestId: res.requestId },
    ]);
    expect(events).toEqual([{ type: 'task.created', ownerIds: [dana.id], data: task }]);
    expect(await usageOf(t, T, 'tasks')).toBe(before + 1);
  });

  it('refuses an unknown, archived or other tenant’s project and an outsider assignee, writing nothing', async () => {
    const other = await createTenant(t.app, dana, 'Elsewhere');
    const theirs = await createProjectApi(t.app, dana, other, { name: 'Theirs' });
    const archived = await createProjectApi(t.app, dana, T, { name: 'Old' });
    await ok(t.app, dana, 'DELETE', tenantUrl(T, `/projects/${archived.id}`), undefined, 200);
    const outsider = await createUser(t.app, { label: 'outsider' });
    const member = await addMember(t.app, T, dana, 'member');
    const before = await snapshot(t, T);
    expectError(await create(T, { projectId: 'prj_doesnotexist000000000', title: 'x' }), 400, 'validation_error');
    expectError(await create(T, { projectId: theirs.id, title: 'x' }), 400, 'validation_error');
    expectError(await create(T, { projectId: archived.id, title: 'x' }), 409, 'conflict');
    expectError(await create(T, { projectId: project.id, title: 'x', assigneeId: outsider.id }), 400, 'validation_error');
    expect(await snapshot(t, T)).toEqual(before);
    // A member is a valid assignee.
    const res = await create(T, { projectId: project.id, title: 'Assigned', assigneeId: member.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await rowsFor(T, (res.body.data as TaskDto).id)).events[0]?.ownerIds).toEqual([dana.id, member.id]);
  });

  it('a full plan: 402, nothing written; with one slot left, exactly one of several concurrent creates gets it', async () => {
    const F = await createTenant(t.app, dana, 'Free plan');
    await setPlan(t, F, 'free');
    const p = await createProjectApi(t.app, dana, F, { name: 'Counted' });
    expect((await create(F, { projectId: p.id, title: 'Warms the cache' })).status).toBe(201);
    await setUsage(t, F, 'tasks', 200);
    const before = await snapshot(t, F);
    expectError(await create(F, { projectId: p.id, title: 'One too many' }), 402, 'plan_limit_reached');
    expect(await snapshot(t, F)).toEqual(before);
    await setUsage(t, F, 'tasks', 199);
    const raced = await Promise.all(Array.from({ length: 4 }, (_, i) => create(F, { projectId: p.id, title: `Race ${i}` })));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 402, 402, 402]);
    expect(await usageOf(t, F, 'tasks')).toBe(200);
  });

  it('with an Idempotency-Key: a refusal is not remembered and writes nothing; a success is replayed', async () => {
    const archived = await createProjectApi(t.app, dana, T, { name: 'Closed for now' });
    await ok(t.app, dana, 'DELETE', tenantUrl(T, `/projects/${archived.id}`), undefined, 200);
    await create(T, { projectId: project.id, title: 'Warm' });
    const key = { 'idempotency-key': `create-statement-${Date.now()}` };
    const body = { projectId: archived.id, title: 'Keyed' };
    const before = await snapshot(t, T);
    const keyCount = async () =>
      ((await t.database.db.execute(sql`select count(*)::int as n from idempotency_keys`)) as unknown as { rows: { n: number }[] }).rows[0]
        ?.n;
    const keysBefore = await keyCount();
    expectError(await call(t.app, dana, 'POST', tenantUrl(T, '/tasks'), body, key), 409, 'conflict');
    expect(await snapshot(t, T)).toEqual(before);
    expect(await keyCount()).toBe(keysBefore);
    await ok(t.app, dana, 'PATCH', tenantUrl(T, `/projects/${archived.id}`), { archived: false }, 200);
    const first = await call<TaskDto>(t.app, dana, 'POST', tenantUrl(T, '/tasks'), body, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await call<TaskDto>(t.app, dana, 'POST', tenantUrl(T, '/tasks'), body, key);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('with a webhook subscribed, the delivery is written with the task', async () => {
    const W = await createTenant(t.app, dana, 'Hooked');
    await setPlan(t, W, 'business');
    const p = await createProjectApi(t.app, dana, W, { name: 'Hooked' });
    expect((await create(W, { projectId: p.id, title: 'Warms the cache' })).status).toBe(201);
    await ok(t.app, dana, 'POST', tenantUrl(W, '/webhooks'), { url: 'http://127.0.0.1:9/atrium', events: ['task.created'] });
    const made: string[] = [];
    for (const title of ['First', 'Second']) {
      const res = await create(W, { projectId: p.id, title });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      made.push((res.body.data as TaskDto).id);
    }
    const deliveries = await withTenant(t.database.db, { tenantId: W }, (tx) =>
      tx.select({ payload: webhookDeliveries.payload }).from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, W)),
    );
    const delivered = deliveries.map((d) => (d.payload as { data: { id: string } }).data.id);
    expect(delivered.sort()).toEqual([...made].sort());
  });
});
