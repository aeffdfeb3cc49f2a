/**
 * The task workspace through its HTTP API: projects (create, read, change, archive, restore), tasks
 * (every field, defaults, changes, deletion), comments, every list filter and sort (with keyset
 * pagination per sort), ranked full-text search, validation errors with the offending field, the
 * read-only archived project, and one audit row per change, written by the request that made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSource, taskDraft } from '../../src/db/seed/factories.ts';
import { TASK_SORTS } from '../../src/modules/tasks/tasks.repository.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createWorkspace, type Workspace } from '../helpers/workspace.ts';
import {
  actionsByRequest,
  auditFor,
  type CommentDto,
  call,
  countTasks,
  createProjectApi,
  createTaskApi,
  dbOrderOfIds,
  expectError,
  expectValidation,
  getTaskApi,
  listAll,
  ok,
  type ProjectDto,
  type Res,
  setPlan,
  type TaskDto,
  tenantUrl,
  usageOf,
} from './support.ts';

let t: TestApp;
let w: Workspace;
let T: string; // tenant id
let main: ProjectDto;

const url = (rest: string) => tenantUrl(T, rest);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startTestApp({ work: true });
  w = await createWorkspace(t.app);
  T = w.tenantId;
  // Room for the projects below (the free plan allows 3); the limits have their own tests.
  await setPlan(t, T, 'pro');
  main = await createProjectApi(t.app, w.users.editor, T, { name: 'Main' });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('projects', () => {
  it('are created, read, listed and changed', async () => {
    const res = await call<ProjectDto>(t.app, w.users.editor, 'POST', url('/projects'), {
      name: '  Website  ',
      description: 'The relaunch',
      color: '#4F46E5',
    });
    expect(res.status).toBe(201);
    const p = res.body.data;
    expect(p).toMatchObject({
      name: 'Website',
      description: 'The relaunch',
      color: '#4F46E5',
      archived: false,
      archivedAt: null,
      createdBy: w.users.editor.id,
    });
    expect(p.id).toMatch(/^prj_/);
    expect(p.createdAt).toBe(p.updatedAt);
    expect(await ok<ProjectDto>(t.app, w.users.viewer, 'GET', url(`/projects/${p.id}`))).toEqual(p);

    const list = await ok<ProjectDto[]>(t.app, w.users.guest, 'GET', url('/projects'));
    const ids = list.map((x) => x.id);
    expect(ids).toContain(p.id);
    // Oldest first.
    expect(ids.indexOf(main.id)).toBeLessThan(ids.indexOf(p.id));

    await sleep(2);
    const changed = await ok<ProjectDto>(t.app, w.users.admin, 'PATCH', url(`/projects/${p.id}`), {
      name: 'Website 2',
      description: null,
      color: null,
    });
    expect(changed).toMatchObject({ id: p.id, name: 'Website 2', description: null, color: null, archived: false, createdAt: p.createdAt });
    expect(changed.updatedAt > p.updatedAt).toBe(true);
    expect(await ok<ProjectDto>(t.app, w.users.member, 'GET', url(`/projects/${p.id}`))).toEqual(changed);

    expectError(await call(t.app, w.users.owner, 'GET', url('/projects/prj_doesnotexist')), 404, 'not_found');
    expectError(await call(t.app, w.users.owner, 'PATCH', url('/projects/prj_doesnotexist'), { name: 'x' }), 404, 'not_found');
    expectError(await call(t.app, w.users.owner, 'DELETE', url('/projects/prj_doesnotexist')), 404, 'not_found');
  });

  it('reject invalid bodies with the field that is wrong, and create nothing', async () => {
    const before = (await ok<ProjectDto[]>(t.app, w.users.owner, 'GET', url('/projects?archived=true'))).length;
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: '    ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 42 }, 'name'],
      [{ name: 'a\u0000b' }, 'name'],
      [{ name: 'ok', color: 'red' }, 'color'],
      [{ name: 'ok', color: '#12345' }, 'color'],
      [{ name: 'ok', description: 'x'.repeat(2001) }, 'description'],
      [{ name: 'ok', description: 7 }, 'description'],
    ];
    for (const [body, path] of cases) expectValidation(await call(t.app, w.users.owner, 'POST', url('/projects'), body), path);
    expectValidation(await call(t.app, w.users.owner, 'PATCH', url(`/projects/${main.id}`), {}), '(root)');
    expectValidation(await call(t.app, w.users.owner, 'PATCH', url(`/projects/${main.id}`), { archived: 'yes' }), 'archived');
    expectValidation(await call(t.app, w.users.owner, 'PATCH', url(`/projects/${main.id}`), { name: '' }), 'name');
    expectValidation(await call(t.app, w.users.owner, 'GET', url('/projects?archived=maybe')), 'archived');
    expect((await ok<ProjectDto[]>(t.app, w.users.owner, 'GET', url('/projects?archived=true'))).length).toBe(before);
    expect(await ok<ProjectDto>(t.app, w.users.owner, 'GET', url(`/projects/${main.id}`))).toEqual(main);
  });

  it('archived: hidden unless asked for, read-only (409) with its tasks and comments, restorable', async () => {
    const p = await createProjectApi(t.app, w.users.editor, T, { name: 'Old stuff' });
    const task = await createTaskApi(t.app, w.users.member, T, { projectId: p.id, title: 'Keep me' });
    const comment = await ok<CommentDto>(t.app, w.users.member, 'POST', url(`/tasks/${task.id}/comments`), { body: 'first' });
    const elsewhere = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Elsewhere' });
    const usage = await usageOf(t, T, 'projects');

    const archived = await ok<ProjectDto>(t.app, w.users.editor, 'DELETE', url(`/projects/${p.id}`));
    expect(archived).toMatchObject({ id: p.id, archived: true, archivedAt: expect.any(String) });
    expect(await usageOf(t, T, 'projects')).toBe(usage - 1);

    // Hidden from the list and from GET, unless ?archived=true.
    expect((await ok<ProjectDto[]>(t.app, w.users.owner, 'GET', url('/projects'))).map((x) => x.id)).not.toContain(p.id);
    const withArchived = await ok<ProjectDto[]>(t.app, w.users.owner, 'GET', url('/projects?archived=true'));
    expect(withArchived.find((x) => x.id === p.id)).toEqual(archived);
    expectError(await call(t.app, w.users.owner, 'GET', url(`/projects/${p.id}`)), 404, 'not_found');
    expect(await ok<ProjectDto>(t.app, w.users.owner, 'GET', url(`/projects/${p.id}?archived=true`))).toEqual(archived);

    // Read-only: the project, its tasks, their comments; moving a task into it.
    expectError(await call(t.app, w.users.editor, 'PATCH', url(`/projects/${p.id}`), { name: 'Renamed' }), 409, 'conflict');
    expectError(await call(t.app, w.users.editor, 'PATCH', url(`/projects/${p.id}`), { archived: true }), 409, 'conflict');
    expectError(await call(t.app, w.users.editor, 'DELETE', url(`/projects/${p.id}`)), 404, 'not_found');
    expectError(await call(t.app, w.users.member, 'POST', url('/tasks'), { projectId: p.id, title: 'New' }), 409, 'conflict');
    expectError(await call(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), { title: 'Changed' }), 409, 'conflict');
    expectError(await call(t.app, w.users.member, 'DELETE', url(`/tasks/${task.id}`)), 409, 'conflict');
    expectError(await call(t.app, w.users.member, 'PATCH', url(`/tasks/${elsewhere.id}`), { projectId: p.id }), 409, 'conflict');
    expectError(await call(t.app, w.users.member, 'POST', url(`/tasks/${task.id}/comments`), { body: 'more' }), 409, 'conflict');
    expectError(await call(t.app, w.users.member, 'DELETE', url(`/tasks/${task.id}/comments/${comment.id}`)), 409, 'conflict');

    // Nothing changed, and everything can still be read.
    expect(await getTaskApi(t.app, w.users.viewer, T, task.id)).toEqual(task);
    expect(await getTaskApi(t.app, w.users.viewer, T, elsewhere.id)).toEqual(elsewhere);
    expect(await ok<CommentDto[]>(t.app, w.users.viewer, 'GET', url(`/tasks/${task.id}/comments`))).toEqual([comment]);
    expect(await ok<ProjectDto>(t.app, w.users.owner, 'GET', url(`/projects/${p.id}?archived=true`))).toEqual(archived);

    // Restore: visible and writable again, and it takes its plan slot back.
    const restored = await ok<ProjectDto>(t.app, w.users.editor, 'PATCH', url(`/projects/${p.id}`), { archived: false });
    expect(restored).toMatchObject({ id: p.id, name: 'Old stuff', archived: false, archivedAt: null });
    expect(await usageOf(t, T, 'projects')).toBe(usage);
    expect((await ok<ProjectDto[]>(t.app, w.users.owner, 'GET', url('/projects'))).map((x) => x.id)).toContain(p.id);
    expect(await ok<TaskDto>(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), { title: 'Changed' })).toMatchObject({
      title: 'Changed',
      version: 2,
    });

    // PATCH {archived: true} archives too.
    expect(await ok<ProjectDto>(t.app, w.users.editor, 'PATCH', url(`/projects/${p.id}`), { archived: true })).toMatchObject({
      archived: true,
    });
    expect(await usageOf(t, T, 'projects')).toBe(usage - 1);

    const actions = (await auditFor(t, T, p.id)).map((a) => a.action);
    expect(actions).toEqual(['project.created', 'project.archived', 'project.restored', 'project.archived']);
  });
});

describe('tasks', () => {
  it('are created with defaults, or with every field', async () => {
    const res = await call<TaskDto>(t.app, w.users.member, 'POST', url('/tasks'), { projectId: main.id, title: '  Minimal  ' });
    expect(res.status).toBe(201);
    const min = res.body.data;
    expect(res.headers.etag).toBe(`"${min.id}.1"`);
    expect(min).toMatchObject({
      projectId: main.id,
      title: 'Minimal',
      description: '',
      status: 'todo',
      priority: 'medium',
      dueDate: null,
      assigneeId: null,
      labels: [],
      version: 1,
      createdBy: w.users.member.id,
      completedAt: null,
    });
    expect(min.id).toMatch(/^task_/);
    expect(typeof min.position).toBe('number');
    expect(min.createdAt).toBe(min.updatedAt);

    // New tasks go to the end of their status column.
    const next = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Next' });
    expect(next.position).toBeGreaterThan(min.position);

    const full = await createTaskApi(t.app, w.users.editor, T, {
      projectId: main.id,
      title: 'Everything',
      description: '# Heading\n\nSome *markdown* ✓ — ünïcödé',
      status: 'in_progress',
      priority: 'urgent',
      dueDate: '2030-01-15',
      assigneeId: w.users.member.id,
      labels: ['backend', 'bug'],
      position: 5.5,
    });
    expect(full).toMatchObject({
      title: 'Everything',
      description: '# Heading\n\nSome *markdown* ✓ — ünïcödé',
      status: 'in_progress',
      priority: 'urgent',
      dueDate: '2030-01-15',
      assigneeId: w.users.member.id,
      labels: ['backend', 'bug'],
      position: 5.5,
      createdBy: w.users.editor.id,
      completedAt: null,
    });

    const done = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Already done', status: 'done' });
    expect(done.completedAt).not.toBeNull();

    const got = await call<TaskDto>(t.app, w.users.viewer, 'GET', url(`/tasks/${full.id}`));
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual(full);
    expect(got.headers.etag).toBe(`"${full.id}.1"`);

    // Extra fields in a create body are ignored, not stored.
    const extra = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Extra', tenantId: 'ten_other', version: 99 });
    expect(extra.version).toBe(1);
  });

  it('are changed: version and ETag advance, completedAt follows the status, only changed fields are recorded', async () => {
    const task = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Change me', priority: 'low' });
    await sleep(2);
    const res = await call<TaskDto>(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), {
      title: 'Change me',
      priority: 'high',
      labels: ['x'],
      dueDate: '2031-02-03',
    });
    expect(res.status).toBe(200);
    const v2 = res.body.data;
    expect(res.headers.etag).toBe(`"${task.id}.2"`);
    expect(v2).toMatchObject({ version: 2, priority: 'high', labels: ['x'], dueDate: '2031-02-03', createdAt: task.createdAt });
    expect(v2.updatedAt > task.updatedAt).toBe(true);

    const done = await ok<TaskDto>(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), { status: 'done' });
    expect(done.completedAt).not.toBeNull();
    const reopened = await ok<TaskDto>(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), {
      status: 'todo',
      dueDate: null,
      labels: [],
    });
    expect(reopened).toMatchObject({ status: 'todo', completedAt: null, dueDate: null, labels: [], version: 4 });

    const assigned = await ok<TaskDto>(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), { assigneeId: w.users.editor.id });
    expect(assigned.assigneeId).toBe(w.users.editor.id);
    const other = await createProjectApi(t.app, w.users.editor, T, { name: 'Other' });
    const moved = await ok<TaskDto>(t.app, w.users.editor, 'PATCH', url(`/tasks/${task.id}`), { projectId: other.id, position: -3 });
    expect(moved).toMatchObject({ projectId: other.id, position: -3, version: 6 });

    const audit = await auditFor(t, T, task.id);
    expect(actionsByRequest(audit)).toEqual([
      'task.created',
      'task.updated',
      'task.status_changed+task.updated',
      'task.status_changed+task.updated',
      'task.assigned+task.updated',
      'task.updated',
    ]);
    const metadata = (action: string) => audit.filter((a) => a.action === action).map((a) => a.metadata);
    // The changed fields, in any order; a field sent with its current value (title) is not one.
    expect(metadata('task.updated').map((m) => [...(m.changed as string[])].sort())).toEqual([
      ['dueDate', 'labels', 'priority'],
      ['status'],
      ['dueDate', 'labels', 'status'],
      ['assigneeId'],
      ['position', 'projectId'],
    ]);
    expect(metadata('task.status_changed')).toEqual([
      { from: 'todo', to: 'done' },
      { from: 'done', to: 'todo' },
    ]);
    expect(metadata('task.assigned')).toEqual([{ from: null, to: w.users.editor.id }]);
  });

  it('are deleted, with their comments, and give their plan slot back', async () => {
    const task = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Delete me' });
    const comment = await ok<CommentDto>(t.app, w.users.member, 'POST', url(`/tasks/${task.id}/comments`), { body: 'bye' });
    const usage = await usageOf(t, T, 'tasks');
    const res = await call(t.app, w.users.member, 'DELETE', url(`/tasks/${task.id}`));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: task.id, deleted: true });
    expect(await usageOf(t, T, 'tasks')).toBe(usage - 1);
    expectError(await call(t.app, w.users.owner, 'GET', url(`/tasks/${task.id}`)), 404, 'not_found');
    expectError(await call(t.app, w.users.owner, 'DELETE', url(`/tasks/${task.id}`)), 404, 'not_found');
    expectError(await call(t.app, w.users.owner, 'GET', url(`/tasks/${task.id}/comments`)), 404, 'not_found');
    expect((await auditFor(t, T, comment.id)).map((a) => a.action)).toEqual(['comment.created']);
    const audit = await auditFor(t, T, task.id);
    expect(audit.map((a) => a.action)).toEqual(['task.created', 'task.deleted']);
    expect(audit[1]?.metadata).toEqual({ title: 'Delete me' });
  });

  it('reject invalid bodies and queries with the field that is wrong, and change nothing', async () => {
    const before = await countTasks(t, T);
    const p = main.id;
    const createCases: [unknown, string][] = [
      [{}, 'projectId'],
      [{ title: 'No project' }, 'projectId'],
      [{ projectId: p }, 'title'],
      [{ projectId: p, title: '' }, 'title'],
      [{ projectId: p, title: '   ' }, 'title'],
      [{ projectId: p, title: 'x'.repeat(201) }, 'title'],
      [{ projectId: p, title: 12 }, 'title'],
      [{ projectId: p, title: 'nul \u0000' }, 'title'],
      [{ projectId: p, title: 'ok', description: 'x'.repeat(10_001) }, 'description'],
      [{ projectId: p, title: 'ok', description: null }, 'description'],
      [{ projectId: p, title: 'ok', status: 'blocked' }, 'status'],
      [{ projectId: p, title: 'ok', priority: 'critical' }, 'priority'],
      [{ projectId: p, title: 'ok', dueDate: '2024-13-01' }, 'dueDate'],
      [{ projectId: p, title: 'ok', dueDate: '2023-02-29' }, 'dueDate'],
      [{ projectId: p, title: 'ok', dueDate: '15.01.2030' }, 'dueDate'],
      [{ projectId: p, title: 'ok', dueDate: '0000-01-01' }, 'dueDate'],
      [{ projectId: p, title: 'ok', dueDate: '2030-01-15T10:00:00Z' }, 'dueDate'],
      [{ projectId: p, title: 'ok', labels: 'bug' }, 'labels'],
      [{ projectId: p, title: 'ok', labels: Array.from({ length: 11 }, (_, i) => `l${i}`) }, 'labels'],
      [{ projectId: p, title: 'ok', labels: ['x'.repeat(33)] }, 'labels.0'],
      [{ projectId: p, title: 'ok', labels: ['ok', ''] }, 'labels.1'],
      [{ projectId: p, title: 'ok', labels: ['a,b'] }, 'labels.0'],
      [{ projectId: p, title: 'ok', labels: ['dup', 'dup'] }, 'labels'],
      [{ projectId: p, title: 'ok', position: 'first' }, 'position'],
      [{ projectId: p, title: 'ok', position: 1e13 }, 'position'],
      [{ projectId: p, title: 'ok', assigneeId: 42 }, 'assigneeId'],
      // Business validation: references that do not resolve in this workspace.
      [{ projectId: 'prj_nope', title: 'ok' }, 'projectId'],
      [{ projectId: p, title: 'ok', assigneeId: 'usr_nobody' }, 'assigneeId'],
    ];
    for (const [body, path] of createCases) expectValidation(await call(t.app, w.users.member, 'POST', url('/tasks'), body), path);
    expectValidation(await call(t.app, w.users.member, 'POST', url('/tasks'), '[1,2]'), '(root)');
    expectError(await call(t.app, w.users.member, 'POST', url('/tasks'), '{"projectId":'), 400, 'validation_error');

    const task = await createTaskApi(t.app, w.users.member, T, { projectId: p, title: 'Valid' });
    const patchCases: [unknown, string][] = [
      [{}, '(root)'],
      [{ bogus: 1 }, '(root)'],
      [{ title: '' }, 'title'],
      [{ status: 'nope' }, 'status'],
      [{ labels: [1] }, 'labels.0'],
      [{ dueDate: 'tomorrow' }, 'dueDate'],
      [{ projectId: 'prj_nope' }, 'projectId'],
      [{ assigneeId: 'usr_nobody' }, 'assigneeId'],
    ];
    for (const [body, path] of patchCases) {
      expectValidation(await call(t.app, w.users.member, 'PATCH', url(`/tasks/${task.id}`), body), path);
    }
    expect(await getTaskApi(t.app, w.users.member, T, task.id)).toEqual(task);
    expect(await countTasks(t, T)).toBe(before + 1);

    const queryCases: [string, string][] = [
      ['status=blocked', 'status'],
      ['priority=critical', 'priority'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=2.5', 'limit'],
      ['sort=bogus', 'sort'],
      ['sort=rank', 'sort'],
      ['dueBefore=2024-02-30', 'dueBefore'],
      ['dueAfter=soon', 'dueAfter'],
      ['q=', 'q'],
      ['q=%20%20', 'q'],
      ['label=a,b', 'label'],
      ['cursor=!!!', 'cursor'],
      [`q=${'x'.repeat(201)}`, 'q'],
    ];
    for (const [qs, path] of queryCases) expectValidation(await call(t.app, w.users.member, 'GET', url(`/tasks?${qs}`)), path);
  });
});

describe('filters, sorts and search', () => {
  let project: ProjectDto;
  let fixture: TaskDto[];
  let all: TaskDto[];

  beforeAll(async () => {
    project = await createProjectApi(t.app, w.users.editor, T, { name: 'Board' });
    const { owner, editor, member, guest } = w.users;
    // Titles start with distinct letters (so any collation orders them the same way), except one pair
    // that differs only in case: equal for the title sort, which then falls back to the id.
    const specs: [typeof owner, Record<string, unknown>][] = [
      [editor, { title: 'Alpha report', status: 'todo', priority: 'low', dueDate: '2030-03-01', labels: ['docs'], position: 10 }],
      [member, { title: 'bravo cleanup', status: 'in_progress', priority: 'urgent', assigneeId: member.id, labels: ['bug', 'backend'] }],
      [owner, { title: 'Charlie launch', status: 'done', priority: 'high', dueDate: '2030-01-10', assigneeId: guest.id, position: 10 }],
      [editor, { title: 'Delta sync', status: 'todo', priority: 'medium', dueDate: '2030-01-10', labels: ['backend'] }],
      [member, { title: 'delta sync', status: 'canceled', priority: 'medium', assigneeId: editor.id, labels: ['bug'] }],
      [editor, { title: 'Echo metrics', status: 'todo', priority: 'high', dueDate: '2030-02-15', assigneeId: member.id, position: -5 }],
      [owner, { title: 'Foxtrot review', status: 'in_progress', priority: 'low', dueDate: '2029-12-31', labels: ['docs', 'bug'] }],
      [member, { title: 'Golf outing', status: 'done', priority: 'urgent', dueDate: '2030-03-01', assigneeId: member.id }],
      [editor, { title: 'hotel booking', status: 'todo', priority: 'medium', assigneeId: guest.id, position: 2.25 }],
      [owner, { title: 'India expansion', status: 'canceled', priority: 'high', dueDate: '2030-01-11', labels: ['strategy'] }],
    ];
    fixture = [];
    for (const [user, spec] of specs) fixture.push(await createTaskApi(t.app, user, T, { projectId: project.id, ...spec }));
    // Changes in a known order: these become the most recently updated, in this order.
    await sleep(5);
    for (const i of [6, 1, 8]) {
      const task = fixture[i] as TaskDto;
      fixture[i] = await ok<TaskDto>(t.app, w.users.owner, 'PATCH', url(`/tasks/${task.id}`), { description: `Updated ${i}` });
    }
    all = await listAll(t.app, w.users.owner, T);
  }, 180_000);

  const ids = (tasks: TaskDto[]) => tasks.map((x) => x.id);
  const sorted = (tasks: TaskDto[]) => ids(tasks).sort();

  it('every filter returns exactly the matching tasks', async () => {
    const { member, editor, guest } = w.users;
    const cases: [Record<string, string>, (x: TaskDto) => boolean][] = [
      [{ projectId: project.id }, (x) => x.projectId === project.id],
      [{ status: 'todo' }, (x) => x.status === 'todo'],
      [{ status: 'canceled' }, (x) => x.status === 'canceled'],
      [{ priority: 'urgent' }, (x) => x.priority === 'urgent'],
      [{ priority: 'medium' }, (x) => x.priority === 'medium'],
      [{ assigneeId: member.id }, (x) => x.assigneeId === member.id],
      [{ assigneeId: guest.id }, (x) => x.assigneeId === guest.id],
      [{ label: 'bug' }, (x) => x.labels.includes('bug')],
      [{ label: 'backend' }, (x) => x.labels.includes('backend')],
      [{ label: 'nothing-has-this' }, () => false],
      [{ dueBefore: '2030-01-10' }, (x) => x.dueDate !== null && x.dueDate <= '2030-01-10'],
      [{ dueAfter: '2030-01-11' }, (x) => x.dueDate !== null && x.dueDate >= '2030-01-11'],
      [
        { dueAfter: '2030-01-10', dueBefore: '2030-02-15' },
        (x) => x.dueDate !== null && x.dueDate >= '2030-01-10' && x.dueDate <= '2030-02-15',
      ],
      [
        { projectId: project.id, status: 'todo', priority: 'medium', label: 'backend' },
        (x) => x.projectId === project.id && x.status === 'todo' && x.priority === 'medium' && x.labels.includes('backend'),
      ],
      [
        { assigneeId: member.id, dueAfter: '2030-01-01', status: 'done' },
        (x) => x.assigneeId === member.id && x.dueDate !== null && x.dueDate >= '2030-01-01' && x.status === 'done',
      ],
      [{ assigneeId: editor.id, projectId: project.id }, (x) => x.assigneeId === editor.id && x.projectId === project.id],
    ];
    for (const [query, predicate] of cases) {
      const expected = sorted(all.filter(predicate));
      const got = await listAll(t.app, w.users.viewer, T, query, 3);
      expect(sorted(got), JSON.stringify(query)).toEqual(expected);
      // The fixture was built so that most filters match something.
      if (!query.label?.startsWith('nothing')) expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
    }
  });

  it('every sort orders as documented, id breaking ties, stable across pages of any size', { timeout: 120_000 }, async () => {
    const order = await dbOrderOfIds(t, T, ids(fixture));
    const created = new Map(fixture.map((x, i) => [x.id, i]));
    const updatedOrder = [6, 1, 8].map((i) => (fixture[i] as TaskDto).id);
    const rankOf = { low: 1, medium: 2, high: 3, urgent: 4 } as const;
    const keyOf: Record<string, (x: TaskDto) => string | number> = {
      createdAt: (x) => created.get(x.id) as number,
      // Not updated: as created; updated: after all of those, in the order they were changed.
      updatedAt: (x) => (updatedOrder.includes(x.id) ? 1000 + updatedOrder.indexOf(x.id) : (created.get(x.id) as number)),
      dueDate: (x) => x.dueDate ?? '9999-12-31',
      priority: (x) => rankOf[x.priority],
      position: (x) => x.position,
      title: (x) => x.title.toLowerCase(),
    };
    for (const sort of TASK_SORTS) {
      const desc = sort.startsWith('-');
      const key = keyOf[sort.replace(/^-/, '')] as (x: TaskDto) => string | number;
      const expected = [...fixture].sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        const c = ka < kb ? -1 : ka > kb ? 1 : (order.get(a.id) as number) - (order.get(b.id) as number);
        return desc ? -c : c;
      });
      for (const limit of [1, 3, 100]) {
        const got = await listAll(t.app, w.users.viewer, T, { projectId: project.id, sort }, limit);
        expect(ids(got), `sort=${sort} limit=${limit}`).toEqual(ids(expected));
      }
    }
    // Ties exist for these keys, so the id tie-break above was exercised.
    expect(new Set(fixture.map((x) => x.priority)).size).toBeLessThan(fixture.length);
    expect(new Set(fixture.map((x) => x.title.toLowerCase())).size).toBeLessThan(fixture.length);
    expect(new Set(fixture.map((x) => x.dueDate)).size).toBeLessThan(fixture.length);
    expect(new Set(fixture.map((x) => x.position)).size).toBeLessThan(fixture.length);
    // Default: newest first.
    expect(ids(await listAll(t.app, w.users.viewer, T, { projectId: project.id }))).toEqual(ids([...fixture].reverse()));
  });

  it('pages carry a cursor until the last one, whose cursor is null', async () => {
    const first = await call<TaskDto[]>(t.app, w.users.viewer, 'GET', url(`/tasks?projectId=${project.id}&limit=4`));
    expect(first.body.data).toHaveLength(4);
    expect(first.body.meta?.nextCursor).toEqual(expect.any(String));
    const exact = await call<TaskDto[]>(t.app, w.users.viewer, 'GET', url(`/tasks?projectId=${project.id}&limit=10`));
    expect(exact.body.data).toHaveLength(10);
    expect(exact.body.meta?.nextCursor).toBeNull();
    const dflt = await call<TaskDto[]>(t.app, w.users.viewer, 'GET', url('/tasks'));
    expect(dflt.body.data).toHaveLength(Math.min(20, all.length));
  });

  describe('search', () => {
    let s: Record<'titleBudget' | 'descBudget' | 'onlyTitleWord' | 'unrelated' | 'reviewTitle', TaskDto>;
    let sp: ProjectDto;
    beforeAll(async () => {
      sp = await createProjectApi(t.app, w.users.editor, T, { name: 'Search' });
      const mk = (title: string, description: string) => createTaskApi(t.app, w.users.member, T, { projectId: sp.id, title, description });
      s = {
        // Created first, so "newest first" would put it last: rank must beat creation order.
        titleBudget: await mk('Quarterly budget review', 'Numbers for the board meeting'),
        descBudget: await mk('Prepare slides', 'Include the budget overview and review the open numbers'),
        onlyTitleWord: await mk('Budget', ''),
        unrelated: await mk('Team offsite', 'Book the venue and the bus'),
        reviewTitle: await mk('Review contracts', 'Legal needs the budget'),
      };
    }, 180_000);
    // Within the search project: other tasks of the workspace mention "review" too.
    const search = async (q: string, extra: Record<string, string> = {}) =>
      ids(await listAll(t.app, w.users.viewer, T, { q, projectId: sp.id, ...extra }, 2));

    it('ranks title matches above description-only matches', async () => {
      const got = await search('budget');
      expect(new Set(got)).toEqual(new Set([s.titleBudget.id, s.descBudget.id, s.onlyTitleWord.id, s.reviewTitle.id]));
      const titleHits = [s.titleBudget.id, s.onlyTitleWord.id].map((id) => got.indexOf(id));
      const descHits = [s.descBudget.id, s.reviewTitle.id].map((id) => got.indexOf(id));
      expect(Math.max(...titleHits)).toBeLessThan(Math.min(...descHits));
      // Same order in one page as across pages of 2 (the rank cursor is stable).
      expect(ids(await listAll(t.app, w.users.viewer, T, { q: 'budget', projectId: sp.id }, 100))).toEqual(got);
      expect(ids(await listAll(t.app, w.users.viewer, T, { q: 'budget', projectId: sp.id, sort: 'rank' }, 100))).toEqual(got);
    });

    it('multi-word queries need every word (stemmed), phrases and exclusions work', async () => {
      const both = await search('budget review');
      expect(new Set(both)).toEqual(new Set([s.titleBudget.id, s.descBudget.id, s.reviewTitle.id]));
      expect(both[0]).toBe(s.titleBudget.id); // both words in the title
      expect(new Set(await search('reviews'))).toEqual(new Set([s.titleBudget.id, s.descBudget.id, s.reviewTitle.id]));
      expect(await search('"budget review"')).toEqual([s.titleBudget.id]);
      expect(new Set(await search('budget -quarterly'))).toEqual(new Set([s.descBudget.id, s.onlyTitleWord.id, s.reviewTitle.id]));
      expect(new Set(await search('BUDGET Venue or offsite'))).toEqual(new Set([s.unrelated.id]));
    });

    it('no match gives an empty page; q combines with filters and other sorts', async () => {
      const none = await call<TaskDto[]>(t.app, w.users.viewer, 'GET', url('/tasks?q=zebra'));
      expect(none.status).toBe(200);
      expect(none.body.data).toEqual([]);
      expect(none.body.meta?.nextCursor).toBeNull();
      expect(await search('the')).toEqual([]); // only a stop word
      expect(await search('budget', { status: 'done' })).toEqual([]);
      expect(await search('budget', { sort: 'title' })).toEqual([s.onlyTitleWord.id, s.descBudget.id, s.titleBudget.id, s.reviewTitle.id]);
    });
  });
});

describe('comments', () => {
  it('are added, listed oldest first and deleted by their author or an editor', async () => {
    const task = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Discuss' });
    const res = await call<CommentDto>(t.app, w.users.member, 'POST', url(`/tasks/${task.id}/comments`), { body: '  First!  ' });
    expect(res.status).toBe(201);
    const first = res.body.data;
    expect(first).toMatchObject({ taskId: task.id, authorId: w.users.member.id, body: 'First!' });
    expect(first.id).toMatch(/^cmt_/);
    const second = await ok<CommentDto>(t.app, w.users.editor, 'POST', url(`/tasks/${task.id}/comments`), { body: 'Second' });
    const third = await ok<CommentDto>(t.app, w.users.member, 'POST', url(`/tasks/${task.id}/comments`), { body: 'Third' });
    expect(await ok<CommentDto[]>(t.app, w.users.viewer, 'GET', url(`/tasks/${task.id}/comments`))).toEqual([first, second, third]);

    // A member may delete their own comment, not someone else's; an editor may delete anyone's.
    expectError(await call(t.app, w.users.member, 'DELETE', url(`/tasks/${task.id}/comments/${second.id}`)), 403, 'forbidden');
    expect(await ok(t.app, w.users.member, 'DELETE', url(`/tasks/${task.id}/comments/${first.id}`))).toEqual({
      id: first.id,
      deleted: true,
    });
    expect(await ok(t.app, w.users.editor, 'DELETE', url(`/tasks/${task.id}/comments/${third.id}`))).toEqual({
      id: third.id,
      deleted: true,
    });
    expectError(await call(t.app, w.users.member, 'DELETE', url(`/tasks/${task.id}/comments/${first.id}`)), 404, 'not_found');
    expect(await ok<CommentDto[]>(t.app, w.users.viewer, 'GET', url(`/tasks/${task.id}/comments`))).toEqual([second]);

    // A comment is only reachable under its own task.
    const other = await createTaskApi(t.app, w.users.member, T, { projectId: main.id, title: 'Other' });
    expectError(await call(t.app, w.users.editor, 'DELETE', url(`/tasks/${other.id}/comments/${second.id}`)), 404, 'not_found');
    expectError(await call(t.app, w.users.member, 'POST', url('/tasks/task_nope/comments'), { body: 'x' }), 404, 'not_found');
    expectError(await call(t.app, w.users.member, 'GET', url('/tasks/task_nope/comments')), 404, 'not_found');

    for (const [body, path] of [
      [{}, 'body'],
      [{ body: '' }, 'body'],
      [{ body: '   ' }, 'body'],
      [{ body: 'x'.repeat(10_001) }, 'body'],
      [{ body: 5 }, 'body'],
      [{ body: 'a\u0000' }, 'body'],
    ] as const) {
      expectValidation(await call(t.app, w.users.member, 'POST', url(`/tasks/${task.id}/comments`), body), path);
    }
    expect(await ok<CommentDto[]>(t.app, w.users.viewer, 'GET', url(`/tasks/${task.id}/comments`))).toEqual([second]);
  });
});

describe('audit', () => {
  it('every change writes one row with its actor, request id and details, in the same request', async () => {
    const { editor, member } = w.users;
    const steps: { res: Res; action: string; target: () => string; actor: string; metadata?: Record<string, unknown> }[] = [];
    const step = async (
      user: typeof editor,
      method: 'POST' | 'PATCH' | 'DELETE',
      path: string,
      body: unknown,
      action: string,
      target: () => string,
      metadata?: Record<string, unknown>,
    ) => {
      const res = await call(t.app, user, method, url(path), body);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      steps.push({ res, action, target, actor: user.id, metadata });
      return res.body.data as { id: string };
    };
    const project = await step(editor, 'POST', '/projects', { name: 'Audited' }, 'project.created', () => project.id, { name: 'Audited' });
    await step(editor, 'PATCH', `/projects/${project.id}`, { name: 'Audited 2' }, 'project.updated', () => project.id, {
      changed: ['name'],
    });
    const task = await step(member, 'POST', '/tasks', { projectId: project.id, title: 'A' }, 'task.created', () => task.id, {
      projectId: project.id,
      title: 'A',
    });
    await step(member, 'PATCH', `/tasks/${task.id}`, { title: 'B' }, 'task.updated', () => task.id, { changed: ['title'] });
    await step(member, 'PATCH', `/tasks/${task.id}`, { status: 'in_progress' }, 'task.status_changed', () => task.id, {
      from: 'todo',
      to: 'in_progress',
    });
    await step(editor, 'PATCH', `/tasks/${task.id}`, { assigneeId: member.id }, 'task.assigned', () => task.id, {
      from: null,
      to: member.id,
    });
    const comment = await step(member, 'POST', `/tasks/${task.id}/comments`, { body: 'Hi' }, 'comment.created', () => comment.id, {
      taskId: task.id,
    });
    await step(member, 'DELETE', `/tasks/${task.id}/comments/${comment.id}`, undefined, 'comment.deleted', () => comment.id, {
      taskId: task.id,
    });
    await step(member, 'DELETE', `/tasks/${task.id}`, undefined, 'task.deleted', () => task.id, { title: 'B' });
    await step(editor, 'DELETE', `/projects/${project.id}`, undefined, 'project.archived', () => project.id);
    await step(editor, 'PATCH', `/projects/${project.id}`, { archived: false }, 'project.restored', () => project.id, {
      changed: ['archived'],
    });

    for (const s of steps) {
      const rows = (await auditFor(t, T, s.target())).filter((a) => a.requestId === s.res.requestId);
      const row = rows.find((a) => a.action === s.action);
      expect(row, `${s.action} of request ${s.res.requestId}`).toBeDefined();
      expect(row).toMatchObject({ actorType: 'user', actorId: s.actor, tenantId: T, userAgent: 'lightMyRequest' });
      if (s.metadata) expect(row?.metadata, s.action).toEqual(s.metadata);
    }
    // One change, one request: the status change and the assignment come with their task.updated row.
    expect(actionsByRequest(await auditFor(t, T, task.id))).toEqual([
      'task.created',
      'task.updated',
      'task.status_changed+task.updated',
      'task.assigned+task.updated',
      'task.deleted',
    ]);
  });
});

describe('factories', () => {
  it('realistic drafts from the seed factories are valid task bodies', async () => {
    const rng = randomSource(7);
    for (let i = 0; i < 15; i++) {
      const draft = taskDraft(rng, { projectId: main.id, assigneeIds: [null, w.users.member.id, w.users.guest.id] });
      const task = await createTaskApi(t.app, w.users.editor, T, draft as unknown as Record<string, unknown>);
      expect(task).toMatchObject({ ...draft, description: draft.description ?? '' });
    }
  });
});
