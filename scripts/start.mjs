#!/usr/bin/env node
/**
 * `npm start` / `npm run dev`: the whole app in one command.
 *
 *   start → builds the frontend if its sources changed since the last build, then runs the API (with
 *           the job worker in-process, migrations applied on start) and the Next.js server in
 *           production mode.
 *   dev   → API with --watch and `next dev`.
 *
 * Ports: API_PORT (4000), WEB_PORT (3000). Data: DATA_DIR (./.data). Stop with Ctrl+C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] === 'dev' ? 'dev' : 'start';
const node = process.execPath; // the project's Node (node@24 from devDependencies under npm scripts)
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const frontendDir = path.join(root, 'frontend');
const backendDir = path.join(root, 'backend');

const apiPort = process.env.API_PORT || '4000';
const webPort = process.env.WEB_PORT || '3000';
const env = {
  ...process.env,
  APP_ENV: process.env.APP_ENV || 'local',
  API_PORT: apiPort,
  WEB_PORT: webPort,
  API_URL: process.env.API_URL || `http://127.0.0.1:${apiPort}`,
  NEXT_TELEMETRY_DISABLED: '1',
};

function say(message) {
  process.stdout.write(`[atrium] ${message}\n`);
}

/** Hash of everything that goes into the frontend build. */
function frontendSourceHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      // Only what goes into the build: not dependencies, build output, tests or their results.
      if (['node_modules', 'e2e', 'test-results'].includes(entry.name) || entry.name.startsWith('.')) continue;
      if (entry.name.endsWith('.tsbuildinfo') || entry.name === 'next-env.d.ts' || entry.name.startsWith('vitest.config')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else h.update(path.relative(frontendDir, full)).update(fs.readFileSync(full));
    }
  };
  walk(frontendDir);
  const nextPkg = path.join(root, 'node_modules', 'next', 'package.json');
  if (fs.existsSync(nextPkg)) h.update(fs.readFileSync(nextPkg));
  return h.digest('hex');
}

function ensureFrontendBuilt() {
  const marker = path.join(frontendDir, '.next', 'atrium-build-hash');
  const hash = frontendSourceHash();
  const built =
    fs.existsSync(path.join(frontendDir, '.next', 'BUILD_ID')) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === hash;
  if (built) return;
  say('building the frontend (first start or sources changed)…');
  const result = spawnSync(node, [nextBin, 'build'], { cwd: frontendDir, env: { ...env, NODE_ENV: 'production' }, stdio: 'inherit' });
  if (result.status !== 0) {
    say('frontend build failed');
    process.exit(result.status ?? 1);
  }
  fs.writeFileSync(marker, hash);
}

const children = new Set();
let shuttingDown = false;

function run(name, args, options) {
  const child = spawn(node, args, { stdio: 'inherit', ...options });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!shuttingDown) {
      say(`${name} exited (${signal ?? code}); stopping the rest`);
      shutdown(code === 0 ? 1 : (code ?? 1));
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  return child;
}

function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  process.exitCode = code;
  for (const child of children) child.kill('SIGTERM');
  if (children.size === 0) process.exit(code);
  setTimeout(
    () => {
      for (const child of children) child.kill('SIGKILL');
      process.exit(code);
    },
    Number(process.env.SHUTDOWN_TIMEOUT_MS || 10_000) + 10_000,
  ).unref();
}

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

if (mode === 'start') {
  ensureFrontendBuilt();
  // V8's heap sized for the API: see docs/performance.md and deploy/backend.Dockerfile.
  run('api', ['--max-semi-space-size=16', '--max-old-space-size=384', path.join(backendDir, 'src', 'server.ts')], {
    cwd: backendDir,
    env: { ...env, NODE_ENV: 'production' },
  });
  run('web', [nextBin, 'start', '--port', webPort, '--hostname', process.env.WEB_HOST || '0.0.0.0'], {
    cwd: frontendDir,
    env: { ...env, NODE_ENV: 'production' },
  });
  say(`web http://localhost:${webPort}  ·  api http://localhost:${apiPort}  ·  API docs http://localhost:${webPort}/docs`);
} else {
  run('api', ['--watch', path.join(backendDir, 'src', 'server.ts')], { cwd: backendDir, env: { ...env, NODE_ENV: 'development' } });
  run('web', [nextBin, 'dev', '--port', webPort], { cwd: frontendDir, env: { ...env, NODE_ENV: 'development' } });
}
