/**
 * Requests that race or repeat:
 * - Idempotency-Key: a retried POST (same key, same body) gets the first response again and creates
 *   nothing; the same key with another body is a 409; keys of different users never collide; a
 *   refused request is not remembered; two copies sent at once create one row.
 * - ETag/If-Match: a PATCH against a stale version is a 412 and changes nothing; of two writers
 *   holding the same ETag exactly one wins.
 * - Plan limits, taken atomically: two creates racing for the last slot give exactly one 201 and one
 *   402 (tasks at 199/200, projects at 2/3 on the free plan).
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, tasks } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { addMember, createTenant } from '../helpers/workspace.ts';
import {
  bulkInsertTasks,
  type CommentDto,
  call,
  countTasks,
  createProjectApi,
  createTaskApi,
  expectError,
  getTaskApi,
  ok,
  type ProjectDto,
  type Res,
  setPlan,
  setUsage,
  snapshot,
  type TaskDto,
  tenantUrl,
  usageOf,
} from './support.ts';

let t: TestApp;
let alice: TestUser; // owner of I
let bob: TestUser; // editor in I
let I: string; // idempotency and ETag tests
let project: ProjectDto;

let keyCounter = 0;
const newKey = () => `key-${Date.now().toString(36)}-${++keyCounter}`;

function post<T>(user: TestUser, tenantId: string, path: string, body: unknown, key?: string) {
  return call<T>(t.app, user, 'POST', tenantUrl(tenantId, path), body, key === undefined ? {} : { 'idempotency-key': key });
}

function patch<T>(user: TestUser, tenantId: string, path: string, body: unknown, ifMatch?: string) {
  return call<T>(t.app, user, 'PATCH', tenantUrl(tenantId, path), body, ifMatch === undefined ? {} : { 'if-match': ifMatch });
}

const tasksTitled = (tenantId: string, title: string) => countTasks(t, tenantId, eq(tasks.title, title));

async function auditCount(tenantId: string, targetId: string, action: string) {
  const rows = await withTenant(t.database.db, { tenantId }, (tx) =>
    tx
      .select({ id: auditLogs.id })
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, targetId), eq(auditLogs.action, action))),
  );
  return rows.length;
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  alice = await createUser(t.app, { label: 'alice' });
  I = await createTenant(t.app, alice, 'Idempotent');
  await setPlan(t, I, 'pro');
  bob = await addMember(t.app, I, alice, 'editor');
  project = await createProjectApi(t.app, alice, I, { name: 'Retries' });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('Idempotency-Key', () => {
  it('the same key and body again: the first response, replayed; one task, one audit row, one unit of usage', async () => {
    const key = newKey();
    const usage = await usageOf(t, I, 'tasks');
    const first = await post<TaskDto>(alice, I, '/tasks', { projectId: project.id, title: 'Idem once', labels: ['a', 'b'] }, key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same body with its keys in another order is the same request.
    const again = await post<TaskDto>(alice, I, '/tasks', `{"labels":["a","b"],"title":"Idem once","projectId":"${project.id}"}`, key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const third = await post<TaskDto>(alice, I, '/tasks', { projectId: project.id, title: 'Idem once', labels: ['a', 'b'] }, key);
    expect(third.body).toEqual(first.body);

    expect(await tasksTitled(I, 'Idem once')).toBe(1);
    expect(await auditCount(I, first.body.data.id, 'task.created')).toBe(1);
    expect(await usageOf(t, I, 'tasks')).toBe(usage + 1);
    // Without a key, the same body is a new task.
    expect((await post<TaskDto>(alice, I, '/tasks', { projectId: project.id, title: 'Idem once', labels: ['a', 'b'] })).status).toBe(201);
    expect(await tasksTitled(I, 'Idem once')).toBe(2);
  });

  it('the same key with another body, or on another route, is a 409 and creates nothing', async () => {
    const key = newKey();
    const first = await post<TaskDto>(alice, I, '/tasks', { projectId: project.id, title: 'Idem original' }, key);
    expect(first.status).toBe(201);
    const before = await snapshot(t, I);
    expectError(await post(alice, I, '/tasks', { projectId: project.id, title: 'Idem different' }, key), 409, 'conflict');
    expectError(await post(alice, I, '/tasks', { projectId: project.id, title: 'Idem original', priority: 'high' }, key), 409, 'conflict');
    expectError(await post(alice, I, '/projects', { name: 'Idem project' }, key), 409, 'conflict');
    expectError(await post(alice, I, `/tasks/${first.body.data.id}/comments`, { body: 'x' }, key), 409, 'conflict');
    expect(await snapshot(t, I)).toEqual(before);
    expect(await tasksTitled(I, 'Idem different')).toBe(0);
    // And the original still replays.
    expect((await post<TaskDto>(alice, I, '/tasks', { projectId: project.id, title: 'Idem original' }, key)).body).toEqual(first.body);
  });

  it("another user's identical key is theirs: no collision, no replay of someone else's response", async () => {
    const key = newKey();
    const body = { projectId: project.id, title: 'Idem shared key' };
    const a = await post<TaskDto>(alice, I, '/tasks', body, key);
    const b = await post<TaskDto>(bob, I, '/tasks', body, key);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.data.id).not.toBe(a.body.data.id);
    expect(b.body.data.createdBy).toBe(bob.id);
    expect(await tasksTitled(I, 'Idem shared key')).toBe(2);
    expect((await post<TaskDto>(alice, I, '/tasks', body, key)).body.data.id).toBe(a.body.data.id);
    expect((await post<TaskDto>(bob, I, '/tasks', body, key)).body.data.id).toBe(b.body.data.id);
    // Another body under bob's key is still bob's conflict, not alice's.
    expectError(await post(bob, I, '/tasks', { ...body, title: 'other' }, key), 409, 'conflict');
  });

  it('projects and comments are idempotent too', async () => {
    const pKey = newKey();
    const p1 = await post<ProjectDto>(alice, I, '/projects', { name: 'Idem project once' }, pKey);
    const p2 = await post<ProjectDto>(alice, I, '/projects', { name: 'Idem project once' }, pKey);
    expect(p1.status).toBe(201);
    expect(p2.headers['idempotent-replayed']).toBe('true');
    expect(p2.body).toEqual(p1.body);
    const projects = await ok<ProjectDto[]>(t.app, alice, 'GET', tenantUrl(I, '/projects'));
    expect(projects.filter((p) => p.name === 'Idem project once')).toHaveLength(1);

    const task = await createTaskApi(t.app, alice, I, { projectId: project.id, title: 'Idem discussed' });
    const cKey = newKey();
    const c1 = await post<CommentDto>(bob, I, `/tasks/${task.id}/comments`, { body: 'Only once' }, cKey);
    const c2 = await post<CommentDto>(bob, I, `/tasks/${task.id}/comments`, { body: 'Only once' }, cKey);
    expect(c1.status).toBe(201);
    expect(c2.headers['idempotent-replayed']).toBe('true');
    expect(c2.body).toEqual(c1.body);
    expect(await ok<CommentDto[]>(t.app, alice, 'GET', tenantUrl(I, `/tasks/${task.id}/comments`))).toHaveLength(1);
  });

  it('a refused request is not remembered: once the cause is fixed, the same key and body succeed', async () => {
    const archived = await createProjectApi(t.app, alice, I, { name: 'Idem archived' });
    await ok(t.app, alice, 'DELETE', tenantUrl(I, `/projects/${archived.id}`));
    const key = newKey();
    const body = { projectId: archived.id, title: 'Idem after restore' };
    expectError(await post(alice, I, '/tasks', body, key), 409, 'conflict');
    expectError(await post(alice, I, '/tasks', body, key), 409, 'conflict');
    await ok(t.app, alice, 'PATCH', tenantUrl(I, `/projects/${archived.id}`), { archived: false });
    const res = await post<TaskDto>(alice, I, '/tasks', body, key);
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await tasksTitled(I, 'Idem after restore')).toBe(1);

    // A body that fails validation does not use the key up either.
    const key2 = newKey();
    expectError(await post(alice, I, '/tasks', { projectId: project.id, title: '' }, key2), 400, 'validation_error');
    expect((await post(alice, I, '/tasks', { projectId: project.id, title: 'Idem fixed body' }, key2)).status).toBe(201);
  });

  it('two copies sent at the same moment create one task; the other gets a 409 or the same response', async () => {
    for (let round = 0; round < 5; round++) {
      const key = newKey();
      const title = `Idem double click ${round}`;
      const body = { projectId: project.id, title };
      const results = await Promise.all([post<TaskDto>(alice, I, '/tasks', body, key), post<TaskDto>(alice, I, '/tasks', body, key)]);
      const created = results.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
      expect(created, JSON.stringify(results.map((r) => [r.status, r.body]))).toHaveLength(1);
      for (const r of results) {
        if (r === created[0]) continue;
        if (r.status === 201) expect(r.body).toEqual(created[0]?.body);
        else expectError(r, 409, 'conflict');
      }
      expect(await tasksTitled(I, title)).toBe(1);
      // Afterwards the key replays the one that was created.
      expect((await post<TaskDto>(alice, I, '/tasks', body, key)).body).toEqual(created[0]?.body);
    }
  });

  it('a malformed key is a 400', async () => {
    for (const key of ['', 'has space', 'x'.repeat(256), 'tab\there']) {
      const res = await post(alice, I, '/tasks', { projectId: project.id, title: 'Idem bad key' }, key);
      expectError(res, 400, 'validation_error');
    }
    expect(await tasksTitled(I, 'Idem bad key')).toBe(0);
  });
});

describe('ETag / If-Match', () => {
  it('a stale If-Match is a 412 and changes nothing; current, * and lists match', async () => {
    const created = await post<TaskDto>(alice, I, '/tasks', { projectId: project.id, title: 'v1' });
    const e1 = created.headers.etag as string;
    const id = created.body.data.id;
    expect(e1).toBe(`"${id}.1"`);
    const v2 = await patch<TaskDto>(alice, I, `/tasks/${id}`, { title: 'v2' }, e1);
    expect(v2.status).toBe(200);
    const e2 = v2.headers.etag as string;
    expect(e2).toBe(`"${id}.2"`);

    const before = await snapshot(t, I);
    const stale = await patch(alice, I, `/tasks/${id}`, { title: 'v3', status: 'done' }, e1);
    expectError(stale, 412, 'precondition_failed');
    expect(stale.body.error.details).toEqual({ currentETag: e2 });
    const other = await createTaskApi(t.app, alice, I, { projectId: project.id, title: 'other' });
    const afterOther = await snapshot(t, I);
    for (const tag of [`"${other.id}.1"`, `W/${e2}`, `"${id}.3"`, e2.replaceAll('"', ''), '"garbage"']) {
      expectError(await patch(alice, I, `/tasks/${id}`, { title: 'nope' }, tag), 412, 'precondition_failed');
    }
    expect(await snapshot(t, I)).toEqual(afterOther);
    expect(before).not.toEqual(afterOther); // the snapshot does see a change
    const now = await call<TaskDto>(t.app, alice, 'GET', tenantUrl(I, `/tasks/${id}`));
    expect(now.body.data).toEqual(v2.body.data);
    expect(now.headers.etag).toBe(e2);

    expect((await patch<TaskDto>(alice, I, `/tasks/${id}`, { title: 'v3' }, `"nope", ${e2}`)).status).toBe(200);
    expect((await patch<TaskDto>(alice, I, `/tasks/${id}`, { title: 'v4' }, '*')).status).toBe(200);
    const last = await patch<TaskDto>(alice, I, `/tasks/${id}`, { title: 'v5' });
    expect(last.body.data).toMatchObject({ title: 'v5', version: 5 });
  });

  it('of two writers holding the same ETag, exactly one wins; the loser changes nothing', async () => {
    for (let round = 0; round < 5; round++) {
      const task = await createTaskApi(t.app, alice, I, { projectId: project.id, title: `race ${round}` });
      const etag = `"${task.id}.1"`;
      const [a, b] = await Promise.all([
        patch<TaskDto>(alice, I, `/tasks/${task.id}`, { title: `alice ${round}`, priority: 'high' }, etag),
        patch<TaskDto>(bob, I, `/tasks/${task.id}`, { title: `bob ${round}`, status: 'done' }, etag),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.body, b.body])).toEqual([200, 412]);
      const winner = (a.status === 200 ? a : b) as Res<TaskDto>;
      const loser = a.status === 200 ? b : a;
      expectError(loser, 412, 'precondition_failed');
      const final = await getTaskApi(t.app, alice, I, task.id);
      expect(final).toEqual(winner.body.data);
      expect(final.version).toBe(2);
      // Only the winner's fields changed.
      if (winner === a) expect(final).toMatchObject({ priority: 'high', status: 'todo' });
      else expect(final).toMatchObject({ priority: 'medium', status: 'done' });
      expect(await auditCount(I, task.id, 'task.updated')).toBe(1);
    }
  });
});

describe('plan limits under concurrency (free plan)', () => {
  let carol: TestUser;
  beforeAll(async () => {
    carol = await createUser(t.app, { label: 'carol' });
  }, 180_000);

  it('tasks: at 199 of 200, two concurrent creates give exactly one 201 and one 402', async () => {
    const L = await createTenant(t.app, carol, 'Limited tasks');
    const p = await createProjectApi(t.app, carol, L, { name: 'Full' });
    await bulkInsertTasks(t, L, p.id, carol.id, 199);
    await setUsage(t, L, 'tasks', 199);
    expect(await countTasks(t, L)).toBe(199);

    const race = async (n: number) => {
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => post<TaskDto>(carol, L, '/tasks', { projectId: p.id, title: `Last slot ${i}` })),
      );
      const created = results.filter((r) => r.status === 201);
      const refused = results.filter((r) => r.status !== 201);
      expect(created, JSON.stringify(results.map((r) => r.status))).toHaveLength(1);
      expect(refused).toHaveLength(n - 1);
      for (const r of refused) {
        expectError(r, 402, 'plan_limit_reached');
        expect(r.body.error.details).toEqual({ metric: 'tasks', limit: 200, plan: 'free' });
      }
      expect(await countTasks(t, L)).toBe(200);
      expect(await usageOf(t, L, 'tasks')).toBe(200);
      return created[0]?.body.data as TaskDto;
    };

    let winner = await race(2);
    expectError(await post(carol, L, '/tasks', { projectId: p.id, title: 'Over' }), 402, 'plan_limit_reached');
    // Deleting frees the slot again; race for it a few more times, with more contenders.
    for (const n of [2, 3, 4]) {
      await ok(t.app, carol, 'DELETE', tenantUrl(L, `/tasks/${winner.id}`));
      expect(await usageOf(t, L, 'tasks')).toBe(199);
      winner = await race(n);
    }
    // A retry of the successful create (same Idempotency-Key) is its replay, not a 402.
    await ok(t.app, carol, 'DELETE', tenantUrl(L, `/tasks/${winner.id}`));
    const key = newKey();
    const first = await post<TaskDto>(carol, L, '/tasks', { projectId: p.id, title: 'Keyed last slot' }, key);
    expect(first.status).toBe(201);
    const retry = await post<TaskDto>(carol, L, '/tasks', { projectId: p.id, title: 'Keyed last slot' }, key);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expectError(await post(carol, L, '/tasks', { projectId: p.id, title: 'Keyed last slot' }, newKey()), 402, 'plan_limit_reached');
    expect(await countTasks(t, L)).toBe(200);
  });

  it('projects: at 2 of 3, two concurrent creates give exactly one 201 and one 402; restoring needs a slot', async () => {
    const Q = await createTenant(t.app, carol, 'Limited projects');
    await createProjectApi(t.app, carol, Q, { name: 'One' });
    const two = await createProjectApi(t.app, carol, Q, { name: 'Two' });
    const results = await Promise.all([
      post<ProjectDto>(carol, Q, '/projects', { name: 'A' }),
      post<ProjectDto>(carol, Q, '/projects', { name: 'B' }),
    ]);
    expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([201, 402]);
    const refused = results.find((r) => r.status === 402) as Res;
    expectError(refused, 402, 'plan_limit_reached');
    expect(refused.body.error.details).toEqual({ metric: 'projects', limit: 3, plan: 'free' });
    expect(await ok<ProjectDto[]>(t.app, carol, 'GET', tenantUrl(Q, '/projects'))).toHaveLength(3);
    expect(await usageOf(t, Q, 'projects')).toBe(3);

    // Archiving frees a slot; once it is taken again, the archived project cannot come back.
    await ok(t.app, carol, 'DELETE', tenantUrl(Q, `/projects/${two.id}`));
    await createProjectApi(t.app, carol, Q, { name: 'Replacement' });
    const restore = await call(t.app, carol, 'PATCH', tenantUrl(Q, `/projects/${two.id}`), { archived: false });
    expectError(restore, 402, 'plan_limit_reached');
    expect(await ok<ProjectDto>(t.app, carol, 'GET', tenantUrl(Q, `/projects/${two.id}?archived=true`))).toMatchObject({ archived: true });
    expect(await usageOf(t, Q, 'projects')).toBe(3);
    const all = await ok<ProjectDto[]>(t.app, carol, 'GET', tenantUrl(Q, '/projects?archived=true'));
    expect(all).toHaveLength(4);
  });
});
