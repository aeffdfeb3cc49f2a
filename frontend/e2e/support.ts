/**
 * Shared pieces of the browser tests: Chromium, the app's address, the dev outbox, and users and
 * workspaces made through the public HTTP API (for tests that are about pages, not about sign-up).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** A verified user with this email is a platform admin of the app under test (global-setup sets PLATFORM_ADMIN_EMAILS). */
export const E2E_PLATFORM_ADMIN = 'e2e-platform-admin@example.com';
/** A second one, for e2e/platform.test.ts (each address can sign up once per app run). */
export const E2E_PLATFORM_ADMIN_2 = 'e2e-platform-admin-2@example.com';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);
export const PASSWORD = 'correct-horse-battery-staple';
export const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

if (!hasChromium) console.warn(`[e2e] skipping browser tests: ${CHROMIUM_PATH} does not exist (apt-get install -y chromium)`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function newContext(
  browser: Browser,
  webBase: string,
  opts: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number }; cookie?: string } = {},
): Promise<BrowserContext> {
  const phone = opts.viewport?.width === PHONE.width;
  const context = await browser.newContext({
    baseURL: webBase,
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.colorScheme ?? 'light',
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(45_000);
  if (opts.cookie) await context.addCookies(cookiesFor(opts.cookie, webBase));
  return context;
}

function cookiesFor(cookieHeader: string, url: string) {
  return cookieHeader
    .split('; ')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      return { name: pair.slice(0, i), value: pair.slice(i + 1), url };
    });
}

let counter = 0;
export const uniqueEmail = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}@example.com`;

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Node's side of the tests talks to 127.0.0.1 (the server's address); the browser uses localhost. */
export const direct = (webBase: string) => webBase.replace('//localhost:', '//127.0.0.1:');

export interface Mail {
  to: string;
  subject: string;
  text: string;
  links: string[];
}

/** The newest mail to `to` whose subject contains `subject`, from GET /api/v1/dev/outbox. */
export async function readMail(webBase: string, to: string, subject: string): Promise<Mail> {
  return waitFor(async () => {
    const res = await fetch(`${direct(webBase)}/api/v1/dev/outbox?to=${encodeURIComponent(to)}`);
    if (!res.ok) return undefined;
    const mails = ((await res.json()) as { data: Mail[] }).data;
    return mails.find((m) => m.subject.includes(subject));
  });
}

/** The link of a mail that starts with `prefix` (a path on the web app). */
export function linkIn(mail: Mail, pathPrefix: string): string {
  const link = mail.links.find((l) => new URL(l).pathname.startsWith(pathPrefix));
  if (!link) throw new Error(`no ${pathPrefix} link in "${mail.subject}": ${mail.links.join(', ')}`);
  return link;
}

// --- the public HTTP API, as a browser would call it (same origin, session cookie) ----------------

function mergeCookies(current: string, res: Response): string {
  const jar = new Map(
    current
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as const),
  );
  for (const raw of res.headers.getSetCookie()) {
    const [pair] = raw.split(';') as [string];
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    if (value === '' || /max-age=0\b/i.test(raw)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
}

export interface ApiUser {
  email: string;
  name: string;
  id: string;
  cookie: string;
}

export class Http {
  readonly webBase: string;
  cookie: string;

  constructor(webBase: string, cookie = '') {
    this.webBase = webBase;
    this.cookie = cookie;
  }

  async req<T = unknown>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
    const res = await fetch(`${direct(this.webBase)}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        origin: this.webBase,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    this.cookie = mergeCookies(this.cookie, res);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json: json as T };
  }

  async ok<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.req<{ data: T }>(method, url, body);
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.data;
  }
}

/** Signs up through Better Auth, confirms the email through the outbox link, and signs in. */
export async function createUser(
  webBase: string,
  label: string,
  name = label,
  email = uniqueEmail(label),
): Promise<ApiUser & { http: Http }> {
  const http = new Http(webBase);
  const up = await http.req<{ user: { id: string } }>('POST', '/api/auth/sign-up/email', { email, password: PASSWORD, name });
  if (up.status !== 200) throw new Error(`sign-up: ${up.status} ${JSON.stringify(up.json)}`);
  const mail = await readMail(webBase, email, 'Confirm your email');
  const link = new URL(mail.links[0] as string);
  const verified = await http.req('GET', `${link.pathname}${link.search}`);
  if (verified.status >= 400) throw new Error(`verify: ${verified.status}`);
  const signIn = await http.req('POST', '/api/auth/sign-in/email', { email, password: PASSWORD });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${JSON.stringify(signIn.json)}`);
  return { email, name, id: up.json.user.id, cookie: http.cookie, http };
}

export async function addMember(owner: Http, tenantId: string, role: string, label: string, name: string) {
  const user = await createUser(owner.webBase, label, name);
  const inv = await owner.ok<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/invitations`, { email: user.email, role });
  await user.http.ok('POST', `/api/v1/invitations/${inv.id}/accept`);
  return user;
}

export interface Seeded {
  owner: ApiUser & { http: Http };
  tenantId: string;
  projectId: string;
  taskId: string;
  invitationId: string;
}

/** A workspace with a few members, projects (the free plan allows 3), tasks in every status, comments and a pending invitation. */
export async function seedWorkspace(webBase: string): Promise<Seeded> {
  const owner = await createUser(webBase, 'owner', 'Olivia Owner');
  const tenant = await owner.http.ok<{ id: string }>('POST', '/api/v1/tenants', { name: 'Northwind Studio' });
  const tenantId = tenant.id;
  const editor = await addMember(owner.http, tenantId, 'editor', 'editor', 'Eddie Editor');
  await addMember(owner.http, tenantId, 'viewer', 'viewer', 'Vera Viewer');
  const projects = [];
  for (const [name, color, description] of [
    ['Website relaunch', '#4f46e5', 'New marketing site, docs and blog.'],
    ['Mobile app', '#059669', 'iOS and Android, first public beta.'],
  ] as const) {
    projects.push(await owner.http.ok<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/projects`, { name, color, description }));
  }
  const archived = await owner.http.ok<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/projects`, {
    name: 'Q1 offsite',
    color: '#475569',
  });
  await owner.http.ok('DELETE', `/api/v1/tenants/${tenantId}/projects/${archived.id}`);
  const p0 = projects[0]?.id as string;
  const p1 = projects[1]?.id as string;
  const tasks: [string, string, string, string, string | null, string[], string | null][] = [
    ['Draft the homepage copy', p0, 'in_progress', 'high', editor.id, ['copy', 'web'], '2030-01-15'],
    ['Pick a hosting provider', p0, 'todo', 'medium', owner.id, ['infra'], '2030-02-01'],
    ['Design the pricing page', p0, 'todo', 'urgent', editor.id, ['design'], '2020-06-01'],
    ['Set up analytics', p0, 'done', 'low', null, [], null],
    ['App store screenshots', p1, 'todo', 'medium', null, ['design'], null],
    ['Crash reporting', p1, 'in_progress', 'high', owner.id, ['infra'], '2030-03-10'],
    ['Offline mode spike', p1, 'canceled', 'low', null, [], null],
  ];
  let taskId = '';
  for (const [title, projectId, status, priority, assigneeId, labels, dueDate] of tasks) {
    const t = await owner.http.ok<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/tasks`, {
      title,
      projectId,
      status,
      priority,
      assigneeId,
      labels,
      dueDate,
      description: `Notes for “${title}”.\n\n- first step\n- second step`,
    });
    taskId ||= t.id;
  }
  await owner.http.ok('POST', `/api/v1/tenants/${tenantId}/tasks/${taskId}/comments`, {
    body: 'First pass is in the doc, feedback welcome.',
  });
  await editor.http.ok('POST', `/api/v1/tenants/${tenantId}/tasks/${taskId}/comments`, { body: 'Looks great. Shorter headline?' });
  const inv = await owner.http.ok<{ id: string }>('POST', `/api/v1/tenants/${tenantId}/invitations`, {
    email: uniqueEmail('pending'),
    role: 'member',
  });
  return { owner, tenantId, projectId: p0, taskId, invitationId: inv.id };
}

/** Opens `path` and waits for `ready` text; on failure saves a screenshot under test-results/failures/. */
export async function openPage(page: Page, path: string, ready: string | undefined, label: string) {
  try {
    await page.goto(path);
    if (ready) await page.getByText(ready, { exact: false }).filter({ visible: true }).first().waitFor();
    await settle(page);
  } catch (err) {
    const dir = `${resultsDir}/failures`;
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: `${dir}/${label.replace(/[^\w.-]+/g, '_')}.png`, fullPage: true }).catch(() => undefined);
    throw new Error(`${label}: ${(err as Error).message}\n(url ${page.url()})`);
  }
}

/** Waits until the client has rendered (no spinner or skeleton in the main region). */
export async function settle(page: Page) {
  await page.waitForLoadState('load');
  await page
    .waitForFunction(
      () =>
        !document.querySelector('main [class*="animate-spin"], main [class*="animate-pulse"], main [role="status"][aria-label^="Loading"]'),
      null,
      {
        timeout: 20_000,
      },
    )
    .catch(() => undefined);
  await page.evaluate(() => document.fonts?.ready);
}
