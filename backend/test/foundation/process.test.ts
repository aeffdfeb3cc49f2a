/**
 * The real entry point (src/server.ts) as a child process: how it refuses bad configuration and an
 * unreachable database.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function runServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/server.ts'], {
      cwd: backendDir,
      env: { PATH: process.env.PATH ?? '', API_PORT: '0', LOG_LEVEL: 'error', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('start-up refusals', () => {
  it('a DATABASE_URL that is not a URL exits non-zero with a readable list', async () => {
    const r = await runServer({ DATABASE_URL: 'mysql://nope', API_PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Atrium cannot start: the configuration is invalid.');
    expect(r.stderr).toMatch(/- DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(r.stderr).toMatch(/- API_PORT: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an unreachable database exits non-zero with a clear message and no password', async () => {
    const r = await runServer({ DATABASE_URL: 'postgres://atrium:s3cret@127.0.0.1:1/atrium' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot connect to PostgreSQL at postgres://atrium:***@127.0.0.1:1/atrium');
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).not.toContain('s3cret');
  });

  it('production refuses to start without real secrets', async () => {
    const r = await runServer({ APP_ENV: 'production' });
    expect(r.code).toBe(1);
    for (const key of ['AUTH_SECRET', 'DATABASE_URL', 'SMTP_URL', 'WEB_URL']) expect(r.stderr).toContain(`- ${key}:`);
  });
});
