/**
 * Starts the whole app once for the browser tests, the way `npm start` does (scripts/start.mjs: builds
 * the frontend if its sources changed, then the API with its worker and `next start`), on free ports
 * with a temporary data directory; stops it gracefully afterwards.
 *
 * APP_ENV=test keeps the dev outbox (mail is read from it) and turns off Better Auth's per-IP rate
 * limits, which several sign-ups from one test machine would otherwise trip.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_PATH, E2E_PLATFORM_ADMIN, E2E_PLATFORM_ADMIN_2 } from './support';

declare module 'vitest' {
  export interface ProvidedContext {
    webBase: string;
    /** The port the app expects its OpenAI-compatible model server on (a test starts e2e/fake-model.ts there). */
    aiPort: number;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_TIMEOUT_MS = 600_000; // includes a frontend build on a busy 2-core machine

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function setup(project: TestProject) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.warn(`[e2e] ${CHROMIUM_PATH} not found: browser tests are skipped and the app is not started.`);
    project.provide('webBase', '');
    project.provide('aiPort', 0);
    return;
  }

  // Point the tests at an app that is already running (e.g. `npm run dev`): E2E_BASE_URL=http://localhost:3000
  if (process.env.E2E_BASE_URL) {
    project.provide('webBase', process.env.E2E_BASE_URL.replace(/\/+$/, ''));
    project.provide('aiPort', Number(process.env.E2E_AI_PORT ?? 0));
    return;
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-web-e2e-'));
  const apiPort = await freePort();
  const webPort = await freePort();
  // The browser uses http://localhost:<port>: the API's WEB_URL (and so Better Auth's trusted origin)
  // defaults to that.
  const webBase = `http://localhost:${webPort}`;
  // AI: the real provider code talks to a local fake model server that the tests start on aiPort.
  const aiPort = await freePort();
  const env = {
    ...process.env,
    AI_COMPATIBLE_BASE_URL: `http://127.0.0.1:${aiPort}/v1`,
    AI_MODELS_FILE: path.join(root, 'frontend', 'e2e', 'fixtures', 'ai-models.json'),
    AI_REQUESTS_PER_MINUTE: '1000',
    PLATFORM_ADMIN_EMAILS: `${E2E_PLATFORM_ADMIN},${E2E_PLATFORM_ADMIN_2}`,
    APP_ENV: 'test',
    API_PORT: String(apiPort),
    WEB_PORT: String(webPort),
    WEB_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };

  let child: ChildProcess | undefined;
  let output = '';

  const start = () => {
    output = '';
    const proc = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), 'start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d) => {
      output += d;
    });
    proc.stderr?.on('data', (d) => {
      output += d;
    });
    return proc;
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  child = start();
  for (;;) {
    if (child.exitCode !== null) {
      // Another checkout step (e.g. the backend's e2e test) may be building the same frontend right now.
      if (/Another next build process is already running/.test(output) && Date.now() < deadline) {
        await sleep(5000);
        child = start();
        continue;
      }
      throw new Error(`[e2e] the app exited while starting:\n${output}`);
    }
    try {
      const [api, web] = await Promise.all([fetch(`http://127.0.0.1:${apiPort}/readyz`), fetch(`http://127.0.0.1:${webPort}/`)]);
      if (api.ok && web.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`[e2e] the app did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await sleep(500);
  }

  project.provide('webBase', webBase);
  project.provide('aiPort', aiPort);

  return async () => {
    const proc = child;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.on('exit', resolve));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
