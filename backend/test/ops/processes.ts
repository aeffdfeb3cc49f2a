/**
 * Real backend processes for the operations tests: `node src/server.ts` / `node src/worker.ts` as
 * children with their own environment, their JSON log lines collected from stdout, plus a private
 * redis-server and a fresh PostgreSQL database from the test template.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { AppInstance } from '../../src/types.ts';
import { createPostgresTestDatabase, databaseUrl, dropPostgresTestDatabase } from '../helpers/db-fixtures.ts';

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  logs: Record<string, unknown>[];
  /** Lines that were not JSON (stderr, crashes). */
  raw: string[];
  url: string;
  exited: Promise<number | null>;
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnBackend(script: 'server' | 'worker', env: Record<string, string>, timeoutMs = 90_000): Promise<Child> {
  const port = script === 'server' ? await freePort() : 0;
  const proc = spawn(process.execPath, [`src/${script}.ts`], {
    cwd: backendDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      API_PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (!line) continue;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          raw.push(line);
        }
      }
      for (const w of waiters) w();
    });
  };
  collect(proc.stdout as NodeJS.ReadableStream);
  collect(proc.stderr as NodeJS.ReadableStream);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of waiters) w();
  });

  const waitForLog: Child['waitForLog'] = (pred, timeout = 20_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs.find(pred);
        if (found) {
          cleanup();
          resolve(found);
        } else if (gone) {
          cleanup();
          reject(new Error(`${script} exited before the expected log line:\n${raw.slice(-20).join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${script}: no matching log line within ${timeout} ms:\n${raw.slice(-20).join('\n')}`));
      }, timeout);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const child: Child = {
    proc,
    logs,
    raw,
    url: `http://127.0.0.1:${port}`,
    exited,
    waitForLog,
    async stop(signal = 'SIGTERM') {
      if (!gone) proc.kill(signal);
      const t = setTimeout(() => !gone && proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  try {
    await waitForLog((l) => l.msg === (script === 'server' ? 'Atrium API listening' : 'Atrium worker running'), timeoutMs);
  } catch (err) {
    await child.stop('SIGKILL');
    throw err;
  }
  return child;
}

/** A private redis-server (never the machine's shared one): tests may stop and restart it. */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

/** A fresh PostgreSQL database from the migrated test template (TEST_DB=postgres only). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const testDb = inject('testDb');
  if (testDb.kind !== 'postgres') throw new Error('needs TEST_DB=postgres');
  const name = await createPostgresTestDatabase(testDb.template);
  return { url: databaseUrl(name), drop: () => dropPostgresTestDatabase(name) };
}

export const isPostgres = () => inject('testDb').kind === 'postgres';

interface InjectLike {
  method?: string;
  url: string;
  headers?: Record<string, string | undefined>;
  payload?: unknown;
}

/**
 * An `app.inject`-shaped client over real HTTP, so the shared test helpers (createUser, createTenant,
 * addMember…) drive a child process exactly as they drive an in-process app.
 */
export function remote(baseUrl: string): AppInstance {
  const injectFn = async (opts: InjectLike) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = v;
    let body: string | undefined;
    if (opts.payload !== undefined) {
      body = typeof opts.payload === 'string' ? opts.payload : JSON.stringify(opts.payload);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${baseUrl}${opts.url}`, { method: opts.method ?? 'GET', headers, body, redirect: 'manual' });
    const text = await res.text();
    const outHeaders: Record<string, string | string[]> = {};
    res.headers.forEach((v, k) => {
      outHeaders[k] = v;
    });
    const cookies = res.headers.getSetCookie();
    if (cookies.length > 0) outHeaders['set-cookie'] = cookies;
    return { statusCode: res.status, headers: outHeaders, body: text, json: () => JSON.parse(text) };
  };
  return { inject: injectFn } as unknown as AppInstance;
}
