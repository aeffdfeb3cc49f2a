/**
 * The demo workspace: "Atrium Demo" with one user per role, three projects, about two hundred tasks
 * spread over statuses, priorities, due dates, labels and assignees, and comments.
 *
 * Users are created through Better Auth (hashed passwords); everything else goes through the
 * services, as the users themselves, so the audit log, usage counters and event log are what the
 * API would have written. Running it again finds the demo and does nothing. Never in production.
 */
import type { Logger } from 'pino';
import type { AppConfig } from '../../config.ts';
import { recordAudit } from '../../modules/audit/audit.service.ts';
import { addComment } from '../../modules/comments/comments.service.ts';
import { createProject } from '../../modules/projects/projects.service.ts';
import { createTask } from '../../modules/tasks/tasks.service.ts';
import { createTenant, listTenantsOfUser, type TenantContext } from '../../modules/tenants/tenants.service.ts';
import type { Role } from '../schema/index.ts';
import { withTenant } from '../tenant.ts';
import {
  COMMENT_BODIES,
  type CreatedUser,
  createVerifiedUser,
  type FactoryRuntime,
  joinTenant,
  PROJECT_THEMES,
  randomSource,
  taskDraft,
  tenantContextOf,
  themeTitles,
  userActor,
} from './factories.ts';
import { countUsers, findUserByEmail, setTenantPlan } from './seed.repository.ts';

export const DEMO = {
  tenantName: 'Atrium Demo',
  emailDomain: 'demo.atrium.local',
  /** One password for every demo user; printed by the seed. */
  password: 'atrium-demo-password',
  /** Room to keep working in the demo (the free plan's limits are 3 projects and 200 tasks). */
  plan: 'pro',
  tasksPerProject: [70, 70, 60] as const,
  seed: 20240917,
} as const;

export const DEMO_USERS: readonly { role: Role; name: string }[] = [
  { role: 'owner', name: 'Olivia Martin' },
  { role: 'admin', name: 'Arjun Patel' },
  { role: 'editor', name: 'Emma Schulz' },
  { role: 'member', name: 'Mateo García' },
  { role: 'viewer', name: 'Vera Novak' },
  { role: 'guest', name: 'Gus Lindqvist' },
];

export const demoEmail = (role: Role) => `${role}@${DEMO.emailDomain}`;

export interface SeedRuntime extends FactoryRuntime {
  config: AppConfig;
}

export interface SeedResult {
  /** false: the demo already existed and nothing was changed. */
  created: boolean;
  tenantId: string;
  users: { role: Role; email: string; name: string; id: string }[];
  password: string;
  counts: { projects: number; tasks: number; comments: number };
}

/** The demo tenant if it exists: the one named "Atrium Demo" that the demo owner belongs to. */
async function findDemo(runtime: SeedRuntime) {
  const owner = await findUserByEmail(runtime.database.db, demoEmail('owner'));
  if (!owner) return undefined;
  const tenants = await listTenantsOfUser(runtime.database.db, owner.id);
  return tenants.find((t) => t.name === DEMO.tenantName);
}

export async function seedDemo(runtime: SeedRuntime, options: { today?: Date } = {}): Promise<SeedResult> {
  if (runtime.config.isProduction) throw new Error('Refusing to seed demo data in production.');
  const db = runtime.database.db;

  const existing = await findDemo(runtime);
  if (existing) {
    const users: SeedResult['users'] = [];
    for (const u of DEMO_USERS) {
      const row = await findUserByEmail(db, demoEmail(u.role));
      if (row) users.push({ role: u.role, email: row.email, name: row.name, id: row.id });
    }
    return { created: false, tenantId: existing.id, users, password: DEMO.password, counts: { projects: 0, tasks: 0, comments: 0 } };
  }

  // Users (Better Auth), then the tenant and its members (services, as the owner).
  const people = new Map<Role, CreatedUser>();
  for (const u of DEMO_USERS) {
    people.set(u.role, await createVerifiedUser(runtime, { email: demoEmail(u.role), name: u.name, password: DEMO.password }));
  }
  const owner = people.get('owner') as CreatedUser;
  const tenant = await createTenant({ db, jobs: runtime.jobs, webUrl: runtime.config.webUrl }, userActor(owner.id), {
    name: DEMO.tenantName,
  });
  const ctx = new Map<Role, TenantContext>([['owner', await tenantContextOf(db, tenant.id, owner.id)]]);
  const ownerCtx = ctx.get('owner') as TenantContext;
  // The plan first: the demo's members, projects and tasks fit it (billing has no subscription for it).
  await withTenant(db, ownerCtx, async (tx) => {
    await setTenantPlan(tx, tenant.id, DEMO.plan);
    await recordAudit(tx, tenant.id, ownerCtx.actor, {
      action: 'tenant.updated',
      targetType: 'tenant',
      targetId: tenant.id,
      metadata: { changed: ['plan'], plan: DEMO.plan, reason: 'demo workspace' },
    });
  });

  for (const u of DEMO_USERS) {
    if (u.role === 'owner') continue;
    ctx.set(u.role, await joinTenant(runtime, ownerCtx, people.get(u.role) as CreatedUser, u.role));
  }

  const rng = randomSource(DEMO.seed);
  const today = options.today ?? new Date();
  const as = (role: Role) => ctx.get(role) as TenantContext;
  const idOf = (role: Role) => (people.get(role) as CreatedUser).id;
  // Who creates tasks (guests and viewers cannot), and to whom they go (null: unassigned).
  const creators: Role[] = ['owner', 'admin', 'editor', 'editor', 'member', 'member', 'member'];
  const assignees: (string | null)[] = [
    null,
    idOf('owner'),
    idOf('admin'),
    idOf('editor'),
    idOf('editor'),
    idOf('member'),
    idOf('member'),
    idOf('member'),
    idOf('guest'),
  ];

  const counts = { projects: 0, tasks: 0, comments: 0 };
  for (const [i, theme] of PROJECT_THEMES.entries()) {
    const lead: Role = i === 1 ? 'editor' : i === 2 ? 'admin' : 'owner';
    const project = await createProject(db, as(lead), { name: theme.name, description: theme.description, color: theme.color });
    counts.projects++;
    const titles = rng.sample(themeTitles(theme), DEMO.tasksPerProject[i] ?? 0);
    for (const title of titles) {
      const creator = rng.pick(creators);
      const task = await createTask(
        db,
        as(creator),
        taskDraft(rng, { projectId: project.id, theme, title, assigneeIds: assignees, today }),
      );
      counts.tasks++;
      if (!rng.chance(0.45)) continue;
      // Comments from people who can see the task: the team, and the guest on their own tasks.
      const voices: Role[] = ['owner', 'admin', 'editor', 'member'];
      if (task.assigneeId === idOf('guest')) voices.push('guest', 'guest');
      for (let c = rng.int(1, 3); c > 0; c--) {
        await addComment(db, as(rng.pick(voices)), task.id, rng.pick(COMMENT_BODIES));
        counts.comments++;
      }
    }
  }

  return {
    created: true,
    tenantId: tenant.id,
    users: DEMO_USERS.map((u) => {
      const p = people.get(u.role) as CreatedUser;
      return { role: u.role, email: p.email, name: p.name, id: p.id };
    }),
    password: DEMO.password,
    counts,
  };
}

/** The sign-in details, for people: one line per user and the shared password. */
export function describeDemo(result: SeedResult): string {
  const roleWidth = Math.max(...result.users.map((u) => u.role.length));
  const emailWidth = Math.max(...result.users.map((u) => u.email.length));
  return [
    ...result.users.map((u) => `  ${u.role.padEnd(roleWidth)}  ${u.email.padEnd(emailWidth)}  ${u.name}`),
    `Password for every demo user: ${result.password}`,
  ].join('\n');
}

/**
 * SEED_DEMO_DATA=true on start: seeds the demo when the database has no users at all, never in
 * production. A failure is logged and the API starts anyway.
 */
export async function seedDemoOnStart(runtime: SeedRuntime, logger: Logger, enabled: boolean): Promise<SeedResult | undefined> {
  if (!enabled) return undefined;
  if (runtime.config.isProduction) {
    logger.warn('SEED_DEMO_DATA is ignored in production');
    return undefined;
  }
  try {
    if ((await countUsers(runtime.database.db)) > 0) {
      logger.info('SEED_DEMO_DATA: the database already has users; the demo workspace is not seeded');
      return undefined;
    }
    const result = await seedDemo(runtime);
    logger.info(
      { tenantId: result.tenantId, ...result.counts, users: result.users.map((u) => u.email) },
      `demo workspace "${DEMO.tenantName}" seeded; sign in as any of the users with the password ${result.password}`,
    );
    return result;
  } catch (err) {
    logger.error({ err }, 'SEED_DEMO_DATA: seeding the demo workspace failed');
    return undefined;
  }
}
