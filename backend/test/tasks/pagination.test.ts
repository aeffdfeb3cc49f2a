/**
 * Keyset pagination under load: 1,000 tasks with many equal sort keys (shared timestamps, titles,
 * positions, priorities, due dates) are walked in pages of 37 under every sort while another writer
 * keeps inserting tasks through the API. Every walk returns each task that existed when it started
 * exactly once (no duplicates, no gaps), in order; cursors that are not from the list are a 400.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../src/db/schema/index.ts';
import { PROJECT_THEMES, randomSource, taskDraft } from '../../src/db/seed/factories.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { encodeCursor } from '../../src/lib/cursor.ts';
import { newId } from '../../src/lib/ids.ts';
import { TASK_SORTS } from '../../src/modules/tasks/tasks.repository.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, type TestUser } from '../helpers/auth.ts';
import { createTenant } from '../helpers/workspace.ts';
import { call, createProjectApi, expectValidation, type Res, setPlan, setUsage, type TaskDto, tenantUrl } from './support.ts';

const TOTAL = 1000;
const PAGE = 37;

let t: TestApp;
let owner: TestUser;
let writerUser: TestUser;
let T: string;
let projectId: string;

async function idsInDb(): Promise<Set<string>> {
  const rows = await withTenant(t.database.db, { tenantId: T }, (tx) =>
    tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.tenantId, T)),
  );
  return new Set(rows.map((r) => r.id));
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  owner = await createUser(t.app, { label: 'owner' });
  T = await createTenant(t.app, owner, 'Paging');
  await setPlan(t, T, 'business');
  projectId = (await createProjectApi(t.app, owner, T, { name: 'Backlog' })).id;
  // The concurrent writer is a second person (an editor), as it would be in real life.
  writerUser = await createUser(t.app, { label: 'writer' });
  const inv = await call<{ id: string }>(t.app, owner, 'POST', tenantUrl(T, '/invitations'), { email: writerUser.email, role: 'editor' });
  expect(inv.status).toBe(201);
  expect((await call(t.app, writerUser, 'POST', `/api/v1/invitations/${inv.body.data.id}/accept`)).status).toBe(200);

  // 1,000 realistic tasks in one statement, with deliberately many ties: ten tasks share each
  // created_at, thirteen each updated_at; titles repeat; positions come from a small set.
  const rng = randomSource(1000);
  const base = Date.now() - 24 * 3600 * 1000;
  const today = new Date();
  const rows = Array.from({ length: TOTAL }, (_, i) => {
    const theme = PROJECT_THEMES[i % PROJECT_THEMES.length];
    const draft = taskDraft(rng, { projectId, theme, assigneeIds: [null, owner.id], today });
    return {
      ...draft,
      id: newId('task'),
      tenantId: T,
      description: draft.description ?? '',
      dueDate: draft.dueDate ?? null,
      assigneeId: draft.assigneeId ?? null,
      labels: draft.labels ?? [],
      position: rng.int(0, 40) * 64,
      createdBy: owner.id,
      completedAt: draft.status === 'done' ? new Date(base) : null,
      createdAt: new Date(base - Math.floor(i / 10) * 1000),
      updatedAt: new Date(base + Math.floor(i / 13) * 250),
    };
  });
  await withTenant(t.database.db, { tenantId: T }, (tx) => tx.insert(tasks).values(rows));
  await setUsage(t, T, 'tasks', TOTAL);
  expect((await idsInDb()).size).toBe(TOTAL);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const priorityRank = { low: 1, medium: 2, high: 3, urgent: 4 } as const;
/** The sort key as the DTO shows it (timestamps to the millisecond: fine for a non-strict order check). */
const keyOf: Record<string, ((x: TaskDto) => string | number) | undefined> = {
  createdAt: (x) => x.createdAt,
  updatedAt: (x) => x.updatedAt,
  dueDate: (x) => x.dueDate ?? '9999-12-31',
  priority: (x) => priorityRank[x.priority],
  position: (x) => x.position,
  // title: ordered by the database's collation; covered by the crud tests on collation-neutral titles.
};

describe('keyset pagination', () => {
  it('has tasks that share sort keys (so the id tie-break matters)', async () => {
    const [stats] = (
      (await withTenant(t.database.db, { tenantId: T }, (tx) =>
        tx.execute(sql`select count(distinct created_at)::int as created, count(distinct updated_at)::int as updated,
                      count(distinct lower(title))::int as titles, count(distinct position)::int as positions from tasks`),
      )) as unknown as { rows: Record<string, number>[] }
    ).rows;
    expect(stats?.created).toBe(TOTAL / 10);
    expect(stats?.updated).toBeLessThan(TOTAL / 10);
    expect(stats?.titles).toBeLessThan(TOTAL / 2);
    expect(stats?.positions).toBeLessThanOrEqual(41);
  });

  for (const sort of TASK_SORTS) {
    it(`sort=${sort}: pages of ${PAGE} while another writer inserts: no duplicates, no gaps, in order`, { timeout: 120_000 }, async () => {
      const existing = await idsInDb();
      expect(existing.size).toBeGreaterThanOrEqual(TOTAL);

      // The other writer: creates tasks through the API until the walk is over.
      const written: string[] = [];
      let walking = true;
      let writeError: unknown;
      const rng = randomSource(sort.length * 31 + existing.size);
      const writer = (async () => {
        while (walking) {
          const body = taskDraft(rng, { projectId, assigneeIds: [null, owner.id, writerUser.id] });
          const res = await call<TaskDto>(t.app, writerUser, 'POST', tenantUrl(T, '/tasks'), body);
          if (res.status !== 201) {
            writeError = res.body;
            return;
          }
          written.push(res.body.data.id);
        }
      })();

      const seen: TaskDto[] = [];
      const writesAtPage: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      try {
        do {
          const qs = new URLSearchParams({ sort, limit: String(PAGE), ...(cursor ? { cursor } : {}) });
          const res: Res<TaskDto[]> = await call<TaskDto[]>(t.app, owner, 'GET', tenantUrl(T, `/tasks?${qs}`));
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          cursor = res.body.meta?.nextCursor ?? null;
          // Every page but the last is full.
          if (cursor) expect(res.body.data).toHaveLength(PAGE);
          seen.push(...res.body.data);
          writesAtPage.push(written.length);
          pages++;
          expect(pages).toBeLessThan(200);
          // Let the writer in between pages, as a busy server would: the next page is read once at least
          // one more insert has landed (a page read is faster than a create, so without waiting the whole
          // walk could end before the first insert).
          const landed = written.length;
          for (let i = 0; i < 2_000 && written.length === landed && writeError === undefined; i++) {
            await new Promise((r) => setTimeout(r, 1));
          }
        } while (cursor);
      } finally {
        walking = false;
        await writer;
      }
      expect(writeError).toBeUndefined();

      // The writer really wrote during the walk (not only before or after it).
      expect((writesAtPage.at(-1) ?? 0) - (writesAtPage[0] ?? 0), 'inserts during the walk').toBeGreaterThan(0);

      const ids = seen.map((x) => x.id);
      expect(new Set(ids).size, 'no duplicates').toBe(ids.length);
      const got = new Set(ids);
      const missing = [...existing].filter((id) => !got.has(id));
      expect(missing, 'no gaps').toEqual([]);
      const allowed = new Set([...existing, ...written]);
      expect(
        ids.filter((id) => !allowed.has(id)),
        'nothing else',
      ).toEqual([]);

      const keyFn = keyOf[sort.replace(/^-/, '')];
      if (keyFn) {
        const desc = sort.startsWith('-');
        for (let i = 1; i < seen.length; i++) {
          const a: string | number = keyFn(seen[i - 1] as TaskDto);
          const b: string | number = keyFn(seen[i] as TaskDto);
          if (desc ? a < b : a > b) expect.fail(`sort=${sort}: item ${i - 1} (${a}) comes before item ${i} (${b})`);
        }
      }
    });
  }

  it('a cursor that is not from the list is a 400, never a 500', async () => {
    const first = await call<TaskDto[]>(t.app, owner, 'GET', tenantUrl(T, '/tasks?limit=5'));
    const createdAtCursor = first.body.meta?.nextCursor as string;
    expect(createdAtCursor).toEqual(expect.any(String));
    const titleFirst = await call<TaskDto[]>(t.app, owner, 'GET', tenantUrl(T, '/tasks?limit=5&sort=title'));
    const titleCursor = titleFirst.body.meta?.nextCursor as string;
    const b64 = (v: string) => Buffer.from(v).toString('base64url');
    const bad = [
      'abc',
      '!!!!',
      b64('not json'),
      b64('[]'),
      b64('["2024-01-01"]'),
      b64('["a","b","c"]'),
      b64('{"key":"a","id":"b"}'),
      b64('[{"a":1},"task_x"]'),
      b64('[true,"task_x"]'),
      encodeCursor(['not a timestamp', 'task_x']),
      encodeCursor(['2024-13-45 99:00:00+00', 'task_x']),
      encodeCursor(['2024-01-01 00:00:00+00', 'task_\u0000']),
      encodeCursor([null, 'task_x']),
      'x'.repeat(501),
    ];
    for (const cursor of bad) {
      expectValidation(await call(t.app, owner, 'GET', tenantUrl(T, `/tasks?cursor=${encodeURIComponent(cursor)}`)), 'cursor');
    }
    // A cursor of one sort handed to another whose key has another type. (A timestamp is a valid
    // date, so a createdAt cursor is a position for sort=dueDate: not an error.)
    for (const sort of ['priority', 'position', '-priority']) {
      expectValidation(await call(t.app, owner, 'GET', tenantUrl(T, `/tasks?sort=${sort}&cursor=${createdAtCursor}`)), 'cursor');
    }
    for (const sort of ['priority', 'dueDate', '-dueDate', 'position', 'createdAt', '-updatedAt']) {
      expectValidation(await call(t.app, owner, 'GET', tenantUrl(T, `/tasks?sort=${sort}&cursor=${titleCursor}`)), 'cursor');
    }
    expectValidation(await call(t.app, owner, 'GET', tenantUrl(T, `/tasks?q=budget&cursor=${titleCursor}`)), 'cursor');
    // The genuine ones still work.
    expect((await call(t.app, owner, 'GET', tenantUrl(T, `/tasks?limit=5&cursor=${createdAtCursor}`))).status).toBe(200);
    expect((await call(t.app, owner, 'GET', tenantUrl(T, `/tasks?limit=5&sort=title&cursor=${titleCursor}`))).status).toBe(200);
  });
});
