/**
 * The demo seed: on a fresh database it creates "Atrium Demo" with one verified user per role (real
 * Better Auth password hashes: they sign in), three projects, ~200 realistic tasks and comments, all
 * through the services (audit rows and usage counters match the data). A second run changes
 * nothing; production is refused; SEED_DEMO_DATA seeds only an empty database; `npm run db:seed`
 * does the same from the command line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countUsers, findUserByEmail } from '../../src/db/seed/seed.repository.ts';
import { DEMO, DEMO_USERS, demoEmail, type SeedResult, seedDemo, seedDemoOnStart } from '../../src/db/seed/seed.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { cookieHeader, getJwt, signIn, type TestUser } from '../helpers/auth.ts';
import { call, listAll, snapshot, type TaskDto, tenantUrl } from './support.ts';

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const silent = pino({ level: 'silent' });
let t: TestApp;
let seeded: SeedResult;

const production = () => ({ ...t, config: { ...t.config, isProduction: true } });

async function rows<T>(tenantId: string, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = await withTenant(t.database.db, { tenantId }, (tx) => tx.execute(query));
  return (res as unknown as { rows: T[] }).rows;
}

async function demoUser(role: string): Promise<TestUser> {
  const email = demoEmail(role as never);
  const res = await signIn(t.app, email, DEMO.password);
  expect(res.statusCode, res.body).toBe(200);
  const cookie = cookieHeader(res.headers['set-cookie']);
  const jwt = await getJwt(t.app, cookie);
  return { id: res.json().user.id, email, name: role, cookie, jwt, h: { authorization: `Bearer ${jwt}` } };
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('demo seed', () => {
  it('SEED_DEMO_DATA: does nothing unless asked, and never in production', async () => {
    expect(await countUsers(t.database.db)).toBe(0);
    expect(await seedDemoOnStart(t, silent, false)).toBeUndefined();
    expect(await seedDemoOnStart(production(), silent, true)).toBeUndefined();
    await expect(seedDemo(production())).rejects.toThrow(/production/);
    expect(await countUsers(t.database.db)).toBe(0);
  });

  it('SEED_DEMO_DATA=true on an empty database creates the whole demo', { timeout: 180_000 }, async () => {
    const result = await seedDemoOnStart(t, silent, true);
    expect(result?.created).toBe(true);
    seeded = result as SeedResult;
    const tenantId = seeded.tenantId;

    // Users: one per role, verified, with the demo addresses.
    expect(seeded.users.map((u) => u.email)).toEqual(DEMO_USERS.map((u) => `${u.role}@demo.atrium.local`));
    for (const u of DEMO_USERS) {
      const row = await findUserByEmail(t.database.db, demoEmail(u.role));
      expect(row, u.role).toMatchObject({ emailVerified: true, name: u.name });
    }
    const memberRows = await rows<{ role: string; email: string }>(
      tenantId,
      sql`select m.role, u.email from memberships m join users u on u.id = m.user_id where m.tenant_id = ${tenantId} order by u.email`,
    );
    expect(memberRows.map((m) => `${m.role}:${m.email}`).sort()).toEqual(DEMO_USERS.map((u) => `${u.role}:${demoEmail(u.role)}`).sort());
    const [tenant] = await rows<{ name: string; plan: string }>(tenantId, sql`select name, plan from tenants where id = ${tenantId}`);
    expect(tenant).toEqual({ name: 'Atrium Demo', plan: DEMO.plan });

    // Data: 3 projects, ~200 tasks, comments; counts reported = counts stored.
    const [counts] = await rows<{ projects: number; tasks: number; comments: number }>(
      tenantId,
      sql`select (select count(*)::int from projects) as projects, (select count(*)::int from tasks) as tasks,
                 (select count(*)::int from comments) as comments`,
    );
    expect(counts).toEqual(seeded.counts);
    expect(counts?.projects).toBe(3);
    expect(counts?.tasks).toBeGreaterThanOrEqual(180);
    expect(counts?.tasks).toBeLessThanOrEqual(220);
    expect(counts?.comments).toBeGreaterThan(50);

    // Spread: every status and priority, due dates (past, future, none), labels, several assignees.
    const [spread] = await rows<Record<string, number>>(
      tenantId,
      sql`select count(distinct status)::int as statuses, count(distinct priority)::int as priorities,
                 count(*) filter (where due_date is null)::int as no_due, count(*) filter (where due_date < current_date)::int as overdue,
                 count(*) filter (where due_date >= current_date)::int as upcoming,
                 count(*) filter (where cardinality(labels) > 0)::int as labelled,
                 count(distinct assignee_id)::int as assignees, count(*) filter (where assignee_id is null)::int as unassigned,
                 count(*) filter (where length(description) > 40)::int as described,
                 count(*) filter (where status = 'done' and completed_at is null)::int as done_without_completed_at
          from tasks`,
    );
    expect(spread).toMatchObject({ statuses: 4, priorities: 4, done_without_completed_at: 0 });
    for (const key of ['no_due', 'overdue', 'upcoming', 'labelled', 'unassigned', 'described'] as const) {
      expect(spread?.[key], key).toBeGreaterThan(5);
    }
    expect(spread?.assignees).toBeGreaterThanOrEqual(5);
    const guestId = seeded.users.find((u) => u.role === 'guest')?.id;
    const viewerId = seeded.users.find((u) => u.role === 'viewer')?.id;
    const [people] = await rows<{ guest_tasks: number; by_guest_or_viewer: number; creators: number }>(
      tenantId,
      sql`select count(*) filter (where assignee_id = ${guestId})::int as guest_tasks,
                 count(*) filter (where created_by in (${guestId}, ${viewerId}))::int as by_guest_or_viewer,
                 count(distinct created_by)::int as creators
          from tasks`,
    );
    expect(people?.guest_tasks).toBeGreaterThan(0);
    expect(people?.by_guest_or_viewer).toBe(0);
    expect(people?.creators).toBeGreaterThanOrEqual(3);

    // Through the services: one audit row per change, usage counters equal to the rows.
    const audit = await rows<{ action: string; n: number }>(
      tenantId,
      sql`select action, count(*)::int as n from audit_logs group by action order by action`,
    );
    const byAction = Object.fromEntries(audit.map((a) => [a.action, a.n]));
    expect(byAction).toMatchObject({
      'tenant.created': 1,
      'member.joined': 6,
      'member.invited': 5,
      'project.created': counts?.projects,
      'task.created': counts?.tasks,
      'comment.created': counts?.comments,
    });
    // The counters as the API counts them: each row plus its deltas not folded yet (migration 0019).
    const usage = await rows<{ metric: string; value: number }>(
      tenantId,
      sql`select metric, sum(value)::int as value from (select metric, value from tenant_usage union all select metric, delta from tenant_usage_deltas) as u group by metric order by metric`,
    );
    expect(Object.fromEntries(usage.map((u) => [u.metric, u.value]))).toMatchObject({ projects: 3, tasks: counts?.tasks });
  });

  it('demo users sign in with the shared password and see what their role allows', async () => {
    const wrong = await signIn(t.app, demoEmail('owner'), 'not-the-demo-password');
    expect(wrong.statusCode).toBe(401);

    const owner = await demoUser('owner');
    const all = await listAll(t.app, owner, seeded.tenantId);
    expect(all).toHaveLength(seeded.counts.tasks);

    const guest = await demoUser('guest');
    const own = await listAll(t.app, guest, seeded.tenantId);
    const guestId = seeded.users.find((u) => u.role === 'guest')?.id;
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBe(all.filter((x: TaskDto) => x.assigneeId === guestId || x.createdBy === guestId).length);

    const projects = await call<{ name: string }[]>(t.app, guest, 'GET', tenantUrl(seeded.tenantId, '/projects'));
    expect(projects.body.data.map((p) => p.name).sort()).toEqual(['Mobile App 2.0', 'Q3 Launch Campaign', 'Website Relaunch']);

    // The demo has room to keep working in (it is on a plan above the free limits).
    const created = await call(t.app, owner, 'POST', tenantUrl(seeded.tenantId, '/tasks'), {
      projectId: all[0]?.projectId,
      title: 'Try Atrium',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it('running it again finds the demo and changes nothing', async () => {
    const before = await snapshot(t, seeded.tenantId);
    const users = await countUsers(t.database.db);
    const again = await seedDemo(t);
    expect(again).toMatchObject({ created: false, tenantId: seeded.tenantId });
    expect(again.users.map((u) => u.email)).toEqual(seeded.users.map((u) => u.email));
    expect(await seedDemoOnStart(t, silent, true)).toBeUndefined();
    expect(await snapshot(t, seeded.tenantId)).toEqual(before);
    expect(await countUsers(t.database.db)).toBe(users);
  });
});

describe('npm run db:seed', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(backendDir, 'src', 'db', 'seed', 'cli.ts')], {
      cwd: backendDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      encoding: 'utf8',
      timeout: 240_000,
    });

  it('refuses production', () => {
    const res = run({
      APP_ENV: 'production',
      AUTH_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      SMTP_URL: 'smtp://127.0.0.1:1',
      METRICS_TOKEN: 'a-metrics-token-for-the-test',
      WEB_URL: 'https://atrium.example',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Refusing to seed demo data in production/);
  });

  it('seeds an empty database, prints the sign-in details, and on a second run says the demo exists', { timeout: 480_000 }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-seed-'));
    try {
      const first = run({ APP_ENV: 'local', DATA_DIR: dataDir });
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/Created the demo workspace "Atrium Demo": 3 projects, \d+ tasks, \d+ comments/);
      for (const u of DEMO_USERS) expect(first.stdout).toContain(demoEmail(u.role));
      expect(first.stdout).toContain(`Password for every demo user: ${DEMO.password}`);

      const second = run({ APP_ENV: 'local', DATA_DIR: dataDir });
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/already exists; nothing to do/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
