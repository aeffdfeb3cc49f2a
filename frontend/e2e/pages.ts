import type { Seeded } from './support';

export interface AppPage {
  name: string;
  path: string;
  /** Needs the signed-in owner. */
  auth: boolean;
  /** Text that shows the page has rendered its content. */
  ready?: string;
}

/** Every main page, with a seeded workspace. */
export function mainPages(s: Seeded): AppPage[] {
  const w = `/w/${s.tenantId}`;
  return [
    { name: 'landing', path: '/', auth: false, ready: 'Create your workspace' },
    { name: 'sign-in', path: '/sign-in', auth: false, ready: 'Sign in to Atrium' },
    { name: 'sign-up', path: '/sign-up', auth: false, ready: 'Create your account' },
    { name: 'verify-email', path: '/verify-email?email=someone%40example.com', auth: false, ready: 'Check your inbox' },
    { name: 'forgot-password', path: '/forgot-password', auth: false, ready: 'Reset your password' },
    { name: 'reset-password', path: '/reset-password?token=example-token', auth: false, ready: 'Choose a new password' },
    { name: 'invitation', path: `/invitations/${s.invitationId}`, auth: false, ready: 'You are invited to a workspace' },
    { name: 'dev-outbox', path: '/dev/outbox', auth: false, ready: 'Dev outbox' },
    { name: 'pricing', path: '/pricing', auth: false, ready: 'Compare plans' },
    { name: 'onboarding', path: '/onboarding', auth: true, ready: 'Create a workspace' },
    { name: 'tasks', path: `${w}/tasks`, auth: true, ready: 'Draft the homepage copy' },
    { name: 'board', path: `${w}/board`, auth: true, ready: 'Crash reporting' },
    { name: 'task-detail', path: `${w}/tasks/${s.taskId}`, auth: true, ready: 'Shorter headline?' },
    { name: 'projects', path: `${w}/projects`, auth: true, ready: 'Website relaunch' },
    { name: 'members', path: `${w}/members`, auth: true, ready: 'Eddie Editor' },
    { name: 'audit', path: `${w}/audit`, auth: true, ready: 'Export CSV' },
    { name: 'billing', path: `${w}/billing`, auth: true, ready: 'AI tokens this month' },
    { name: 'ai-usage', path: `${w}/ai-usage`, auth: true, ready: 'No AI calls in this period' },
    { name: 'project-detail', path: `${w}/projects/${s.projectId}`, auth: true, ready: 'Summarize with AI' },
    { name: 'api-keys', path: `${w}/api-keys`, auth: true, ready: 'No API keys yet' },
    { name: 'webhooks', path: `${w}/webhooks`, auth: true, ready: 'No webhook endpoints yet' },
    // The seeded owner is not a platform admin: the page's 403 state (the admin view is in platform.test.ts).
    { name: 'admin-forbidden', path: '/admin', auth: true, ready: 'platform admins only' },
    { name: 'settings', path: `${w}/settings`, auth: true, ready: 'How your teammates see you.' },
  ];
}
