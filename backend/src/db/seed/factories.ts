/**
 * Factories for demo and test data.
 *
 * - Content: realistic projects, tasks and comments from a seeded random source, so the same seed
 *   gives the same data (the demo is stable; a failing test can be replayed).
 * - Steps: a verified user through Better Auth's server API, a member through the invitation
 *   services, and the TenantContext a service call needs. Nothing here writes tenant data behind
 *   the services' back, so audit rows and usage counters stay right.
 *
 * The demo seed (seed.ts) and the tests (test/tasks) both use them.
 */

import type { JobQueue } from '../../jobs/queue.ts';
import type { Actor } from '../../modules/audit/audit.service.ts';
import type { Auth } from '../../modules/auth/auth.ts';
import type { TaskInput } from '../../modules/tasks/tasks.service.ts';
import {
  acceptInvitation,
  createInvitation,
  memberContext,
  resolveMembership,
  type TenantContext,
} from '../../modules/tenants/tenants.service.ts';
import type { AppDb } from '../client.ts';
import type { TaskPriority, TaskStatus } from '../schema/index.ts';
import type { Role } from '../schema/tenants.ts';
import { findUserByEmail, markEmailVerified } from './seed.repository.ts';

// ---------------------------------------------------------------------------------------------
// Random source
// ---------------------------------------------------------------------------------------------

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** `true` with probability p. */
  chance(p: number): boolean;
  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** `n` distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[];
}

/** mulberry32: small, fast and good enough for test data; the same seed gives the same sequence. */
export function randomSource(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  return {
    next,
    int,
    pick,
    chance: (p) => next() < p,
    weighted<T>(entries: readonly (readonly [T, number])[]) {
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of entries) {
        r -= w;
        if (r < 0) return value;
      }
      return (entries.at(-1) as readonly [T, number])[0];
    },
    sample<T>(items: readonly T[], n: number) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy.slice(0, Math.min(n, copy.length));
    },
  };
}

/** `YYYY-MM-DD`, `days` after (or before) `from` (UTC). */
export function isoDate(from: Date, days = 0): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + days));
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------------------

export interface ProjectTheme {
  name: string;
  description: string;
  color: string;
  /** Title templates; `{x}` is replaced by one of `subjects`. */
  templates: readonly string[];
  subjects: readonly string[];
  labels: readonly string[];
}

export const PROJECT_THEMES: readonly ProjectTheme[] = [
  {
    name: 'Website Relaunch',
    description: 'New marketing site: faster pages, clearer pricing, and a blog that ranks.',
    color: '#4f46e5',
    templates: [
      'Design {x}',
      'Build {x}',
      'Write copy for {x}',
      'Review {x} with marketing',
      'QA {x} on mobile Safari',
      'Fix layout issues on {x}',
      'Add analytics events to {x}',
      'Localize {x} for German and French',
    ],
    subjects: [
      'the landing page hero',
      'the pricing page',
      'the navigation menu',
      'the blog post template',
      'the contact form',
      'the cookie banner',
      'the 404 page',
      'the footer',
      'the careers page',
      'the customer logos section',
    ],
    labels: ['frontend', 'design', 'copy', 'seo', 'accessibility'],
  },
  {
    name: 'Mobile App 2.0',
    description: 'The iOS and Android release with offline mode and a new onboarding.',
    color: '#0ea5e9',
    templates: [
      'Implement {x}',
      'Design {x}',
      'Write tests for {x}',
      'Fix crash in {x}',
      'Profile performance of {x}',
      'Add accessibility labels to {x}',
      'Spec out {x}',
      'Polish animations in {x}',
    ],
    subjects: [
      'the onboarding flow',
      'push notifications',
      'offline sync',
      'biometric login',
      'the settings screen',
      'deep links',
      'in-app purchases',
      'the tablet layout',
      'dark mode',
      'the share sheet',
    ],
    labels: ['ios', 'android', 'backend', 'design', 'performance'],
  },
  {
    name: 'Q3 Launch Campaign',
    description: 'Everything marketing needs for the autumn launch: content, events and paid media.',
    color: '#f59e0b',
    templates: [
      'Plan {x}',
      'Draft {x}',
      'Review {x} with legal',
      'Schedule {x}',
      'Measure results of {x}',
      'Get budget approval for {x}',
      'Brief the agency on {x}',
      'Finalize {x}',
    ],
    subjects: [
      'the launch webinar',
      'the September newsletter',
      'the customer case study',
      'the press release',
      'the social media calendar',
      'the product video',
      'the partner email',
      'the trade show booth',
      'the paid search campaign',
      'the launch blog post',
    ],
    labels: ['content', 'events', 'paid', 'partners', 'pr'],
  },
];

export const COMMON_LABELS = ['bug', 'feature', 'blocked', 'quick-win', 'customer-request', 'tech-debt'] as const;

const WHY = [
  'Customers keep asking about this in support tickets.',
  'This blocks the release candidate.',
  'Analytics show a big drop-off at this step.',
  'Sales needs it for the enterprise pilot.',
  'Leadership wants a status update at the next review.',
  'It came up in the last retrospective.',
  'The current version does not meet our accessibility bar.',
  'Legal flagged it during the compliance review.',
];
const DONE_WHEN = [
  'Reviewed by at least one other person',
  'Works on the smallest supported screen',
  'Tracked in the analytics dashboard',
  'Documented in the team handbook',
  'Signed off by the product owner',
  'Covered by an automated test',
  'Announced in the #launch channel',
  'No open questions left in the thread',
];
const NOTES = [
  'See the design file for the latest mockups.',
  'Keep it simple for the first iteration; we can refine after launch.',
  'Coordinate with the platform team before merging.',
  'Budget is tight, so reuse existing assets where possible.',
  'There is a rough draft in the shared drive.',
  'Check the competitor analysis for inspiration.',
];

export const COMMENT_BODIES = [
  'Looks good to me 👍',
  'I pushed a first draft, feedback welcome.',
  'Blocked until the API change ships.',
  'Can we move this to next sprint? Too much on my plate this week.',
  'Added screenshots to the description.',
  'Done on staging, please verify before we close it.',
  'A customer asked about this again today.',
  'I talked to design; they prefer option B.',
  'Estimate: about two days, including review.',
  'Let us pair on this tomorrow morning.',
  'The numbers from last week are in the dashboard.',
  'Legal is fine with the wording now.',
];

/** A realistic description in Markdown (sometimes empty, as real ones are). */
export function taskDescription(rng: Random): string {
  if (rng.chance(0.2)) return '';
  const parts = [`**Why:** ${rng.pick(WHY)}`];
  if (rng.chance(0.7)) {
    const criteria = rng.sample(DONE_WHEN, rng.int(1, 3));
    parts.push(`**Done when:**\n${criteria.map((c) => `- [ ] ${c}`).join('\n')}`);
  }
  if (rng.chance(0.5)) parts.push(rng.pick(NOTES));
  return parts.join('\n\n');
}

/** Every title a theme can produce, in a stable order. */
export function themeTitles(theme: ProjectTheme): string[] {
  return theme.templates.flatMap((tpl) => theme.subjects.map((s) => capitalize(tpl.replace('{x}', s))));
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface TaskDraftOptions {
  projectId: string;
  theme?: ProjectTheme;
  /** Title to use (otherwise one from the theme, or a generic one). */
  title?: string;
  /** Candidates for the assignee; null entries mean "unassigned". */
  assigneeIds?: readonly (string | null)[];
  /** Reference day for due dates (default: today). */
  today?: Date;
}

/**
 * The body of a realistic task (what `POST /tasks` or `createTask` takes): status, priority, due
 * date and labels spread the way a real board looks.
 */
export function taskDraft(rng: Random, opts: TaskDraftOptions): TaskInput & { status: TaskStatus; priority: TaskPriority } {
  const theme = opts.theme ?? rng.pick(PROJECT_THEMES);
  const status = rng.weighted<TaskStatus>([
    ['todo', 35],
    ['in_progress', 25],
    ['done', 30],
    ['canceled', 10],
  ]);
  const priority = rng.weighted<TaskPriority>([
    ['low', 20],
    ['medium', 45],
    ['high', 25],
    ['urgent', 10],
  ]);
  const today = opts.today ?? new Date();
  // Finished work was mostly due in the past; open work is spread around today, some of it overdue.
  const dueDate = rng.chance(0.7) ? isoDate(today, status === 'done' ? rng.int(-30, 3) : rng.int(-10, 45)) : null;
  const labels = rng.sample(
    [...theme.labels, ...COMMON_LABELS],
    rng.weighted([
      [0, 25],
      [1, 40],
      [2, 25],
      [3, 10],
    ]),
  );
  const assigneeId = opts.assigneeIds && opts.assigneeIds.length > 0 ? rng.pick(opts.assigneeIds) : null;
  return {
    projectId: opts.projectId,
    title: opts.title ?? rng.pick(themeTitles(theme)),
    description: taskDescription(rng),
    status,
    priority,
    dueDate,
    assigneeId,
    labels,
  };
}

// ---------------------------------------------------------------------------------------------
// Steps through Better Auth and the services
// ---------------------------------------------------------------------------------------------

export interface FactoryRuntime {
  database: { db: AppDb };
  auth: Auth;
  jobs: JobQueue;
  config: { webUrl: string };
}

export interface CreatedUser {
  id: string;
  email: string;
  name: string;
}

/**
 * A user with a password, created through Better Auth's server API (so the password is hashed the
 * way sign-in expects), with the address marked as confirmed. An existing user with that email is
 * returned as it is.
 */
export async function createVerifiedUser(
  runtime: Pick<FactoryRuntime, 'database' | 'auth'>,
  data: { email: string; name: string; password: string },
): Promise<CreatedUser & { created: boolean }> {
  const existing = await findUserByEmail(runtime.database.db, data.email);
  if (existing) {
    if (!existing.emailVerified) await markEmailVerified(runtime.database.db, existing.id);
    return { id: existing.id, email: existing.email, name: existing.name, created: false };
  }
  const res = await runtime.auth.api.signUpEmail({ body: { email: data.email, password: data.password, name: data.name } });
  await markEmailVerified(runtime.database.db, res.user.id);
  return { id: res.user.id, email: res.user.email, name: res.user.name, created: true };
}

export const userActor = (userId: string): Actor & { id: string } => ({
  type: 'user',
  id: userId,
  ip: null,
  userAgent: 'atrium-seed',
  requestId: null,
});

/** The context a service call runs in for `userId`, with the role their membership has. */
export async function tenantContextOf(db: AppDb, tenantId: string, userId: string): Promise<TenantContext> {
  const membership = await resolveMembership(db, tenantId, userId);
  if (!membership) throw new Error(`${userId} is not a member of ${tenantId}`);
  return memberContext(tenantId, userId, { id: membership.id, role: membership.role as Role }, userActor(userId));
}

/** `inviter` invites `user` with `role` and the user accepts: the same path as through the API. */
export async function joinTenant(runtime: FactoryRuntime, inviter: TenantContext, user: CreatedUser, role: Role): Promise<TenantContext> {
  const invitation = await createInvitation({ db: runtime.database.db, jobs: runtime.jobs, webUrl: runtime.config.webUrl }, inviter, {
    email: user.email,
    role,
  });
  await acceptInvitation(runtime.database.db, userActor(user.id), invitation.id);
  return tenantContextOf(runtime.database.db, inviter.tenantId, user.id);
}
