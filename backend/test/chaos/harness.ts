/**
 * Chaos harness: each run owns its faults. A private PostgreSQL cluster (initdb in a temporary folder,
 * its own port and socket directory), a private redis-server child, and the API as a real child
 * process (`node src/server.ts`). Nothing here touches the machine's PostgreSQL on 5432 or Redis on
 * 6379. All traffic stays on 127.0.0.1, and every loop is bounded in count and time.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** `CHAOS_MODE=ci`: fewer creates and shorter loops (target: the whole suite in under 4 minutes). */
export const CI_MODE = process.env.CHAOS_MODE === 'ci';
export const ORIGIN = 'http://localhost:3000';
export const PASSWORD = 'correct-horse-battery-staple';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary; as root through `runuser -u postgres` (initdb refuses to run as root). */
function pgExec(bin: string, args: string[]): Promise<string> {
  const cmd = isRoot ? 'runuser' : path.join(PG_BIN, bin);
  const argv = isRoot ? ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args] : args;
  return new Promise((resolve, reject) => {
    // Asynchronous, so the clients under test keep running (and keep their timings honest) meanwhile.
    execFile(cmd, argv, { encoding: 'utf8', timeout: 90_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${bin} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** A PostgreSQL 15 cluster of our own, to stop and start at will. */
export class PrivatePostgres {
  readonly dir: string;
  readonly port: number;
  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  static async create(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-chaos-pg-'));
    if (isRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      fs.chownSync(dir, uid, gid);
    }
    const pgdb = new PrivatePostgres(dir, await freePort());
    await pgExec('initdb', ['-D', pgdb.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    await pgdb.start();
    return pgdb;
  }

  get dataDir() {
    return path.join(this.dir, 'data');
  }

  /** Superuser URL: the API migrates with it and the tests read the truth through it (RLS bypassed). */
  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    await pgExec('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      path.join(this.dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=100`,
      'start',
    ]);
  }

  /** The fault: `pg_ctl stop -m immediate` (every backend killed, crash recovery on the next start). */
  async stopImmediate(): Promise<void> {
    await pgExec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      await this.stopImmediate();
    } catch {
      // already stopped
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** A redis-server child of our own (`--save ""`: nothing on disk). */
export class PrivateRedis {
  readonly port: number;
  private child: ChildProcess | undefined;
  private constructor(port: number) {
    this.port = port;
  }

  static async create(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if ((await this.command('PING').catch(() => '')).includes('PONG')) return;
      await sleep(50);
    }
    throw new Error('private redis-server did not start');
  }

  /** The fault: SIGKILL, the way a crashed or OOM-killed Redis disappears. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** One inline command over a raw socket; answers the raw reply. */
  command(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.port, '127.0.0.1');
      let out = '';
      sock.setTimeout(2_000, () => sock.destroy(new Error('timeout')));
      sock.on('error', reject);
      sock.on('data', (d) => {
        out += d;
        if (out.endsWith('\r\n')) sock.end();
      });
      sock.on('close', () => resolve(out));
      sock.write(`${cmd}\r\n`);
    });
  }
}

/** The API as a real process: `node src/server.ts`, migrations applied on start. */
export class ApiProcess {
  readonly port: number;
  readonly env: Record<string, string>;
  child: ChildProcess | undefined;
  output = '';
  private constructor(port: number, env: Record<string, string>) {
    this.port = port;
    this.env = env;
  }

  static async start(env: Record<string, string>): Promise<ApiProcess> {
    const api = new ApiProcess(await freePort(), env);
    await api.spawn();
    return api;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.child?.pid ?? 0;
  }

  get alive() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async spawn(): Promise<void> {
    const child = spawn(process.execPath, ['src/server.ts'], {
      cwd: backendDir,
      env: {
        PATH: process.env.PATH ?? '',
        APP_ENV: 'test',
        LOG_LEVEL: 'error',
        API_HOST: '127.0.0.1',
        API_PORT: String(this.port),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`API exited during start-up:\n${this.output}`);
      const ok = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      await sleep(200);
    }
    throw new Error(`API did not start within 90 s:\n${this.output}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** Resident set size of the process, in bytes (from /proc). */
  rss(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  }
}

export interface HttpResult {
  status: number;
  /** 0 when the request failed before an answer (connection refused or reset, timeout). */
  body: unknown;
  headers: Headers | undefined;
  ms: number;
  error?: string;
}

/** One request over a real socket; never throws (network failures come back as status 0). */
export async function http(
  base: string,
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const started = performance.now();
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, body: null, headers: undefined, ms: performance.now() - started, error: e.cause?.code ?? e.name };
  }
}

export interface Workspace {
  tenantId: string;
  projectId: string;
  headers: Record<string, string>;
}

/** A user, a workspace on the business plan (no task limit) and a project, all through the HTTP API. */
export async function bootstrapWorkspace(base: string, pgdb: PrivatePostgres, label = 'chaos'): Promise<Workspace> {
  const email = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const must = (r: HttpResult, status: number, what: string) => {
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)} ${r.error ?? ''}`);
    return r;
  };
  must(
    await http(base, 'POST', '/api/auth/sign-up/email', { headers: { origin: ORIGIN }, body: { email, password: PASSWORD, name: label } }),
    200,
    'sign-up',
  );
  const signIn = must(
    await http(base, 'POST', '/api/auth/sign-in/email', { headers: { origin: ORIGIN }, body: { email, password: PASSWORD } }),
    200,
    'sign-in',
  );
  const cookie = (signIn.headers?.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
  const token = must(await http(base, 'GET', '/api/auth/token', { headers: { cookie } }), 200, 'token').body as { token: string };
  const headers = { authorization: `Bearer ${token.token}` };
  const tenant = must(await http(base, 'POST', '/api/v1/tenants', { headers, body: { name: `Chaos ${label}` } }), 201, 'tenant');
  const tenantId = (tenant.body as { data: { id: string } }).data.id;
  await pgdb.query(`update tenants set plan = 'business' where id = $1`, [tenantId]);
  const project = must(
    await http(base, 'POST', `/api/v1/tenants/${tenantId}/projects`, { headers, body: { name: 'Chaos' } }),
    201,
    'project',
  );
  return { tenantId, projectId: (project.body as { data: { id: string } }).data.id, headers };
}

/** Rows per title for a tenant's tasks, read as the superuser (the truth, whatever the API says). */
export async function taskTitles(pgdb: PrivatePostgres, tenantId: string): Promise<Map<string, number>> {
  const rows = await pgdb.query<{ title: string; n: string }>(
    'select title, count(*)::text as n from tasks where tenant_id = $1 group by title',
    [tenantId],
  );
  return new Map(rows.map((r) => [r.title, Number(r.n)]));
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const envelopeOk = (body: unknown): boolean => {
  const b = body as { success?: boolean; error?: { code?: unknown; message?: unknown; requestId?: unknown } } | null;
  return (
    b?.success === false &&
    typeof b.error?.code === 'string' &&
    typeof b.error.message === 'string' &&
    typeof b.error.requestId === 'string'
  );
};
