/**
 * Live updates over SSE: delivery within a second, per-reader filtering (guests see only their own
 * tasks), resume with Last-Event-ID, and — on PostgreSQL — delivery across two API processes.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { openStream } from '../helpers/sse.ts';
import { createProject, createTask, createWorkspace, type Workspace } from '../helpers/workspace.ts';

let t: TestApp;
let ws: Workspace;
let projectId: string;
let base: string;

beforeAll(async () => {
  t = await startTestApp({ work: true });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  ws = await createWorkspace(t.app);
  projectId = await createProject(t.app, ws.tenantId, ws.users.owner);
});
afterAll(async () => {
  await t?.close();
});

const streamUrl = () => `${base}/api/v1/tenants/${ws.tenantId}/events`;

describe('live updates', () => {
  it('delivers a task change to a connected member within a second', async () => {
    const stream = await openStream(streamUrl(), ws.users.viewer.h);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === 'ready');
    const started = Date.now();
    const task = await createTask(t.app, ws.tenantId, ws.users.member, { projectId, title: 'Live one' });
    const got = await stream.next((e) => e.event === 'task.created' && e.data.id === task.id, 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(got.data).toMatchObject({ title: 'Live one', projectId });
    stream.close();
  });

  it('carries a created task exactly as the API answered it (the create statement builds it in SQL)', async () => {
    const stream = await openStream(streamUrl(), ws.users.owner.h);
    await stream.next((e) => e.event === 'ready');
    const bodies = [
      { projectId, title: 'Plain' },
      {
        projectId,
        title: 'Done \ud800 "quoted" ünïcode',
        description: 'Line one\nline two',
        status: 'done',
        priority: 'urgent',
        dueDate: '2027-02-28',
        assigneeId: ws.users.editor.id,
        labels: ['a-label', 'b'],
        position: 1536.25,
      },
    ];
    for (const body of bodies) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${ws.tenantId}/tasks`,
        headers: ws.users.owner.h,
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(201);
      const task = res.json().data;
      const got = await stream.next((e) => e.event === 'task.created' && e.data.id === task.id, 2_000);
      expect(got.data).toEqual(task);
    }
    stream.close();
  });

  it('refuses non-members (404) and anonymous callers (401)', async () => {
    const other = await createWorkspace(t.app, 'Other');
    const denied = await openStream(streamUrl(), other.users.owner.h);
    expect(denied.status).toBe(404);
    const anonymous = await openStream(streamUrl(), {});
    expect(anonymous.status).toBe(401);
  });

  it("never carries other people's tasks to a guest", async () => {
    const guest = await openStream(streamUrl(), ws.users.guest.h);
    await guest.next((e) => e.event === 'ready');
    const others = await createTask(t.app, ws.tenantId, ws.users.editor, { projectId, title: 'Not for guests' });
    const assigned = await createTask(t.app, ws.tenantId, ws.users.editor, {
      projectId,
      title: 'For the guest',
      assigneeId: ws.users.guest.id,
    });
    await guest.next((e) => e.event === 'task.created' && e.data.id === assigned.id);
    // A later event proves the stream moved past the other task without delivering it.
    const marker = await createTask(t.app, ws.tenantId, ws.users.editor, {
      projectId,
      title: 'Marker',
      assigneeId: ws.users.guest.id,
    });
    await guest.next((e) => e.data.id === marker.id);
    expect(guest.events.some((e) => e.data.id === others.id)).toBe(false);
    for (const e of guest.events.filter((x) => x.event.startsWith('task.'))) {
      expect([assigned.id, marker.id]).toContain(e.data.id);
    }
    guest.close();
  });

  it('resumes with Last-Event-ID without gaps', async () => {
    const first = await openStream(streamUrl(), ws.users.owner.h);
    const ready = await first.next((e) => e.event === 'ready');
    const a = await createTask(t.app, ws.tenantId, ws.users.owner, { projectId, title: 'Before the drop' });
    const seen = await first.next((e) => e.data.id === a.id);
    first.close();

    const missed = [];
    for (const title of ['Missed 1', 'Missed 2', 'Missed 3'])
      missed.push(await createTask(t.app, ws.tenantId, ws.users.owner, { projectId, title }));

    const second = await openStream(streamUrl(), { ...ws.users.owner.h, 'last-event-id': String(seen.id) });
    for (const m of missed) await second.next((e) => e.event === 'task.created' && e.data.id === m.id);
    const ids = second.events.filter((e) => e.event === 'task.created').map((e) => e.data.id);
    expect(ids).toEqual(missed.map((m) => m.id));
    expect(second.events.some((e) => e.event === 'reset')).toBe(false);
    expect(Number(seen.id)).toBeGreaterThan(Number(ready.data.lastEventId));
    second.close();
  });

  it('tells a client whose Last-Event-ID is unknown to reload', async () => {
    const stream = await openStream(streamUrl(), { ...ws.users.owner.h, 'last-event-id': '999999999999' });
    await stream.next((e) => e.event === 'reset');
    stream.close();
  });
});

describe.runIf(inject('testDb').kind === 'postgres')('across API processes (PostgreSQL)', () => {
  it('a change made through one process reaches a client of another within a second', async () => {
    const second = await startTestApp({ work: false, shareDatabaseWith: t });
    try {
      const stream = await openStream(streamUrl(), ws.users.owner.h);
      await stream.next((e) => e.event === 'ready');
      const started = Date.now();
      const task = await createTask(second.app, ws.tenantId, ws.users.owner, { projectId, title: 'From the other process' });
      await stream.next((e) => e.event === 'task.created' && e.data.id === task.id, 1_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      stream.close();
    } finally {
      await second.close();
    }
  });
});
