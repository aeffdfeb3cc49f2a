/**
 * The README's promise, end to end: `npm start` (scripts/start.mjs) builds what is not built and runs
 * API + worker + frontend; the API is healthy and documented, the frontend serves a page and proxies
 * /api/* to the backend; data survives a stop and a start. Embedded database by default; with
 * TEST_DB=postgres the same run goes against a fresh PostgreSQL database.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPostgresTestDatabase, databaseUrl, dropPostgresTestDatabase } from '../helpers/db-fixtures.ts';
import { waitFor } from '../helpers/wait.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-e2e-'));
let pgDatabase: string | undefined;
let child: ChildProcess | undefined;
let output = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startApp(env: Record<string, string>) {
  output = '';
  child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), 'start'], {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await waitFor(
    async () => {
      if (child?.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      try {
        const [api, web] = await Promise.all([fetch(`${env.API_BASE}/readyz`), fetch(`${env.WEB_BASE}/`)]);
        return api.ok && web.ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 240_000, intervalMs: 500 },
  );
}

async function stopApp(): Promise<number | null> {
  const proc = child;
  if (!proc || proc.exitCode !== null) return proc?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.kill('SIGTERM');
  return exited;
}

afterAll(async () => {
  await stopApp();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (pgDatabase) await dropPostgresTestDatabase(pgDatabase);
});

describe('npm start', () => {
  it('runs the whole app, serves the documented API through the frontend, and keeps data across restarts', async () => {
    const apiPort = await freePort();
    const webPort = await freePort();
    const env: Record<string, string> = {
      API_PORT: String(apiPort),
      WEB_PORT: String(webPort),
      WEB_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      API_BASE: `http://127.0.0.1:${apiPort}`,
      WEB_BASE: `http://127.0.0.1:${webPort}`,
    };
    const testDb = inject('testDb');
    if (testDb.kind === 'postgres') {
      pgDatabase = await createPostgresTestDatabase(testDb.template);
      env.DATABASE_URL = databaseUrl(pgDatabase);
    }
    await startApp(env);

    expect((await fetch(`${env.API_BASE}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${env.API_BASE}/readyz`)).json()).toMatchObject({ status: 'ready' });

    // The OpenAPI document is 3.1 and passes Redocly's recommended ruleset with no errors.
    const docRes = await fetch(`${env.API_BASE}/api/v1/openapi.json`);
    const doc = (await docRes.json()) as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
    const docFile = path.join(dataDir, 'openapi.json');
    fs.writeFileSync(docFile, JSON.stringify(doc));
    const lint = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', docFile, '--format=summary'],
      {
        encoding: 'utf8',
      },
    );
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);

    // The frontend serves a page and proxies the API.
    const page = await fetch(`${env.WEB_BASE}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Atrium');
    const proxied = await fetch(`${env.WEB_BASE}/api/v1/openapi.json`);
    expect(proxied.status).toBe(200);
    expect(((await proxied.json()) as { openapi: string }).openapi).toBe('3.1.0');

    // Write something through the frontend's proxy, wait for the worker to deliver it.
    const to = `persist-${Date.now()}@example.com`;
    const sent = await fetch(`${env.WEB_BASE}/api/v1/dev/mail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to, subject: 'Persist me', text: 'still here after a restart' }),
    });
    expect(sent.status).toBe(202);
    await waitFor(
      async () => ((await (await fetch(`${env.API_BASE}/api/v1/dev/outbox?to=${to}`)).json()) as { data: unknown[] }).data.length === 1,
    );

    // Black-box identity and tenancy through the frontend's origin, as a browser or script would.
    await blackBoxTeamFlow(env.WEB_BASE as string, env.API_BASE as string);

    // Stop gracefully, start again: the data is still there.
    expect(await stopApp()).toBe(0);
    await startApp(env);
    const after = (await (await fetch(`${env.API_BASE}/api/v1/dev/outbox?to=${to}`)).json()) as { data: { subject: string }[] };
    expect(after.data).toHaveLength(1);
    expect(after.data[0]?.subject).toBe('Persist me');
  }, 600_000);
});

type Json = { data?: unknown; [k: string]: unknown };

/** Sign up two people, verify through the outbox, get JWTs, create a workspace, invite, accept, change a role, leave. */
async function blackBoxTeamFlow(web: string, api: string) {
  const origin = web.replace('127.0.0.1', 'localhost');
  const call = async (method: string, url: string, init: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${web}${url}`, {
      method,
      headers: { origin, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json, cookies: res.headers.getSetCookie() };
  };
  const person = async (label: string) => {
    const email = `${label}-${Date.now()}@example.com`;
    const password = 'a-long-enough-password';
    expect((await call('POST', '/api/auth/sign-up/email', { body: { email, password, name: label } })).status).toBe(200);
    const mail = await waitFor(async () => {
      const out = (await (await fetch(`${api}/api/v1/dev/outbox?to=${encodeURIComponent(email)}`)).json()) as {
        data: { subject: string; links: string[] }[];
      };
      return out.data.find((m) => m.subject.includes('Confirm'));
    });
    const link = new URL(mail.links[0] as string);
    expect((await call('GET', `${link.pathname}${link.search}`)).status).toBeLessThan(400);
    const signedIn = await call('POST', '/api/auth/sign-in/email', { body: { email, password } });
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.cookies.map((c) => c.split(';')[0]).join('; ');
    const token = (await call('GET', '/api/auth/token', { headers: { cookie } })).json.token as string;
    return { email, h: { authorization: `Bearer ${token}` } };
  };
  const owner = await person('owner');
  const colleague = await person('colleague');
  const tenant = await call('POST', '/api/v1/tenants', { body: { name: 'Black box' }, headers: owner.h });
  expect(tenant.status).toBe(201);
  const tenantId = (tenant.json.data as { id: string }).id;
  const invite = await call('POST', `/api/v1/tenants/${tenantId}/invitations`, {
    body: { email: colleague.email, role: 'member' },
    headers: owner.h,
  });
  expect(invite.status).toBe(201);
  const accept = await call('POST', `/api/v1/invitations/${(invite.json.data as { id: string }).id}/accept`, { headers: colleague.h });
  expect(accept.status).toBe(200);
  const members = (await call('GET', `/api/v1/tenants/${tenantId}/members`, { headers: owner.h })).json.data as {
    id: string;
    email: string;
  }[];
  const member = members.find((m) => m.email === colleague.email) as { id: string };
  expect(
    (await call('PATCH', `/api/v1/tenants/${tenantId}/members/${member.id}`, { body: { role: 'editor' }, headers: owner.h })).status,
  ).toBe(200);
  expect((await call('DELETE', `/api/v1/tenants/${tenantId}/members/${member.id}`, { headers: colleague.h })).status).toBe(200);
  expect((await call('GET', `/api/v1/tenants/${tenantId}`, { headers: colleague.h })).status).toBe(404);
  const audit = (await call('GET', `/api/v1/tenants/${tenantId}/audit-logs`, { headers: owner.h })).json.data as { action: string }[];
  expect(audit.map((a) => a.action)).toEqual(
    expect.arrayContaining(['tenant.created', 'member.invited', 'member.joined', 'member.role_changed', 'member.removed']),
  );
}
