/**
 * The API platform in the browser: an API key is created (its secret shown once, then only its
 * prefix), works against the API, and is revoked; a webhook endpoint is registered and listed with
 * its (empty) delivery log; a viewer sees neither page. With the platform-admin API deployed, a
 * platform admin searches users, impersonates one (banner across the app) and stops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type ApiUser,
  addMember,
  createUser,
  DESKTOP,
  direct,
  E2E_PLATFORM_ADMIN_2,
  type Http,
  hasChromium,
  launchBrowser,
  newContext,
  openPage,
  PHONE,
  resultsDir,
  waitFor,
} from './support';

const webBase = inject('webBase');

/** Upgrades a workspace to Pro through the offline provider's checkout, as its page's form would. */
async function upgradeToPro(http: Http, tenantId: string) {
  const { url } = await http.ok<{ url: string }>('POST', `/api/v1/tenants/${tenantId}/billing/checkout`, {
    planId: 'pro',
    interval: 'monthly',
  });
  const checkout = new URL(url);
  const done = await http.req('POST', `${checkout.pathname}/complete`, { outcome: 'success' });
  expect(done.status, JSON.stringify(done.json)).toBe(303);
  await waitFor(async () => {
    const sub = await http.ok<{ entitlements: { features: { api_keys: boolean; webhooks: boolean } } }>(
      'GET',
      `/api/v1/tenants/${tenantId}/subscription`,
    );
    return sub.entitlements.features.api_keys && sub.entitlements.features.webhooks;
  });
}

/** A full-page screenshot next to the main pages' ones (test-results/screenshots/). */
async function shot(page: Page, name: string) {
  const dir = path.join(resultsDir, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

async function apiStatus(key: string, tenantId: string) {
  const res = await fetch(`${direct(webBase)}/api/v1/tenants/${tenantId}/projects`, { headers: { 'x-api-key': key } });
  return res.status;
}

describe.skipIf(!hasChromium || !webBase)('API platform pages', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let owner: ApiUser & { http: Http };
  let tenantId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    owner = await createUser(webBase, 'platform-owner', 'Priya Platform');
    tenantId = (await owner.http.ok<{ id: string }>('POST', '/api/v1/tenants', { name: 'Integrations Inc' })).id;
    await upgradeToPro(owner.http, tenantId);
    context = await newContext(browser, webBase, { cookie: owner.cookie });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('creates an API key whose secret is shown once, then only its prefix; revoking it stops it working', async () => {
    await openPage(page, `/w/${tenantId}/api-keys`, 'No API keys yet', 'platform-api-keys-empty');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Name').fill('CI deploy');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    await reveal.waitFor();
    await reveal.getByText('This is the only time you will see it.').waitFor();
    const secret = (await reveal.getByTestId('revealed-secret').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await shot(page, 'api-keys-secret-once-desktop-light');
    expect(await apiStatus(secret, tenantId)).toBe(200);

    await reveal.getByRole('button', { name: 'I have copied it' }).click();
    await reveal.waitFor({ state: 'hidden' });
    const row = page.getByTestId('api-key-row').filter({ hasText: 'CI deploy' });
    await row.waitFor();
    const prefix = ((await row.locator('code').first().textContent()) ?? '').replace('…', '');
    expect(prefix.length).toBeGreaterThan(3);
    expect(secret.startsWith(prefix)).toBe(true);
    // Gone for good: not in the page, not after a reload.
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);
    await row.getByText('Active', { exact: true }).waitFor();

    await row.getByRole('button', { name: 'Revoke CI deploy' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke CI deploy?' });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.getByText('Revoked').waitFor();
    expect(await row.getByRole('button', { name: 'Revoke CI deploy' }).count()).toBe(0);
    await waitFor(async () => (await apiStatus(secret, tenantId)) === 401, { timeoutMs: 10_000 });
    await shot(page, 'api-keys-listed-desktop-light');
  }, 90_000);

  it('registers a webhook endpoint (secret shown once) and lists it with its delivery log', async () => {
    // A public address literal: the API refuses private and loopback targets (no DNS needed).
    const hookUrl = `https://93.184.215.14/atrium-${Date.now().toString(36)}`;
    await openPage(page, `/w/${tenantId}/webhooks`, 'No webhook endpoints yet', 'platform-webhooks-empty');
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await dialog.getByLabel('Endpoint URL').fill(hookUrl);
    await dialog.getByLabel('Description (optional)').fill('Sync to the data warehouse');
    await dialog.getByText('Comment added').click();
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();

    const reveal = page.getByRole('dialog', { name: 'Your webhook signing secret' });
    await reveal.waitFor();
    const secret = (await reveal.getByTestId('revealed-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    await reveal.getByRole('button', { name: 'I have copied it' }).click();

    const row = page.getByTestId('webhook-row').filter({ hasText: hookUrl });
    await row.waitFor();
    await row.getByText('Sync to the data warehouse').waitFor();
    for (const e of ['task.created', 'task.updated', 'comment.created']) await row.getByText(e, { exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);

    const listed = await owner.http.ok<{ url: string; events: string[] }[]>('GET', `/api/v1/tenants/${tenantId}/webhooks`);
    expect(listed.find((w) => w.url === hookUrl)?.events.sort()).toEqual(['comment.created', 'task.created', 'task.updated']);

    await row.getByRole('button', { name: 'Deliveries' }).click();
    await row
      .getByText(/No deliveries yet|Deliveries, newest first/)
      .first()
      .waitFor();
    await shot(page, 'webhooks-listed-desktop-light');
  }, 90_000);

  it('pricing shows the plans from the API and fits a phone', async () => {
    const plans = (await (await fetch(`${direct(webBase)}/api/v1/plans`)).json()) as { data: { name: string }[] };
    const c = await newContext(browser, webBase, { viewport: PHONE });
    try {
      const p = await c.newPage();
      await openPage(p, '/pricing', 'Compare plans', 'platform-pricing-phone');
      for (const plan of plans.data) await p.getByRole('heading', { name: plan.name, exact: true }).waitFor();
      await p.getByRole('link', { name: 'Start for free' }).waitFor();
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    } finally {
      await c.close();
    }
  }, 60_000);

  it('a viewer sees neither page nor its navigation entries', async () => {
    const viewer = await addMember(owner.http, tenantId, 'viewer', 'platform-viewer', 'Vic Viewer');
    const ctx = await newContext(browser, webBase, { cookie: viewer.cookie });
    try {
      const p = await ctx.newPage();
      await openPage(p, `/w/${tenantId}/api-keys`, 'Only owners and admins', 'platform-viewer-api-keys');
      expect(await p.getByRole('link', { name: 'API keys' }).count()).toBe(0);
      expect(await p.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
      await openPage(p, `/w/${tenantId}/webhooks`, 'Only owners and admins', 'platform-viewer-webhooks');
    } finally {
      await ctx.close();
    }
  }, 90_000);

  it('platform admin: users, impersonation with a banner across the app, stop', async (ctx) => {
    const probe = await owner.http.req('GET', '/api/v1/admin/users');
    if (probe.status === 404) {
      ctx.skip(); // the platform-admin API is not in this build yet
      return;
    }
    expect(probe.status).toBe(403); // a workspace owner is not a platform admin

    const admin = await createUser(webBase, 'platform-admin-2', 'Ada Admin', E2E_PLATFORM_ADMIN_2);
    const shots = path.join(resultsDir, 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const c = await newContext(browser, webBase, { viewport, colorScheme, cookie: admin.cookie });
        const p = await c.newPage();
        await openPage(p, '/admin', 'Business metrics', `admin-${device}-${colorScheme}`);
        // Against the emulated width: a phone's layout viewport grows with content that is too wide.
        expect(await p.evaluate(() => document.documentElement.scrollWidth), `admin is wider than the ${device}`).toBeLessThanOrEqual(
          viewport.width,
        );
        await p.screenshot({ path: path.join(shots, `admin-${device}-${colorScheme}.png`), fullPage: true });
        const axe = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
        const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        await c.close();
      }
    }

    const c = await newContext(browser, webBase, { cookie: admin.cookie });
    try {
      const p = await c.newPage();
      await openPage(p, '/admin', 'Business metrics', 'admin-impersonate');
      for (const [tab, ready] of [
        ['Business metrics', 'Monthly recurring revenue'],
        ['AI models', /Priority|No AI models/],
        ['Top queries', /Top 20 statements|not available/],
        ['Subscriptions', 'Integrations Inc'],
        ['Workspaces', 'Integrations Inc'],
      ] as const) {
        await p.getByRole('tab', { name: tab }).click();
        await p.getByRole('tabpanel').getByText(ready).first().waitFor();
        await shot(p, `admin-${tab.toLowerCase().replace(/\s+/g, '-')}-desktop-light`);
      }
      await p.getByRole('tab', { name: 'Users' }).click();
      await p.getByRole('searchbox', { name: 'Search users by email or name' }).fill(owner.email);
      const row = p.getByTestId('admin-user-row').filter({ hasText: owner.email });
      await row.waitFor();
      await waitFor(async () => (await p.getByTestId('admin-user-row').count()) === 1, { timeoutMs: 10_000 }); // the search applied
      await row.getByRole('button', { name: 'Impersonate' }).click();
      const dialog = p.getByRole('dialog', { name: `Impersonate ${owner.email}?` });
      await dialog.getByLabel('Reason').fill('Support ticket #4521: cannot see the webhooks page');
      await dialog.getByRole('button', { name: 'Start impersonating' }).click();
      const banner = p.getByRole('region', { name: 'Impersonation' });
      await banner.getByText('You are impersonating').waitFor();
      await banner.getByText(owner.name).waitFor();
      await p.goto(`/w/${tenantId}/tasks`);
      await banner.getByText('You are impersonating').waitFor();
      await banner.getByRole('button', { name: 'Stop impersonating' }).click();
      await p.waitForURL('**/admin');
      await p.getByText('Business metrics').first().waitFor();
      expect(await p.getByRole('region', { name: 'Impersonation' }).count()).toBe(0);
    } finally {
      await c.close();
    }
  }, 240_000);
});
