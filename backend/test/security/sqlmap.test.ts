/**
 * sqlmap (the Debian package, /usr/bin/sqlmap) against a real server on a socket with a bearer token:
 * list filters, sort and cursor, full-text search (`q`), a get by path id and a JSON create. No
 * parameter may be injectable. A deliberately injectable canary route (added only in this test) proves
 * that sqlmap, as configured here, does find an injection when there is one.
 *
 * SECURITY_MODE=ci: boolean and error-based techniques at level 1 on the main parameters (fast).
 * Full (default, or SECURITY_FULL=1): level 3 / risk 2, boolean, error, union, stacked and time-based,
 * on every listed parameter.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, getJwt, type TestUser } from '../helpers/auth.ts';
import { MODE, record } from './support.ts';

const SQLMAP = '/usr/bin/sqlmap';
const FULL = MODE === 'full';
const OPTIONS = FULL
  ? ['--level', '3', '--risk', '2', '--technique', 'BEUST', '--time-sec', '2']
  : ['--level', '1', '--risk', '1', '--technique', 'BE'];

let t: TestApp;
let owner: TestUser;
let base = '';
let outDir = '';
const ids: Record<string, string> = {};
const results: { target: string; params: number; injectable: string[]; seconds: number }[] = [];

interface Target {
  name: string;
  method: 'GET' | 'POST';
  url: () => string;
  data?: () => string;
  /** Parameters to test (-p); a path target marks its injection point with `*` instead. */
  params?: string[];
  ci: boolean;
}

const TARGETS: Target[] = [
  {
    name: 'list tasks: filters, search, sort, cursor',
    method: 'GET',
    url: () =>
      `${base}/api/v1/tenants/${ids.tenantId}/tasks?projectId=${ids.projectId}&status=todo&priority=high&label=launch&q=launch&sort=createdAt&cursor=abc&limit=10`,
    params: FULL ? ['projectId', 'status', 'priority', 'label', 'q', 'sort', 'cursor', 'limit'] : ['q', 'projectId', 'cursor'],
    ci: true,
  },
  {
    name: 'audit log filters',
    method: 'GET',
    url: () => `${base}/api/v1/tenants/${ids.tenantId}/audit-logs?actorId=${owner.id}&action=task.created&targetId=${ids.taskId}`,
    params: ['actorId', 'action', 'targetId'],
    ci: false,
  },
  {
    name: 'get task by path id',
    method: 'GET',
    url: () => `${base}/api/v1/tenants/${ids.tenantId}/tasks/${ids.taskId}*`,
    ci: true,
  },
  {
    name: 'get project by path id',
    method: 'GET',
    url: () => `${base}/api/v1/tenants/${ids.tenantId}/projects/${ids.projectId}*`,
    ci: false,
  },
  {
    name: 'create task (JSON body)',
    method: 'POST',
    url: () => `${base}/api/v1/tenants/${ids.tenantId}/tasks`,
    data: () => JSON.stringify({ projectId: ids.projectId, title: 'sqlmap probe', description: 'probe' }),
    params: FULL ? ['projectId', 'title', 'description'] : ['title'],
    ci: true,
  },
];

function runSqlmap(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      SQLMAP,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: 900_000, env: { ...process.env, HOME: outDir } },
      (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
}

async function scan(target: { method: string; url: string; data?: string; params?: string[] }) {
  const args = [
    '-u',
    target.url,
    '--batch',
    '--disable-coloring',
    '--flush-session',
    '--dbms',
    'PostgreSQL',
    '--output-dir',
    outDir,
    '--timeout',
    '10',
    '--retries',
    '1',
    '--threads',
    '1',
    ...OPTIONS,
  ];
  // One --headers option (a second one would replace the first), lines separated by \n.
  const headers = [`Authorization: Bearer ${owner.jwt}`];
  if (target.method === 'POST') {
    headers.push('Content-Type: application/json');
    args.push('--method', 'POST', '--data', target.data ?? '{}');
  }
  args.push('--headers', headers.join('\n'));
  if (target.params) args.push('-p', target.params.join(','));
  return runSqlmap(args);
}

/** Parameters sqlmap reports as injectable ("Parameter: q (GET)" blocks after "identified the following"). */
function injectableIn(output: string): string[] {
  const found = new Set<string>();
  for (const m of output.matchAll(/(?:GET|POST|URI|JSON|\(custom\)) parameter '([^']+)' is vulnerable/gi)) found.add(m[1] as string);
  const block = output.split(/identified the following injection point/i)[1];
  if (block) for (const m of block.matchAll(/^Parameter: (.+)$/gm)) found.add((m[1] as string).trim());
  return [...found];
}

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-sqlmap-'));
  t = await startTestApp({
    extraRoutes: async (app) => {
      // The canary: a query built by string concatenation, the bug this suite exists to catch.
      app.get('/test-only/sqli-canary', async (request) => {
        const id = String((request.query as { id?: string }).id ?? '');
        try {
          const rows = await app.database.db.execute(sql.raw(`select count(*)::int as n from plans where id = '${id}'`));
          const list = (rows as unknown as { rows?: unknown[] }).rows ?? (rows as unknown as unknown[]);
          return { success: true, data: list };
        } catch {
          return { success: false };
        }
      });
    },
  });
  owner = await createUser(t.app, { label: 'sqlmap', verify: false });
  const inject = async (method: 'POST', url: string, payload: object) => {
    const res = await t.app.inject({ method, url, headers: owner.h, payload });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json().data.id as string;
  };
  ids.tenantId = await inject('POST', '/api/v1/tenants', { name: 'Sqlmap' });
  ids.projectId = await inject('POST', `/api/v1/tenants/${ids.tenantId}/projects`, { name: 'Launch' });
  ids.taskId = await inject('POST', `/api/v1/tenants/${ids.tenantId}/tasks`, {
    projectId: ids.projectId,
    title: 'Launch the site',
    labels: ['launch'],
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
}, 180_000);

afterAll(async () => {
  const params = results.reduce((n, r) => n + r.params, 0);
  const injectable = results.flatMap((r) => r.injectable.map((p) => `${r.target}: ${p}`));
  record({
    check: 'sqlmap',
    order: 3,
    cases: params,
    failures: injectable.length,
    figures: `${results.length} endpoints, ${params} parameters (${FULL ? 'level 3, risk 2, BEUST' : 'level 1, risk 1, BE'}), ${injectable.length} injectable; ${results
      .map((r) => `${r.seconds} s`)
      .join(' + ')}; canary detected`,
  });
  await t?.close();
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('sqlmap', () => {
  it('finds the injectable canary (the scan can fail)', async () => {
    const output = await runSqlmap([
      '-u',
      `${base}/test-only/sqli-canary?id=free`,
      '--batch',
      '--disable-coloring',
      '--flush-session',
      '--dbms',
      'PostgreSQL',
      '--output-dir',
      outDir,
      '--technique',
      'B',
      '-p',
      'id',
    ]);
    expect(injectableIn(output), output.slice(-2000)).toContain('id (GET)');
  });

  for (const target of TARGETS.filter((x) => FULL || x.ci)) {
    it(`${target.name}: no injectable parameter`, async () => {
      const started = Date.now();
      // A fresh token per scan: a full run outlasts one token's 15 minutes.
      owner.jwt = await getJwt(t.app, owner.cookie);
      const output = await scan({ method: target.method, url: target.url(), data: target.data?.(), params: target.params });
      const injectable = injectableIn(output);
      results.push({
        target: target.name,
        params: target.params?.length ?? 1,
        injectable,
        seconds: Math.round((Date.now() - started) / 1000),
      });
      // sqlmap really reached the endpoint and tested it.
      expect(output, output.slice(-3000)).toMatch(/testing connection to the target URL/i);
      expect(output, output.slice(-3000)).not.toMatch(
        /unable to connect|connection refused|got a 401|HTTP error codes detected during run:\s*\n?401/i,
      );
      expect(output, output.slice(-3000)).toMatch(/do(es)? not (seem|appear) to be injectable/i);
      // Every listed parameter was tested and judged not injectable.
      for (const p of (target.params ?? ['#1*']).map((name) => (target.method === 'POST' ? `JSON ${name}` : name)))
        expect(output, `${p}: ${output.slice(-3000)}`).toContain(`parameter '${p}' does not seem to be injectable`);
      expect(injectable, output.slice(-3000)).toEqual([]);
    });
  }
});
