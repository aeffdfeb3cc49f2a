/**
 * Who may do what in the task workspace, role by role: reading, creating, changing and deleting
 * their own tasks (created by or assigned to them) and other people's, commenting and deleting
 * comments, changing projects. Guests see only their own tasks (others' are 404 to them, also in
 * lists); viewers read everything and write nothing (403). Every refused request leaves the data as
 * it was. Then broken object-level authorization: a member of tenant A aims A's routes at tenant B's
 * project, task and comment ids (in the path and in bodies) and gets 404 (or 400 for a body
 * reference), and B's data stays exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant, createWorkspace, type RoleName, type Workspace } from '../helpers/workspace.ts';
import {
  type CommentDto,
  call,
  countTasks,
  createProjectApi,
  createTaskApi,
  expectError,
  expectValidation,
  getTaskApi,
  listAll,
  ok,
  type ProjectDto,
  type Res,
  setPlan,
  snapshot,
  type TaskDto,
  tenantUrl,
} from './support.ts';

const ROLES: RoleName[] = ['owner', 'admin', 'editor', 'member', 'viewer', 'guest'];

/** The permission table under test, per role. */
const may: Record<
  RoleName,
  { readAll: boolean; create: boolean; writeOwn: boolean; writeAll: boolean; comment: boolean; project: boolean }
> = {
  owner: { readAll: true, create: true, writeOwn: true, writeAll: true, comment: true, project: true },
  admin: { readAll: true, create: true, writeOwn: true, writeAll: true, comment: true, project: true },
  editor: { readAll: true, create: true, writeOwn: true, writeAll: true, comment: true, project: true },
  member: { readAll: true, create: true, writeOwn: true, writeAll: false, comment: true, project: false },
  viewer: { readAll: true, create: false, writeOwn: false, writeAll: false, comment: false, project: false },
  guest: { readAll: false, create: false, writeOwn: true, writeAll: false, comment: true, project: false },
};

let t: TestApp;
let w: Workspace;
let A: string;
let project: ProjectDto;

const url = (rest: string) => tenantUrl(A, rest);
const user = (role: RoleName) => w.users[role];
/** Someone else who can create tasks, to make tasks that are not `role`'s own. */
const otherThan = (role: RoleName): TestUser => (role === 'owner' ? w.users.admin : w.users.owner);

function expectStatus(res: Res, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

/** A task of someone else's that `role` is not involved in. */
const othersTask = (role: RoleName, title = 'Foreign pineapple') =>
  createTaskApi(t.app, otherThan(role), A, { projectId: project.id, title, assigneeId: null });
/** Someone else's task assigned to `role`: theirs through the assignment. */
const assignedTask = (role: RoleName, title = 'Assigned pineapple') =>
  createTaskApi(t.app, otherThan(role), A, { projectId: project.id, title, assigneeId: user(role).id });

/** The task as its creator's workspace owner sees it now. */
const current = (id: string) => getTaskApi(t.app, w.users.owner, A, id);

beforeAll(async () => {
  t = await startTestApp({ work: true });
  w = await createWorkspace(t.app, 'Tenant A');
  A = w.tenantId;
  await setPlan(t, A, 'pro');
  project = await createProjectApi(t.app, w.users.editor, A, { name: 'Work' });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe.each(ROLES)('%s', (role) => {
  const p = may[role];

  it(`reads ${p.readAll ? 'every task' : 'only its own tasks (others are 404)'}, in lists too`, async () => {
    const own = await assignedTask(role);
    const others = await othersTask(role);
    expect(await getTaskApi(t.app, user(role), A, own.id)).toEqual(own);
    const res = await call<TaskDto>(t.app, user(role), 'GET', url(`/tasks/${others.id}`));
    if (p.readAll) expect(res.body.data).toEqual(others);
    else expectError(res, 404, 'not_found');
    expectStatus(await call(t.app, user(role), 'GET', url(`/tasks/${others.id}/comments`)), p.readAll ? 200 : 404);

    const everything = await listAll(t.app, w.users.owner, A);
    const visible = await listAll(t.app, user(role), A, {}, 7);
    const id = user(role).id;
    const expected = p.readAll ? everything : everything.filter((x) => x.createdBy === id || x.assigneeId === id);
    expect(visible.map((x) => x.id).sort()).toEqual(expected.map((x) => x.id).sort());
    expect(visible.map((x) => x.id)).toContain(own.id);
    if (!p.readAll) {
      expect(visible.map((x) => x.id)).not.toContain(others.id);
      // Filters and search never widen it.
      expect(await listAll(t.app, user(role), A, { assigneeId: w.users.owner.id })).toEqual([]);
      const found = (await listAll(t.app, user(role), A, { q: 'pineapple' })).map((x) => x.id);
      expect(found).toContain(own.id);
      expect(found).not.toContain(others.id);
    }
    // Projects are readable by every role.
    expect((await ok<ProjectDto[]>(t.app, user(role), 'GET', url('/projects'))).map((x) => x.id)).toContain(project.id);
    expect(await ok<ProjectDto>(t.app, user(role), 'GET', url(`/projects/${project.id}`))).toEqual(project);
  });

  it(p.create ? 'creates tasks' : 'cannot create tasks (403), and none is created', async () => {
    const before = await countTasks(t, A);
    const res = await call<TaskDto>(t.app, user(role), 'POST', url('/tasks'), { projectId: project.id, title: `By ${role}` });
    if (p.create) {
      expectStatus(res, 201);
      expect(res.body.data.createdBy).toBe(user(role).id);
      expect(await countTasks(t, A)).toBe(before + 1);
    } else {
      expectError(res, 403, 'forbidden');
      expect(await countTasks(t, A)).toBe(before);
    }
  });

  it(`${p.writeOwn ? 'changes and deletes' : 'cannot change or delete (403)'} its own tasks`, async () => {
    const owned: TaskDto[] = [await assignedTask(role)];
    if (p.create) owned.push(await createTaskApi(t.app, user(role), A, { projectId: project.id, title: `Made by ${role}` }));
    for (const task of owned) {
      const patched = await call<TaskDto>(t.app, user(role), 'PATCH', url(`/tasks/${task.id}`), { title: 'Mine, changed', status: 'done' });
      if (p.writeOwn) {
        expectStatus(patched, 200);
        expect(patched.body.data).toMatchObject({ title: 'Mine, changed', status: 'done', version: 2 });
        expectStatus(await call(t.app, user(role), 'DELETE', url(`/tasks/${task.id}`)), 200);
        expectError(await call(t.app, w.users.owner, 'GET', url(`/tasks/${task.id}`)), 404, 'not_found');
      } else {
        expectError(patched, 403, 'forbidden');
        expectError(await call(t.app, user(role), 'DELETE', url(`/tasks/${task.id}`)), 403, 'forbidden');
        expect(await current(task.id)).toEqual(task);
      }
    }
  });

  it(`${p.writeAll ? 'changes and deletes' : 'cannot change or delete'} other people's tasks`, async () => {
    const task = await othersTask(role);
    const patched = await call<TaskDto>(t.app, user(role), 'PATCH', url(`/tasks/${task.id}`), { priority: 'urgent' });
    const deny = p.readAll ? 403 : 404;
    if (p.writeAll) {
      expectStatus(patched, 200);
      expect(patched.body.data).toMatchObject({ priority: 'urgent', version: 2 });
      expectStatus(await call(t.app, user(role), 'DELETE', url(`/tasks/${task.id}`)), 200);
      expectError(await call(t.app, w.users.owner, 'GET', url(`/tasks/${task.id}`)), 404, 'not_found');
    } else {
      expectError(patched, deny, deny === 403 ? 'forbidden' : 'not_found');
      expectError(await call(t.app, user(role), 'DELETE', url(`/tasks/${task.id}`)), deny, deny === 403 ? 'forbidden' : 'not_found');
      expect(await current(task.id)).toEqual(task);
    }
  });

  it(`comments: ${p.comment ? 'adds' : 'cannot add'}; deletes its own; others' only with task:write:all`, async () => {
    const own = await assignedTask(role);
    const others = await othersTask(role);
    const onOwn = await call<CommentDto>(t.app, user(role), 'POST', url(`/tasks/${own.id}/comments`), { body: `from ${role}` });
    const onOthers = await call<CommentDto>(t.app, user(role), 'POST', url(`/tasks/${others.id}/comments`), { body: `from ${role}` });
    if (p.comment) {
      expectStatus(onOwn, 201);
      expect(onOwn.body.data.authorId).toBe(user(role).id);
      // Its own comment: the author may always delete it.
      expectStatus(await call(t.app, user(role), 'DELETE', url(`/tasks/${own.id}/comments/${onOwn.body.data.id}`)), 200);
    } else {
      expectError(onOwn, 403, 'forbidden');
    }
    if (p.comment && p.readAll) expectStatus(onOthers, 201);
    else expectError(onOthers, p.readAll ? 403 : 404, p.readAll ? 'forbidden' : 'not_found');

    // Someone else's comments: on its own task, and on someone else's.
    const author = otherThan(role);
    const theirsOnOwn = await ok<CommentDto>(t.app, author, 'POST', url(`/tasks/${own.id}/comments`), { body: 'theirs' });
    const theirsOnOthers = await ok<CommentDto>(t.app, author, 'POST', url(`/tasks/${others.id}/comments`), { body: 'theirs' });
    const delOnOwn = await call(t.app, user(role), 'DELETE', url(`/tasks/${own.id}/comments/${theirsOnOwn.id}`));
    const delOnOthers = await call(t.app, user(role), 'DELETE', url(`/tasks/${others.id}/comments/${theirsOnOthers.id}`));
    if (p.writeAll) {
      expectStatus(delOnOwn, 200);
      expectStatus(delOnOthers, 200);
    } else {
      expectError(delOnOwn, 403, 'forbidden');
      expectError(delOnOthers, p.readAll ? 403 : 404, p.readAll ? 'forbidden' : 'not_found');
      const left = async (taskId: string) =>
        (await ok<CommentDto[]>(t.app, w.users.owner, 'GET', url(`/tasks/${taskId}/comments`))).map((c) => c.id);
      expect(await left(own.id)).toContain(theirsOnOwn.id);
      expect(await left(others.id)).toContain(theirsOnOthers.id);
    }
  });

  it(p.project ? 'creates, changes, archives and restores projects' : 'cannot change projects (403), and nothing changes', async () => {
    const target = await createProjectApi(t.app, w.users.owner, A, { name: `For ${role}` });
    const created = await call<ProjectDto>(t.app, user(role), 'POST', url('/projects'), { name: `New by ${role}` });
    const patched = await call<ProjectDto>(t.app, user(role), 'PATCH', url(`/projects/${target.id}`), { name: 'Renamed' });
    const archived = await call<ProjectDto>(t.app, user(role), 'DELETE', url(`/projects/${target.id}`));
    if (p.project) {
      expectStatus(created, 201);
      expect(created.body.data.createdBy).toBe(user(role).id);
      expectStatus(patched, 200);
      expectStatus(archived, 200);
      expect(archived.body.data).toMatchObject({ name: 'Renamed', archived: true });
      expectStatus(await call(t.app, user(role), 'PATCH', url(`/projects/${target.id}`), { archived: false }), 200);
    } else {
      expectError(created, 403, 'forbidden');
      expectError(patched, 403, 'forbidden');
      expectError(archived, 403, 'forbidden');
      const all = await ok<ProjectDto[]>(t.app, w.users.owner, 'GET', url('/projects?archived=true'));
      expect(all.find((x) => x.id === target.id)).toEqual(target);
      expect(all.map((x) => x.name)).not.toContain(`New by ${role}`);
    }
  });
});

describe('reassigning', () => {
  it('a member may hand over tasks they created, not tasks merely assigned to them', async () => {
    const { member, editor, admin } = w.users;
    const mine = await createTaskApi(t.app, member, A, { projectId: project.id, title: 'Mine', assigneeId: member.id });
    expect(await ok<TaskDto>(t.app, member, 'PATCH', url(`/tasks/${mine.id}`), { assigneeId: editor.id })).toMatchObject({
      assigneeId: editor.id,
    });
    // Still theirs (they created it): they may take it back.
    expect(await ok<TaskDto>(t.app, member, 'PATCH', url(`/tasks/${mine.id}`), { assigneeId: member.id })).toMatchObject({
      assigneeId: member.id,
    });

    const given = await createTaskApi(t.app, editor, A, { projectId: project.id, title: 'Given', assigneeId: member.id });
    expectError(await call(t.app, member, 'PATCH', url(`/tasks/${given.id}`), { assigneeId: admin.id }), 403, 'forbidden');
    expectError(await call(t.app, member, 'PATCH', url(`/tasks/${given.id}`), { assigneeId: null }), 403, 'forbidden');
    expect(await current(given.id)).toEqual(given);
    // An editor reassigns anything.
    expect(await ok<TaskDto>(t.app, editor, 'PATCH', url(`/tasks/${given.id}`), { assigneeId: admin.id })).toMatchObject({
      assigneeId: admin.id,
    });
  });

  it('a guest works on tasks assigned to them, cannot give them away, and loses them when reassigned', async () => {
    const { guest, member, editor } = w.users;
    const task = await createTaskApi(t.app, editor, A, { projectId: project.id, title: 'For the guest', assigneeId: guest.id });
    const done = await ok<TaskDto>(t.app, guest, 'PATCH', url(`/tasks/${task.id}`), { status: 'done' });
    expectError(await call(t.app, guest, 'PATCH', url(`/tasks/${task.id}`), { assigneeId: member.id }), 403, 'forbidden');
    expectError(await call(t.app, guest, 'PATCH', url(`/tasks/${task.id}`), { assigneeId: null }), 403, 'forbidden');
    expect(await current(task.id)).toEqual(done);

    await ok(t.app, editor, 'PATCH', url(`/tasks/${task.id}`), { assigneeId: member.id });
    expectError(await call(t.app, guest, 'GET', url(`/tasks/${task.id}`)), 404, 'not_found');
    expectError(await call(t.app, guest, 'PATCH', url(`/tasks/${task.id}`), { status: 'todo' }), 404, 'not_found');
    expect((await listAll(t.app, guest, A)).map((x) => x.id)).not.toContain(task.id);
  });

  it('nobody assigns a task to someone outside the workspace', async () => {
    const outsider = await createUser(t.app, { label: 'outsider' });
    const task = await createTaskApi(t.app, w.users.editor, A, { projectId: project.id, title: 'Inside' });
    const before = await snapshot(t, A);
    expectValidation(await call(t.app, w.users.owner, 'PATCH', url(`/tasks/${task.id}`), { assigneeId: outsider.id }), 'assigneeId');
    // The outsider is a user, so the task's insert (sent with the membership check, in the same write)
    // succeeds before the check fails: the rollback must take it, its audit row and its position along.
    expectValidation(
      await call(t.app, w.users.owner, 'POST', url('/tasks'), { projectId: project.id, title: 'x', assigneeId: outsider.id }),
      'assigneeId',
    );
    expect(await current(task.id)).toEqual(task);
    expect(await snapshot(t, A)).toEqual(before);
  });
});

describe('callers who are not members', () => {
  it('without credentials: 401; a signed-in outsider: 404 for everything', async () => {
    const task = await createTaskApi(t.app, w.users.editor, A, { projectId: project.id, title: 'Private' });
    expectError(await call(t.app, null, 'GET', url('/tasks')), 401, 'unauthorized');
    expectError(await call(t.app, null, 'POST', url('/tasks'), { projectId: project.id, title: 'x' }), 401, 'unauthorized');
    const outsider = await createUser(t.app, { label: 'stranger' });
    const attempts: [string, string, unknown?][] = [
      ['GET', '/tasks'],
      ['GET', `/tasks/${task.id}`],
      ['PATCH', `/tasks/${task.id}`, { title: 'x' }],
      ['DELETE', `/tasks/${task.id}`],
      ['GET', `/tasks/${task.id}/comments`],
      ['POST', `/tasks/${task.id}/comments`, { body: 'x' }],
      ['POST', '/tasks', { projectId: project.id, title: 'x' }],
      ['GET', '/projects'],
      ['GET', `/projects/${project.id}`],
      ['PATCH', `/projects/${project.id}`, { name: 'x' }],
      ['POST', '/projects', { name: 'x' }],
    ];
    for (const [method, path, body] of attempts) {
      expectError(await call(t.app, outsider, method as 'GET', url(path), body), 404, 'not_found');
    }
    expect(await current(task.id)).toEqual(task);
  });
});

describe('BOLA: tenant B ids through tenant A', () => {
  let bOwner: TestUser;
  let B: string;
  let bProject: ProjectDto;
  let bTask: TaskDto;
  let bComment: CommentDto;
  let aTask: TaskDto;

  /** B as its owner sees it, and its rows as the database has them. */
  async function stateOfB() {
    return {
      db: await snapshot(t, B),
      project: await ok<ProjectDto>(t.app, bOwner, 'GET', tenantUrl(B, `/projects/${bProject.id}`)),
      task: await getTaskApi(t.app, bOwner, B, bTask.id),
      comments: await ok<CommentDto[]>(t.app, bOwner, 'GET', tenantUrl(B, `/tasks/${bTask.id}/comments`)),
      tasks: await listAll(t.app, bOwner, B),
    };
  }

  beforeAll(async () => {
    bOwner = await createUser(t.app, { label: 'b-owner' });
    B = await createTenant(t.app, bOwner, 'Tenant B');
    bProject = await createProjectApi(t.app, bOwner, B, { name: 'B secret' });
    bTask = await createTaskApi(t.app, bOwner, B, { projectId: bProject.id, title: 'B quokka task', assigneeId: bOwner.id });
    bComment = await ok<CommentDto>(t.app, bOwner, 'POST', tenantUrl(B, `/tasks/${bTask.id}/comments`), { body: 'B comment' });
    aTask = await createTaskApi(t.app, w.users.member, A, { projectId: project.id, title: 'A task of the member' });
  }, 180_000);

  it("B's ids in A's paths are 404; B's ids in A's bodies are 400; filters find nothing; B is unchanged", async () => {
    const before = await stateOfB();
    const { member, editor } = w.users;
    const notFound: [TestUser, string, string, unknown?][] = [
      [member, 'GET', `/tasks/${bTask.id}`],
      [member, 'PATCH', `/tasks/${bTask.id}`, { title: 'pwned' }],
      [member, 'DELETE', `/tasks/${bTask.id}`],
      [member, 'GET', `/tasks/${bTask.id}/comments`],
      [member, 'POST', `/tasks/${bTask.id}/comments`, { body: 'pwned' }],
      [member, 'DELETE', `/tasks/${bTask.id}/comments/${bComment.id}`],
      [member, 'DELETE', `/tasks/${aTask.id}/comments/${bComment.id}`],
      [member, 'GET', `/projects/${bProject.id}`],
      [member, 'GET', `/projects/${bProject.id}?archived=true`],
      // A member may not write projects at all (403 before any lookup); an editor of A may, and B's
      // project does not exist for them.
      [editor, 'PATCH', `/projects/${bProject.id}`, { name: 'pwned' }],
      [editor, 'PATCH', `/projects/${bProject.id}`, { archived: false }],
      [editor, 'DELETE', `/projects/${bProject.id}`],
      [editor, 'PATCH', `/tasks/${bTask.id}`, { title: 'pwned' }],
      [editor, 'DELETE', `/tasks/${bTask.id}`],
      [editor, 'DELETE', `/tasks/${bTask.id}/comments/${bComment.id}`],
    ];
    for (const [who, method, path, body] of notFound) {
      expectError(await call(t.app, who, method as 'GET', url(path), body), 404, 'not_found');
    }
    expectError(await call(t.app, member, 'PATCH', url(`/projects/${bProject.id}`), { name: 'pwned' }), 403, 'forbidden');

    // B's tenant id itself: A's member is no member of B.
    for (const [method, path, body] of [
      ['GET', '/tasks'],
      ['GET', `/tasks/${bTask.id}`],
      ['PATCH', `/tasks/${bTask.id}`, { title: 'pwned' }],
      ['DELETE', `/tasks/${bTask.id}`],
      ['POST', '/tasks', { projectId: bProject.id, title: 'pwned' }],
      ['GET', `/tasks/${bTask.id}/comments`],
      ['DELETE', `/tasks/${bTask.id}/comments/${bComment.id}`],
      ['GET', '/projects'],
    ] as const) {
      expectError(await call(t.app, member, method, tenantUrl(B, path), body), 404, 'not_found');
    }

    // B's ids as references in A's bodies. B's project passes the task's foreign key (it exists), so
    // A's insert runs before the project check fails: A must be left as it was too.
    const aBefore = await snapshot(t, A);
    expectValidation(await call(t.app, member, 'POST', url('/tasks'), { projectId: bProject.id, title: 'x' }), 'projectId');
    expectValidation(
      await call(t.app, member, 'POST', url('/tasks'), { projectId: project.id, title: 'x', assigneeId: bOwner.id }),
      'assigneeId',
    );
    expectValidation(await call(t.app, member, 'PATCH', url(`/tasks/${aTask.id}`), { projectId: bProject.id }), 'projectId');
    expectValidation(await call(t.app, member, 'PATCH', url(`/tasks/${aTask.id}`), { assigneeId: bOwner.id }), 'assigneeId');
    expectValidation(await call(t.app, editor, 'PATCH', url(`/tasks/${aTask.id}`), { projectId: bProject.id }), 'projectId');
    expect(await current(aTask.id)).toEqual(aTask);
    expect(await snapshot(t, A)).toEqual(aBefore);

    // B's ids as filters in A: nothing.
    expect(await listAll(t.app, member, A, { projectId: bProject.id })).toEqual([]);
    expect(await listAll(t.app, member, A, { assigneeId: bOwner.id })).toEqual([]);
    expect(await listAll(t.app, member, A, { q: 'quokka' })).toEqual([]);

    expect(await stateOfB()).toEqual(before);
  });
});
