/**
 * Property-based fuzzing of the task workspace's inputs: task and project bodies (create and
 * change) and task-list query strings, built from arbitrary JSON, wrong types, huge and unicode
 * strings (NUL, lone surrogates, emoji), extra fields, NaN-like strings, negative and huge limits and
 * forged cursors, mixed with valid values so that some requests succeed and get further in.
 *
 * Properties: every response is a 2xx or a 4xx in the API's envelope, never a 5xx; and every
 * refused request (4xx) leaves the database exactly as it was (per table: row count, latest change,
 * usage counters, event log, stored idempotency keys).
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../src/db/schema/index.ts';
import { encodeCursor } from '../../src/lib/cursor.ts';
import { TASK_SORTS } from '../../src/modules/tasks/tasks.repository.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { addMember, createTenant } from '../helpers/workspace.ts';
import { call, createProjectApi, createTaskApi, ok, type ProjectDto, setPlan, snapshot, type TaskDto, tenantUrl } from './support.ts';

let t: TestApp;
let owner: TestUser;
let member: TestUser;
let bOwner: TestUser;
let T: string;
let B: string;
let project: ProjectDto;
let archived: ProjectDto;
let fuzzProject: ProjectDto;
let bProject: ProjectDto;
let task: TaskDto;
let realCursor: string;

/** Everything a refused request must leave alone: the tenant's rows and the idempotency store. */
async function state() {
  const keys = await t.database.db.execute(sql`select count(*)::int as n, max(updated_at)::text as latest from idempotency_keys`);
  return { tenant: await snapshot(t, T), keys: (keys as unknown as { rows: unknown[] }).rows };
}

interface Sent {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** Raw body (already serialized). */
  payload?: string;
  headers?: Record<string, string>;
}

let requests = 0;
const statuses = new Map<number, number>();

/** The properties, for one request. */
async function check(req: Sent) {
  const before = await state();
  const res = await t.app.inject({
    method: req.method,
    url: req.url,
    headers: {
      ...owner.h,
      ...(req.payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...req.headers,
    },
    ...(req.payload !== undefined ? { payload: req.payload } : {}),
  });
  requests++;
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  const shown = `${req.method} ${req.url.slice(0, 300)} ${req.payload?.slice(0, 300) ?? ''} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, shown).toBeGreaterThanOrEqual(200);
  expect(res.statusCode, shown).toBeLessThan(500);
  const body = res.json();
  if (res.statusCode >= 400) {
    expect(body, shown).toMatchObject({ success: false, error: { code: expect.any(String), message: expect.any(String) } });
    expect(await state(), `a refused request changed the database: ${shown}`).toEqual(before);
  } else {
    expect(body.success, shown).toBe(true);
  }
}

// ------------------------------------------------------------------------------------------------
// Arbitraries
// ------------------------------------------------------------------------------------------------

const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '💥🔥',
  'NaN',
  'null',
  'undefined',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '1e309',
  '0x10',
  'true',
  '[]',
  '{}',
  '<script>alert(1)</script>',
  "'; drop table tasks; --",
  '%00',
  '../../etc/passwd',
  '2024-02-30',
  '0000-01-01',
  '0000-02-29',
  '9999-12-31',
  '10000-01-01',
  '2024-01-01T00:00:00Z',
  'a,b',
  '{"a":1}',
  'é'.repeat(201),
  'x'.repeat(10_001),
  'y'.repeat(200_000),
);
const loneSurrogates = fc.string({ unit: fc.constantFrom('\ud800', '\udbff', '\udc00', 'a', ' ', '\u0000'), maxLength: 6 });
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 250 }) },
  { weight: 1, arbitrary: loneSurrogates },
  { weight: 3, arbitrary: nastyStrings },
);
/** Something that is usually not what the field wants. */
const wrong = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 12 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
/** Text for a text field: mostly printable, sometimes any code point, NUL or a lone surrogate. */
const text = (minLength: number, maxLength: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) },
    { weight: 2, arbitrary: fc.constantFrom('a\u0000b', '\u0000', 'x\ud800', '\udc00y', 'é💥ok') },
  );
/** Mostly valid, so that a good share of bodies passes validation and reaches the services and the database. */
const either = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 7, arbitrary: valid }, { weight: 1, arbitrary: wrong });

const isoDay = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const extraFields = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });

/** Task fields; projectId and title are always there (their values may still be wrong). */
const taskFields = () =>
  fc.record(
    {
      projectId: either(fc.constantFrom(project.id, project.id, project.id, project.id, archived.id, bProject.id, 'prj_nope')),
      title: either(text(1, 200)),
      description: either(text(0, 300)),
      status: either(fc.constantFrom(...TASK_STATUSES)),
      priority: either(fc.constantFrom(...TASK_PRIORITIES)),
      dueDate: either(fc.option(isoDay)),
      assigneeId: either(fc.constantFrom(member.id, member.id, owner.id, null, bOwner.id, 'usr_nope')),
      labels: either(fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,32}$/), { maxLength: 10 })),
      position: either(fc.double({ min: -1e12, max: 1e12, noNaN: true })),
    },
    { requiredKeys: ['projectId', 'title'] },
  );

const projectFields = () =>
  fc.record(
    {
      name: either(text(1, 100)),
      description: either(fc.option(text(0, 300))),
      color: either(fc.option(fc.constantFrom('#4f46e5', '#000000', '#FFFFFF', '#abc', 'red', '#12345g'))),
      archived: either(fc.boolean()),
    },
    { requiredKeys: ['name'] },
  );

/** A body: usually an object of (mostly) the right fields plus extras, sometimes any JSON or not JSON. */
const bodyOf = (fields: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fields, extraFields, fc.boolean()).map(([f, x, add]) => JSON.stringify(add ? { ...x, ...f } : f)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{"title":',
        'not json',
        '[',
        'null',
        '""',
        '{"__proto__":{"x":1}}',
        `"${'z'.repeat(1_100_000)}"`,
      ),
    },
  );

/** Header values must be Latin-1 text to be sent at all: keep the printable ASCII of anything. */
const headerText = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
/** Mostly no key; sometimes a reused one (replays and 409s) or a malformed one (400s). */
const idempotencyHeader = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'has space', ''), anyString.map(headerText)) },
);

const b64json = fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url'));
const queryValue = () =>
  fc.oneof(
    { weight: 3, arbitrary: anyString },
    { weight: 1, arbitrary: fc.integer({ min: -1e9, max: 1e9 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('1e2', '0x10', ' 5', '5 ', '-0', '100', '101', '1.5', '37', '1') },
    { weight: 1, arbitrary: fc.constantFrom(...TASK_SORTS, 'rank', ...TASK_STATUSES, ...TASK_PRIORITIES) },
    { weight: 1, arbitrary: fc.constantFrom(project.id, member.id, bProject.id, bOwner.id) },
    { weight: 1, arbitrary: isoDay },
    { weight: 1, arbitrary: fc.constant(realCursor) },
    { weight: 1, arbitrary: b64json },
    { weight: 1, arbitrary: fc.tuple(wrong, wrong).map(([a, b]) => encodeCursor([a, b] as never)) },
  );
const PARAMS = ['projectId', 'status', 'priority', 'assigneeId', 'label', 'q', 'dueBefore', 'dueAfter', 'sort', 'limit', 'cursor'];
const listQuery = () =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PARAMS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
            queryValue(),
          ),
          {
            maxLength: 6,
          },
        )
        .map((pairs) => {
          const qs = new URLSearchParams();
          for (const [k, v] of pairs) qs.append(k, v);
          return qs.toString();
        }),
    },
    { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', 'q=%00', 'limit=%FF', '&&&', '=', 'q=%E0%A4%A', 'cursor=%00%00', 'sort[]=title') },
  );

// ------------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await startTestApp({ work: true });
  owner = await createUser(t.app, { label: 'fuzz-owner' });
  T = await createTenant(t.app, owner, 'Fuzz');
  // Room for whatever the fuzzer manages to create; the limits have their own tests.
  await setPlan(t, T, 'business');
  member = await addMember(t.app, T, owner, 'member');
  project = await createProjectApi(t.app, owner, T, { name: 'Fuzzed' });
  archived = await createProjectApi(t.app, owner, T, { name: 'Archived' });
  await ok(t.app, owner, 'DELETE', tenantUrl(T, `/projects/${archived.id}`));
  fuzzProject = await createProjectApi(t.app, owner, T, { name: 'Changed by the fuzzer' });
  task = await createTaskApi(t.app, owner, T, { projectId: project.id, title: 'Target' });
  for (let i = 0; i < 5; i++) await createTaskApi(t.app, member, T, { projectId: project.id, title: `Filler ${i}`, labels: ['x'] });
  realCursor = (await call<TaskDto[]>(t.app, owner, 'GET', tenantUrl(T, '/tasks?limit=2'))).body.meta?.nextCursor as string;
  bOwner = await createUser(t.app, { label: 'fuzz-b' });
  B = await createTenant(t.app, bOwner, 'Other');
  bProject = await createProjectApi(t.app, bOwner, B, { name: 'Not yours' });
}, 120_000);

afterAll(async () => {
  console.info(`fuzz: ${requests} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  await t?.close();
});

describe('fuzz: never a 5xx, and a refused request changes nothing', () => {
  it('POST /tasks', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(taskFields()), idempotencyHeader, async (payload, key) =>
        check({ method: 'POST', url: tenantUrl(T, '/tasks'), payload, headers: key === null ? {} : { 'idempotency-key': key } }),
      ),
      {
        numRuns: 100,
        // Inputs that once reached the database and failed there (500): always tried first.
        examples: [
          [JSON.stringify({ projectId: project.id, title: 'a\u0000b' }), null],
          [JSON.stringify({ projectId: project.id, title: 'ok', description: '\u0000' }), null],
          [JSON.stringify({ projectId: project.id, title: 'ok', labels: ['a\u0000'] }), null],
          [JSON.stringify({ projectId: project.id, title: 'ok', dueDate: '0000-01-01' }), null],
          [JSON.stringify({ projectId: '\u0000', title: 'ok' }), null],
          [JSON.stringify({ projectId: project.id, title: 'ok', assigneeId: 'usr_\u0000' }), null],
          [JSON.stringify({ projectId: project.id, title: 'x\ud800' }), null],
        ],
      },
    );
  });

  it('PATCH /tasks/:id (with or without If-Match)', { timeout: 120_000 }, async () => {
    const ifMatch = fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.oneof(fc.constant(`"${task.id}.1"`), fc.constant('*'), anyString.map(headerText)) },
    );
    const target = fc.oneof(
      { weight: 6, arbitrary: fc.constant(task.id) },
      { weight: 1, arbitrary: fc.constantFrom('task_nope', '%00', 'x'.repeat(65)) },
    );
    await fc.assert(
      fc.asyncProperty(bodyOf(taskFields()), ifMatch, target, async (payload, tag, id) =>
        check({ method: 'PATCH', url: tenantUrl(T, `/tasks/${id}`), payload, headers: tag === null ? {} : { 'if-match': tag } }),
      ),
      { numRuns: 70 },
    );
  });

  it('POST /projects', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(bodyOf(projectFields()), idempotencyHeader, async (payload, key) =>
        check({ method: 'POST', url: tenantUrl(T, '/projects'), payload, headers: key === null ? {} : { 'idempotency-key': key } }),
      ),
      {
        numRuns: 40,
        examples: [
          [JSON.stringify({ name: 'a\u0000b' }), null],
          [JSON.stringify({ name: 'ok', description: '\u0000' }), null],
        ],
      },
    );
  });

  it('PATCH /projects/:id', { timeout: 120_000 }, async () => {
    const target = fc.oneof(
      { weight: 6, arbitrary: fc.constant(fuzzProject.id) },
      { weight: 1, arbitrary: fc.constantFrom(archived.id, bProject.id, 'prj_nope', '%00') },
    );
    await fc.assert(
      fc.asyncProperty(bodyOf(projectFields()), target, async (payload, id) =>
        check({ method: 'PATCH', url: tenantUrl(T, `/projects/${id}`), payload }),
      ),
      { numRuns: 40 },
    );
  });

  it('GET /tasks?…', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(listQuery(), async (qs) => check({ method: 'GET', url: tenantUrl(T, `/tasks?${qs}`) })),
      {
        numRuns: 120,
        examples: [
          ['q=%00'],
          ['label=a%00'],
          ['projectId=%00'],
          ['dueBefore=0000-01-01'],
          [`sort=priority&cursor=${encodeCursor(['2024-01-01 00:00:00+00', 'task_x'])}`],
          [`cursor=${encodeCursor(['not a time', 'task_x'])}`],
          [`cursor=${encodeCursor(['2024-01-01 00:00:00+00', 'task_\u0000'])}`],
        ],
      },
    );
  });

  it('the fuzzing reached both outcomes, and tenant B was never touched', async () => {
    const ok2xx = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
    expect(ok2xx).toBeGreaterThan(40);
    expect(refused).toBeGreaterThan(100);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(10);
    const bTasks = await call<TaskDto[]>(t.app, bOwner, 'GET', tenantUrl(B, '/tasks'));
    expect(bTasks.body.data).toEqual([]);
    expect((await call<ProjectDto>(t.app, bOwner, 'GET', tenantUrl(B, `/projects/${bProject.id}`))).body.data).toEqual(bProject);
  });
});
