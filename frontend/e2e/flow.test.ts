/**
 * The product's main journey in a real browser, against the whole app:
 * sign up (email confirmed through the dev outbox link) → create a workspace → a project and tasks →
 * drag a task on the board (persisted after reload) → invite a member and a viewer, who accept in
 * their own browser contexts → the member edits their own task; the viewer sees no edit controls and
 * the API refuses their direct PATCH (403) → the owner upgrades through the offline checkout page →
 * breaks a task down with AI (the app's real provider code calls a local OpenAI-compatible server,
 * e2e/fake-model.ts) and creates the chosen subtasks → streams a project summary → with no model
 * available the AI panel shows the server's `ai_not_configured` message → the audit log shows what
 * happened.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAKE_BREAKDOWN, FAKE_SUMMARY, FakeModel } from './fake-model';
import {
  createUser,
  E2E_PLATFORM_ADMIN,
  hasChromium,
  launchBrowser,
  linkIn,
  newContext,
  PASSWORD,
  readMail,
  resultsDir,
  uniqueEmail,
} from './support';

const webBase = inject('webBase');
const aiPort = inject('aiPort');

describe.skipIf(!hasChromium || !webBase)('main flow', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let owner: Page;
  let tenantId = '';
  const ownerEmail = uniqueEmail('flow-owner');
  const memberEmail = uniqueEmail('flow-member');
  const viewerEmail = uniqueEmail('flow-viewer');

  async function page(): Promise<Page> {
    const context = await newContext(browser, webBase);
    contexts.push(context);
    return context.newPage();
  }

  const model = new FakeModel();

  beforeAll(async () => {
    if (aiPort) await model.listen(aiPort);
    browser = await launchBrowser();
    owner = await page();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    if (aiPort) await model.close();
  });

  async function signUp(p: Page, name: string, email: string) {
    await p.getByLabel('Your name').fill(name);
    await p.getByLabel('Work email').fill(email);
    await p.getByLabel('Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Create account' }).click();
    await p.waitForURL(/\/verify-email/);
    await p.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const mail = await readMail(webBase, email, 'Confirm your email');
    await p.goto(linkIn(mail, '/api/auth/verify-email'));
    await p.getByRole('heading', { name: 'Email confirmed' }).waitFor();
    await p.getByRole('link', { name: 'Continue' }).click();
  }

  /** Opens the invitation mail's link, signs up from there and accepts. */
  async function acceptInvitation(p: Page, name: string, email: string) {
    const mail = await readMail(webBase, email, 'invited');
    await p.goto(linkIn(mail, '/invitations/'));
    await p.getByRole('heading', { name: 'You are invited to a workspace' }).waitFor();
    await p.getByRole('link', { name: 'Create an account' }).click();
    await p.waitForURL(/\/sign-up\?next=/);
    await signUp(p, name, email);
    await p.waitForURL(/\/invitations\//);
    await p.getByRole('button', { name: 'Accept invitation' }).click();
    await p.waitForURL(new RegExp(`/w/${tenantId}/tasks`));
  }

  it('signs up, confirms the email and creates a workspace', async () => {
    await owner.goto('/');
    await owner.getByRole('link', { name: 'Create your workspace' }).click();
    await owner.waitForURL(/\/sign-up/);
    await signUp(owner, 'Olivia Owner', ownerEmail);
    await owner.waitForURL(/\/onboarding/);
    await owner.getByLabel('Workspace name').fill('Flow Test Co');
    await owner.getByRole('button', { name: 'Create workspace' }).click();
    await owner.waitForURL(/\/w\/[^/]+\/tasks/);
    tenantId = new URL(owner.url()).pathname.split('/')[2] as string;
    expect(tenantId).toMatch(/^ten_/);
    await owner.getByRole('heading', { name: 'No tasks yet' }).waitFor();
  });

  it('creates a project and tasks', async () => {
    await owner.goto(`/w/${tenantId}/projects`);
    await owner.getByRole('heading', { name: 'No projects yet' }).waitFor();
    await owner.getByRole('button', { name: 'New project' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Name').fill('Launch');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await owner.getByRole('link', { name: 'Launch', exact: true }).waitFor();

    await owner.goto(`/w/${tenantId}/tasks`);
    for (const title of ['Write the launch plan', 'Book the venue']) {
      await owner.getByRole('button', { name: 'New task' }).first().click();
      const d = owner.getByRole('dialog', { name: 'New task' });
      await d.getByLabel('Title').fill(title);
      await d.getByRole('button', { name: 'Create task' }).click();
      await d.waitFor({ state: 'hidden' });
      await owner.getByRole('link', { name: title }).waitFor();
    }
    await expect.poll(() => owner.getByRole('list', { name: 'Tasks' }).getByRole('listitem').count()).toBe(2);
  });

  it('moves a task on the board by dragging, and the move is saved', async () => {
    await owner.goto(`/w/${tenantId}/board`);
    const todo = owner.locator('[data-column="todo"]');
    const inProgress = owner.locator('[data-column="in_progress"]');
    const card = todo.locator('[data-card]', { hasText: 'Write the launch plan' });
    await card.waitFor();
    const saved = owner.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/tasks/'));
    await card.dragTo(inProgress);
    const response = await saved;
    expect(response.status()).toBe(200);
    expect(response.request().headers()['if-match']).toMatch(/^"task_.+\.\d+"$/);
    await inProgress.locator('[data-card]', { hasText: 'Write the launch plan' }).waitFor();

    await owner.reload();
    await owner.locator('[data-column="in_progress"] [data-card]', { hasText: 'Write the launch plan' }).waitFor();
    expect(await owner.locator('[data-column="todo"] [data-card]', { hasText: 'Write the launch plan' }).count()).toBe(0);
  });

  it('invites a member and a viewer, who accept in their own browsers', async () => {
    await owner.goto(`/w/${tenantId}/members`);
    for (const [email, role] of [
      [memberEmail, 'member'],
      [viewerEmail, 'viewer'],
    ] as const) {
      await owner.getByLabel('Email').fill(email);
      await owner.getByLabel('Role', { exact: true }).selectOption(role);
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      await owner
        .getByRole('region', { name: /Pending invitations/ })
        .getByText(email)
        .waitFor();
    }

    const member = await page();
    await acceptInvitation(member, 'Max Member', memberEmail);
    const viewer = await page();
    await acceptInvitation(viewer, 'Vic Viewer', viewerEmail);

    await owner.reload();
    const members = owner.getByRole('region', { name: /^Members/ });
    await members.getByText('Max Member', { exact: true }).waitFor();
    await members.getByText('Vic Viewer', { exact: true }).waitFor();
    // The invitation list is its own query: wait for it to settle rather than read it once.
    await owner.getByRole('heading', { name: 'No pending invitations' }).waitFor();
  });

  it('lets the member edit their own task', async () => {
    const member = contexts[1]?.pages()[0] as Page;
    await member.goto(`/w/${tenantId}/tasks`);
    await member.getByRole('button', { name: 'New task' }).first().click();
    const d = member.getByRole('dialog', { name: 'New task' });
    await d.getByLabel('Title').fill('Member draft');
    await d.getByRole('button', { name: 'Create task' }).click();
    await d.waitFor({ state: 'hidden' });
    await member.getByRole('link', { name: 'Member draft' }).click();
    await member.waitForURL(/\/tasks\/task_/);
    await member.getByLabel('Title').fill('Member draft, revised');
    await member.getByLabel('Status').selectOption('done');
    await member.getByRole('button', { name: 'Save changes' }).click();
    await member.getByText('Task saved').first().waitFor();
    await member.reload();
    await expect.poll(() => member.getByLabel('Title').inputValue()).toBe('Member draft, revised');
    expect(await member.getByLabel('Status').inputValue()).toBe('done');
  });

  it('shows the viewer no edit controls, and the API refuses their PATCH', async () => {
    const viewer = contexts[2]?.pages()[0] as Page;
    await viewer.goto(`/w/${tenantId}/tasks`);
    const link = viewer.getByRole('link', { name: 'Book the venue' });
    await link.waitFor();
    expect(await viewer.getByRole('button', { name: 'New task' }).count()).toBe(0);
    await link.click();
    await viewer.getByRole('heading', { name: 'Book the venue' }).waitFor();
    await viewer.getByText('You can read this task but not change it.').waitFor();
    expect(await viewer.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Delete task' }).count()).toBe(0);
    expect(await viewer.getByLabel('Add a comment').count()).toBe(0);

    await viewer.goto(`/w/${tenantId}/board`);
    await viewer.locator('[data-card]').first().waitFor();
    expect(await viewer.getByRole('button', { name: /^Move/ }).count()).toBe(0);
    expect(await viewer.locator('[data-card][draggable="true"]').count()).toBe(0);
    const nav = viewer.getByRole('navigation', { name: 'Workspace' });
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);

    const taskId = new URL(`${webBase}${await link.getAttribute('href')}`).pathname.split('/').pop();
    const status = await viewer.evaluate(
      async ([t, id]) => {
        const res = await fetch(`/api/v1/tenants/${t}/tasks/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Viewer was here' }),
        });
        return res.status;
      },
      [tenantId, taskId],
    );
    expect(status).toBe(403);
  });

  it('upgrades through the offline checkout page and lands back on the billing page', async () => {
    await owner.goto(`/w/${tenantId}/billing`);
    await owner.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    await owner.locator('#plan-h', { hasText: 'Free' }).waitFor();
    await owner.getByRole('meter', { name: 'Tasks' }).waitFor();
    await owner.locator('[data-plan="pro"]').getByRole('button', { name: /Pro/ }).click();
    // The offline provider's checkout page, served by the API through the web app's origin.
    await owner.waitForURL(/\/api\/v1\/billing\/offline\/checkout\//);
    await owner.getByRole('heading', { name: /Pro/ }).waitFor();
    await owner.getByRole('button', { name: 'Complete purchase' }).click();
    await owner.waitForURL(new RegExp(`/w/${tenantId}/billing\\?checkout=success`));
    await owner.getByText('Your new plan is active').waitFor();
    await owner.locator('#plan-h', { hasText: 'Pro' }).waitFor();
    expect(await owner.getByRole('button', { name: 'Cancel subscription' }).isVisible()).toBe(true);
  });

  it('breaks a task down with AI against a local model server and creates the chosen subtasks', async () => {
    expect(aiPort, 'global-setup provides the fake model port').toBeGreaterThan(0);
    await owner.goto(`/w/${tenantId}/tasks`);
    await owner.getByRole('link', { name: 'Book the venue' }).click();
    await owner.getByLabel('Title').waitFor();
    const panel = owner.getByRole('region', { name: 'AI breakdown' });
    await panel.getByRole('button', { name: 'Break down with AI' }).click();
    const [first, second, third] = FAKE_BREAKDOWN.subtasks.map((t) => t.title) as [string, string, string];
    await panel.getByLabel(first).waitFor();
    expect(model.calls.some((c) => c.structured && !c.stream)).toBe(true);
    // Model output is text: the markup in a title is shown literally, never rendered.
    await panel.getByText(third, { exact: true }).waitFor();
    expect(await panel.locator('b, i').count()).toBe(0);
    expect(await panel.getByText('Estimate: 2h').isVisible()).toBe(true);

    await panel.getByLabel(second).uncheck();
    await panel.getByRole('button', { name: 'Create selected (2)' }).click();
    await panel.getByText('Created 2 tasks:').waitFor();
    await panel.getByRole('link', { name: first }).waitFor();

    await owner.goto(`/w/${tenantId}/tasks`);
    await owner.getByRole('link', { name: first }).waitFor();
    await owner.getByRole('link', { name: third }).waitFor();
    expect(await owner.getByRole('link', { name: second }).count()).toBe(0);
  });

  it('streams a project summary as it arrives', async () => {
    await owner.goto(`/w/${tenantId}/projects`);
    await owner.getByRole('link', { name: 'Overview of Launch' }).click();
    const panel = owner.getByRole('region', { name: 'AI summary' });
    await panel.getByRole('button', { name: 'Summarize with AI' }).click();
    const text = panel.getByTestId('ai-summary-text');
    // While it streams: part of the text is there and the request can be canceled.
    await panel.getByRole('button', { name: 'Cancel' }).waitFor();
    await expect.poll(async () => ((await text.textContent()) ?? '').length).toBeGreaterThan(5);
    expect((await text.textContent())?.includes(FAKE_SUMMARY)).toBe(false);
    await expect.poll(() => text.textContent(), { timeout: 20_000 }).toContain(FAKE_SUMMARY);
    await panel.getByRole('button', { name: 'Summarize again' }).waitFor();
    expect(model.calls.some((c) => c.stream)).toBe(true);
  });

  it('reports the AI calls’ tokens and cost on the AI usage page', async () => {
    await owner.goto(`/w/${tenantId}/ai-usage`);
    const byModel = owner.getByRole('region', { name: 'By model' });
    await byModel.getByText('openai_compatible:e2e-fake-model').waitFor();
    const byFeature = owner.getByRole('region', { name: 'By feature' });
    await byFeature.getByText('Task breakdown').waitFor();
    await byFeature.getByText('Project summary').waitFor();
    expect(await owner.getByRole('img', { name: /^Tokens per day/ }).count()).toBe(1);
    // Cost is shown in dollars (the ledger keeps micro-dollars), and it is not zero.
    await expect.poll(async () => (await byModel.textContent()) ?? '').toMatch(/\$0\.\d*[1-9]/);
    await owner.screenshot({ path: `${resultsDir}/screenshots/ai-usage-with-data-desktop-light.png`, fullPage: true });
  });

  it('shows the server’s ai_not_configured message when no model is available', async () => {
    // The cheapest honest way without a second app: a platform admin disables the breakdown models in
    // the registry (as in production), so the gateway itself answers 503 ai_not_configured.
    const admin = await createUser(webBase, 'platform-admin', 'Pat Platform', E2E_PLATFORM_ADMIN);
    const models = await admin.http.ok<{ id: string; purpose: string; enabled: boolean }[]>('GET', '/api/v1/admin/ai-models');
    const breakdown = models.filter((m) => m.purpose === 'task_breakdown' && m.enabled);
    expect(breakdown.length).toBeGreaterThan(0);
    for (const m of breakdown) await admin.http.ok('PATCH', `/api/v1/admin/ai-models/${m.id}`, { enabled: false });
    try {
      await owner.goto(`/w/${tenantId}/tasks`);
      await owner.getByRole('link', { name: 'Write the launch plan' }).click();
      const panel = owner.getByRole('region', { name: 'AI breakdown' });
      const calls = model.calls.length;
      await panel.getByRole('button', { name: 'Break down with AI' }).click();
      const notice = panel.getByTestId('ai-not-configured');
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(/No enabled AI model for task_breakdown.*AI_COMPATIBLE_BASE_URL/s);
      expect(await notice.getAttribute('role')).toBe('status');
      expect(await panel.getByRole('alert').count()).toBe(0);
      expect(model.calls.length).toBe(calls);
    } finally {
      for (const m of breakdown) await admin.http.ok('PATCH', `/api/v1/admin/ai-models/${m.id}`, { enabled: true });
    }
  });

  it('shows those actions in the audit log', async () => {
    await owner.goto(`/w/${tenantId}/audit`);
    const table = owner.getByRole('table');
    await table.waitFor();
    for (const action of [
      'task.created',
      'member.invited',
      'member.joined',
      'task.status_changed',
      'billing.checkout_started',
      'billing.checkout_completed',
      'ai.task_breakdown',
      'ai.breakdown_accepted',
    ]) {
      await table.locator(`tr[data-action="${action}"]`).first().waitFor();
    }
    // The filter narrows the list to one action.
    await owner.getByLabel('Action').selectOption('member.joined');
    await owner.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => table.locator('tbody tr:not([data-action="member.joined"])').count()).toBe(0);
    expect(await table.locator('tbody tr[data-action="member.joined"]').count()).toBe(3);
  });
});
