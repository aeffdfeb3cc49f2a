/**
 * Static checks of the deployment files (deploy/, .dockerignore, .github/workflows/ci.yml). No Docker
 * engine is needed: the files are parsed and cross-checked against each other and against the code
 * (config.ts, the metrics plugin, the entry points), so a renamed service, a missing environment
 * variable, a COPY of a path that no longer exists or a dashboard query on a metric the API does not
 * export fails here instead of at `docker compose up`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const deployDir = path.join(root, 'deploy');

// Docker's and Grafana's own `${…}` placeholders, compared as plain strings.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile ARG reference, not a JS template
const NODE_IMAGE_ARG = '${NODE_IMAGE}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana dashboard variable, not a JS template
const DATASOURCE_VAR = '${datasource}';

const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
const exists = (rel: string) => fs.existsSync(path.join(root, rel));

/** Parses a YAML file strictly: any error or warning fails. Merge keys (`<<: *anchor`) are resolved, as Compose does. */
function readYaml<T>(rel: string): T {
  const doc = parseDocument(read(rel), { merge: true, prettyErrors: true });
  expect(doc.errors.map(String), `${rel}: YAML errors`).toEqual([]);
  expect(doc.warnings.map(String), `${rel}: YAML warnings`).toEqual([]);
  return doc.toJS({ maxAliasCount: 1000 }) as T;
}

// ---------------------------------------------------------------------------------------------------
// Types of the parts of each file the checks read
// ---------------------------------------------------------------------------------------------------

type EnvMap = Record<string, string | number | boolean | null>;
interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: EnvMap | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  ports?: (string | number)[];
  volumes?: string[];
  configs?: (string | { source: string; target?: string })[];
  restart?: string;
  profiles?: string[];
  [key: string]: unknown;
}
interface Compose {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string; environment?: string }>;
  [key: string]: unknown;
}

/** Service keys of the Compose Specification (a typo such as `depend_on` must not pass silently). */
const COMPOSE_SERVICE_KEYS = new Set([
  'annotations',
  'attach',
  'blkio_config',
  'build',
  'cap_add',
  'cap_drop',
  'cgroup',
  'cgroup_parent',
  'command',
  'configs',
  'container_name',
  'cpu_count',
  'cpu_percent',
  'cpu_period',
  'cpu_quota',
  'cpu_rt_period',
  'cpu_rt_runtime',
  'cpu_shares',
  'cpus',
  'cpuset',
  'credential_spec',
  'depends_on',
  'deploy',
  'develop',
  'device_cgroup_rules',
  'devices',
  'dns',
  'dns_opt',
  'dns_search',
  'domainname',
  'entrypoint',
  'env_file',
  'environment',
  'expose',
  'extends',
  'external_links',
  'extra_hosts',
  'group_add',
  'healthcheck',
  'hostname',
  'image',
  'init',
  'ipc',
  'isolation',
  'labels',
  'links',
  'logging',
  'mac_address',
  'mem_limit',
  'mem_reservation',
  'mem_swappiness',
  'memswap_limit',
  'network_mode',
  'networks',
  'oom_kill_disable',
  'oom_score_adj',
  'pid',
  'pids_limit',
  'platform',
  'ports',
  'privileged',
  'profiles',
  'pull_policy',
  'read_only',
  'restart',
  'runtime',
  'scale',
  'secrets',
  'security_opt',
  'shm_size',
  'stdin_open',
  'stop_grace_period',
  'stop_signal',
  'storage_opt',
  'sysctls',
  'tmpfs',
  'tty',
  'ulimits',
  'user',
  'userns_mode',
  'uts',
  'volumes',
  'volumes_from',
  'working_dir',
]);

const compose = () => readYaml<Compose>('deploy/docker-compose.yml');

function envOf(service: ComposeService): EnvMap {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.split('=')[0] ?? '', line.slice(line.indexOf('=') + 1)]));
  }
  return env;
}

function dependsOn(service: ComposeService): Record<string, string> {
  const d = service.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([name, v]) => [name, v.condition]));
}

function buildOf(service: ComposeService): { context: string; dockerfile: string } | undefined {
  if (!service.build) return undefined;
  const b = typeof service.build === 'string' ? { context: service.build } : service.build;
  return { context: path.resolve(deployDir, b.context ?? '.'), dockerfile: b.dockerfile ?? 'Dockerfile' };
}

function commandOf(service: ComposeService): string {
  const c = service.command;
  return Array.isArray(c) ? c.join(' ') : (c ?? '');
}

/** Every string value in a parsed YAML tree (what Compose interpolates; comments are not part of it). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Variables used as `${NAME…}` in the compose file's values. */
function interpolated(c: Compose): { name: string; form: string }[] {
  return stringsIn(c).flatMap((text) =>
    [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)].map((m) => ({ name: m[1] ?? '', form: m[2] ?? '' })),
  );
}

// ---------------------------------------------------------------------------------------------------
// Dockerfiles
// ---------------------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (current !== '' && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  if (current.trim()) logical.push(current);
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l);
    if (!m) continue;
    const op = (m[1] ?? '').toUpperCase();
    const args = m[2] ?? '';
    if (op === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ name: from?.[2], base: from?.[1] ?? '', instructions: [] });
      continue;
    }
    if (op === 'ARG' && stages.length === 0) continue; // ARG before the first FROM
    const stage = stages.at(-1);
    expect(stage, `instruction ${op} before the first FROM`).toBeDefined();
    stage?.instructions.push({ op, args });
  }
  return stages;
}

/** Source paths of a COPY/ADD (exec-form JSON or shell form), without its flags. */
function copySources(args: string): { from: string | undefined; sources: string[] } {
  let rest = args;
  let from: string | undefined;
  for (;;) {
    const flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!flag) break;
    if (flag[1] === 'from') from = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const parts = rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : rest.trim().split(/\s+/);
  return { from, sources: parts.slice(0, -1) };
}

const DOCKERFILES = ['deploy/backend.Dockerfile', 'deploy/frontend.Dockerfile'] as const;

describe('Dockerfiles', () => {
  for (const file of DOCKERFILES) {
    describe(file, () => {
      const stages = () => parseDockerfile(read(file));
      const finalStage = () => stages().at(-1) as Stage;
      const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

      it('is multi-stage, on the official Node 24 image, with named stages', () => {
        const s = stages();
        expect(s.length).toBeGreaterThanOrEqual(2);
        expect(read(file)).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
        for (const stage of s) {
          expect(stage.base).toBe(NODE_IMAGE_ARG);
          expect(stage.name, 'every stage is named').toBeTruthy();
        }
      });

      it('runs as a non-root user with a HEALTHCHECK in the final stage', () => {
        const stage = finalStage();
        const users = ops(stage, 'USER');
        expect(users.length).toBeGreaterThan(0);
        const user = users.at(-1)?.args.trim() ?? '';
        expect(['root', '0', '0:0', 'root:root']).not.toContain(user);
        const health = ops(stage, 'HEALTHCHECK');
        expect(health).toHaveLength(1);
        expect(health[0]?.args).not.toMatch(/^NONE/);
        expect(health[0]?.args).toMatch(/CMD \[/);
        expect(health[0]?.args).toMatch(/fetch\(/);
        expect(ops(stage, 'CMD')).toHaveLength(1);
      });

      it('installs dependencies with npm install (see .ci/run: the lockfile lacks optional platform builds), never dev dependencies in the final stage', () => {
        const s = stages();
        const final = finalStage();
        for (const run of ops(final, 'RUN')) expect(run.args, 'the final stage runs no npm').not.toMatch(/\bnpm\b/);
        // Whatever is copied into the final stage's node_modules comes from a stage that omitted dev deps.
        for (const copy of ops(final, 'COPY')) {
          const { from, sources } = copySources(copy.args);
          if (!from || !sources.some((src) => src.includes('node_modules'))) continue;
          const source = s.find((st) => st.name === from);
          expect(source, `COPY --from=${from}`).toBeDefined();
          const installs = ops(source as Stage, 'RUN').filter((r) => /\bnpm install\b/.test(r.args));
          expect(installs.length, `stage ${from} installs with npm install`).toBeGreaterThan(0);
          for (const r of installs) expect(r.args).toMatch(/--omit=dev/);
        }
      });

      it('copies only paths that exist in the repository (and stages that exist in the file)', () => {
        const s = stages();
        const names = new Set(s.map((st) => st.name));
        let copies = 0;
        for (const stage of s) {
          for (const copy of [...ops(stage, 'COPY'), ...ops(stage, 'ADD')]) {
            const { from, sources } = copySources(copy.args);
            expect(sources.length, copy.args).toBeGreaterThan(0);
            if (from) {
              expect(names.has(from), `COPY --from=${from}: no such stage`).toBe(true);
              continue;
            }
            for (const src of sources) {
              copies++;
              expect(exists(src), `${file}: COPY ${src} does not exist in the repository`).toBe(true);
            }
          }
        }
        expect(copies).toBeGreaterThan(0);
      });
    });
  }

  it('the backend image defaults to the API in production, and the worker and migration entry points exist', () => {
    const stages = parseDockerfile(read('deploy/backend.Dockerfile'));
    const final = stages.at(-1) as Stage;
    const text = final.instructions.map((i) => `${i.op} ${i.args}`).join('\n');
    expect(text).toMatch(/^ENV [\s\S]*APP_ENV=production/m);
    expect(text).toMatch(/^WORKDIR \/app\/backend$/m);
    expect(text).toMatch(/^CMD \["node", "--max-semi-space-size=16", "--max-old-space-size=384", "src\/server\.ts"\]$/m);
    expect(text).toMatch(/^COPY backend\/src backend\/src$/m);
    for (const entry of ['src/server.ts', 'src/worker.ts', 'src/db/migrate-cli.ts', 'src/db/migrations', 'package.json']) {
      expect(exists(`backend/${entry}`), `backend/${entry}`).toBe(true);
    }
    // The production deps stage installs the backend workspace only.
    expect(read('deploy/backend.Dockerfile')).toMatch(/npm install --omit=dev --workspace=backend/);
  });

  it('the frontend image builds with next build and serves with next start', () => {
    const text = read('deploy/frontend.Dockerfile');
    expect(text).toMatch(/next build/);
    expect(text).toMatch(/^CMD \["node", "\.\.\/node_modules\/next\/dist\/bin\/next", "start"/m);
    expect(text).toMatch(/--from=build .*\/app\/frontend\/\.next/);
  });

  it('.dockerignore keeps host installs, build output, local data and secrets out of the context', () => {
    const lines = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const required of [
      'node_modules',
      '**/node_modules',
      '.data',
      '.next',
      '**/.next',
      'test-results',
      '.git',
      '*.log',
      'backend/.test-cache',
      '.env',
    ]) {
      expect(lines, required).toContain(required);
    }
    // Nothing a Dockerfile copies may be ignored.
    for (const file of DOCKERFILES) {
      for (const stage of parseDockerfile(read(file))) {
        for (const copy of stage.instructions.filter((i) => i.op === 'COPY')) {
          const { from, sources } = copySources(copy.args);
          if (from) continue;
          for (const src of sources) {
            for (const pattern of lines.filter((l) => !l.includes('*') && !l.startsWith('!'))) {
              const clean = src.replace(/\/$/, '');
              expect(clean === pattern || clean.startsWith(`${pattern}/`), `${src} is excluded by .dockerignore (${pattern})`).toBe(false);
            }
          }
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------------

const BACKEND_SERVICES = ['migrate', 'api1', 'api2', 'worker'];
const API_SERVICES = ['api1', 'api2'];

describe('deploy/docker-compose.yml', () => {
  it('parses, and uses only Compose Specification keys', () => {
    const c = compose();
    for (const key of Object.keys(c)) {
      expect(
        ['name', 'services', 'volumes', 'networks', 'configs', 'secrets'].includes(key) || key.startsWith('x-'),
        `top-level key ${key}`,
      ).toBe(true);
    }
    expect(Object.keys(c.services).sort()).toEqual(
      ['api1', 'api2', 'frontend', 'grafana', 'mailpit', 'migrate', 'postgres', 'prometheus', 'proxy', 'redis', 'worker'].sort(),
    );
    for (const [name, service] of Object.entries(c.services)) {
      for (const key of Object.keys(service)) {
        expect(COMPOSE_SERVICE_KEYS.has(key) || key.startsWith('x-'), `services.${name}.${key} is not a Compose service key`).toBe(true);
      }
    }
  });

  it('every service has an image or a build, and built images come from this repository', () => {
    for (const [name, service] of Object.entries(compose().services)) {
      expect(service.image || service.build, `${name} has neither image nor build`).toBeTruthy();
      const build = buildOf(service);
      if (build) {
        expect(build.context, `${name}: the build context is the repository root`).toBe(root);
        expect(fs.existsSync(path.join(build.context, build.dockerfile)), `${name}: ${build.dockerfile}`).toBe(true);
      }
    }
  });

  it('api1, api2, worker and migrate run the backend image; the web app runs the frontend image', () => {
    const { services } = compose();
    for (const name of BACKEND_SERVICES) {
      expect(buildOf(services[name] as ComposeService)?.dockerfile, name).toBe('deploy/backend.Dockerfile');
    }
    expect(buildOf(services.frontend as ComposeService)?.dockerfile).toBe('deploy/frontend.Dockerfile');
    const images = new Set(BACKEND_SERVICES.map((n) => services[n]?.image));
    expect(images.size, 'one backend image for all four').toBe(1);
    expect(commandOf(services.migrate as ComposeService)).toBe('node src/db/migrate-cli.ts');
    expect(commandOf(services.worker as ComposeService)).toBe('node src/worker.ts');
    for (const name of API_SERVICES) expect(['', 'node src/server.ts']).toContain(commandOf(services[name] as ComposeService));
    expect(services.migrate?.restart).toBe('no');
  });

  it('every depends_on target exists, with a condition it can meet', () => {
    const { services } = compose();
    for (const [name, service] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependsOn(service))) {
        const dep = services[target];
        expect(dep, `${name} depends on unknown service ${target}`).toBeDefined();
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        expect(dep?.profiles, `${name} must not depend on ${target}, which only starts with a profile`).toBeUndefined();
        if (condition === 'service_healthy') {
          expect(
            dep?.healthcheck?.test && !dep.healthcheck.disable,
            `${name} waits for ${target} to be healthy: it needs a healthcheck`,
          ).toBeTruthy();
        }
        if (condition === 'service_completed_successfully') expect(dep?.restart, `${target} runs once`).toBe('no');
      }
    }
    expect(dependsOn(services.migrate as ComposeService)).toEqual({ postgres: 'service_healthy' });
    for (const name of API_SERVICES) {
      expect(dependsOn(services[name] as ComposeService)).toMatchObject({
        migrate: 'service_completed_successfully',
        redis: 'service_healthy',
      });
    }
    expect(dependsOn(services.worker as ComposeService)).toMatchObject({ migrate: 'service_completed_successfully' });
  });

  it('postgres, redis and the API instances have healthchecks; processes without HTTP disable the image one', () => {
    const { services } = compose();
    for (const name of ['postgres', 'redis', ...API_SERVICES, 'proxy']) {
      const hc = services[name]?.healthcheck;
      expect(hc?.test, `${name} healthcheck`).toBeTruthy();
      expect(hc?.disable).toBeFalsy();
    }
    expect(JSON.stringify(services.postgres?.healthcheck?.test)).toMatch(/pg_isready/);
    expect(JSON.stringify(services.redis?.healthcheck?.test)).toMatch(/redis-cli.*ping/);
    for (const name of API_SERVICES) expect(JSON.stringify(services[name]?.healthcheck?.test)).toMatch(/\/healthz/);
    for (const name of ['worker', 'migrate']) expect(services[name]?.healthcheck?.disable, name).toBe(true);
  });

  it('the backend processes get every variable production requires, and required secrets use $VAR:? syntax', () => {
    const c = compose();
    const config = read('backend/src/config.ts');
    // What APP_ENV=production refuses to start without (backend/src/config.ts).
    const productionRequired = ['AUTH_SECRET', 'DATABASE_URL', 'SMTP_URL', 'WEB_URL', 'METRICS_TOKEN'];
    for (const v of productionRequired) expect(config, `config.ts checks ${v} in production`).toMatch(new RegExp(`!e\\.${v}\\b`));
    for (const name of BACKEND_SERVICES) {
      const env = envOf(c.services[name] as ComposeService);
      expect(env.APP_ENV, name).toBe('production');
      for (const v of productionRequired) expect(String(env[v] ?? ''), `${name}.${v}`).not.toBe('');
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
    }
    for (const name of API_SERVICES) {
      const env = envOf(c.services[name] as ComposeService);
      expect(env.WORKER_MODE, name).toBe('off');
      expect(env.API_HOST, name).toBe('0.0.0.0');
      expect(env.TRUST_PROXY, name).toBe('1');
      expect(env.API_PORT, name).toBe('4000');
    }
    for (const secret of ['AUTH_SECRET', 'METRICS_TOKEN', 'SMTP_URL', 'WEB_URL', 'POSTGRES_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) {
      const uses = interpolated(c).filter((u) => u.name === secret);
      expect(uses.length, secret).toBeGreaterThan(0);
      for (const u of uses) expect(u.form, `\${${secret}} must be required with :?`).toMatch(/^:\?./);
    }
  });

  it('every backend variable is one config.ts (or the entry points) read', () => {
    const config = read('backend/src/config.ts');
    const known = new Set([...config.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]));
    for (const extra of ['NODE_ENV', 'SEED_DEMO_DATA', 'AUTH_RATE_LIMIT']) known.add(extra);
    expect(known.size).toBeGreaterThan(30);
    const { services } = compose();
    for (const name of BACKEND_SERVICES) {
      for (const key of Object.keys(envOf(services[name] as ComposeService)))
        expect(known.has(key), `${name}: ${key} is not read by the backend`).toBe(true);
    }
  });

  it('every interpolated variable has a default or is required, and deploy/.env.example documents it', () => {
    const c = compose();
    const example = read('deploy/.env.example');
    const uses = interpolated(c);
    expect(uses.length).toBeGreaterThan(10);
    for (const { name, form } of uses) {
      expect(form, `\${${name}${form}}: give a default (:-) or make it required (:?)`).toMatch(/^:[-?]/);
      expect(example, `deploy/.env.example mentions ${name}`).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
    // `$$` escapes a dollar for the container's shell; a bare `$NAME` would be interpolated by Compose.
    for (const text of stringsIn(c)) expect(text.replace(/\$\$/g, '').replace(/\$\{/g, ''), text).not.toMatch(/\$[A-Za-z_]/);
  });

  it('deploy/.env.example ships no secret values', () => {
    const example = read('deploy/.env.example');
    for (const secret of ['POSTGRES_PASSWORD', 'AUTH_SECRET', 'METRICS_TOKEN', 'GRAFANA_ADMIN_PASSWORD']) {
      expect(example, `${secret} is left empty`).toMatch(new RegExp(`^${secret}=$`, 'm'));
    }
    expect(read('.gitignore')).toMatch(/^\.env$/m); // deploy/.env, where the real values go, is ignored
  });

  it('publishes no database ports, and the tools only on 127.0.0.1', () => {
    const { services } = compose();
    for (const name of ['postgres', 'redis', ...BACKEND_SERVICES, 'frontend']) {
      expect(services[name]?.ports, `${name} must not publish ports`).toBeUndefined();
    }
    for (const name of ['prometheus', 'grafana', 'mailpit']) {
      for (const port of services[name]?.ports ?? []) expect(String(port), `${name} ${port}`).toMatch(/^127\.0\.0\.1:/);
    }
    expect(services.proxy?.ports?.length).toBeGreaterThan(0);
  });

  it('bind mounts exist, named volumes and configs are declared', () => {
    const c = compose();
    for (const [name, service] of Object.entries(c.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (!source) continue;
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(fs.existsSync(path.resolve(deployDir, source)), `${name}: ${source}`).toBe(true);
        } else {
          expect(c.volumes && source in c.volumes, `${name}: volume ${source} is not declared`).toBe(true);
        }
      }
      for (const cfg of service.configs ?? []) {
        const source = typeof cfg === 'string' ? cfg : cfg.source;
        expect(c.configs?.[source], `${name}: config ${source}`).toBeDefined();
      }
    }
  });

  it('the proxy load-balances both API instances and serves the web app, with SSE unbuffered', () => {
    const { services } = compose();
    const proxy = services.proxy as ComposeService;
    const mount = (proxy.volumes ?? []).find((v) => v.includes('/etc/caddy/Caddyfile'));
    expect(mount).toBe('./Caddyfile:/etc/caddy/Caddyfile:ro');
    const caddyfile = read('deploy/Caddyfile');
    const proxies = [...caddyfile.matchAll(/^\s*reverse_proxy (.+?)\s*\{?$/gm)].map((m) => m[1] ?? '');
    const toApi = proxies.filter((p) => p.includes('api'));
    expect(toApi.length).toBeGreaterThanOrEqual(2);
    for (const upstreams of toApi) {
      for (const api of API_SERVICES) expect(upstreams.split(/\s+/), `every API pool lists ${api}`).toContain(`${api}:4000`);
    }
    expect(proxies).toContain('frontend:3000');
    expect(caddyfile).toMatch(/@api path \/api \/api\/\* \/docs \/docs\/\*/);
    expect(caddyfile).toMatch(/tenants\/\[\^\/\]\+\/events/);
    expect(caddyfile).toMatch(/flush_interval -1/);
    expect(caddyfile).toMatch(/health_uri \/healthz/);
    expect(caddyfile).toMatch(/lb_policy round_robin/);
    // Upstream host names are services of this compose file; the web app reaches the internal listener.
    for (const host of caddyfile.matchAll(/\b([a-z][a-z0-9]*):(\d{4})\b/g)) {
      if (host[1] === 'localhost') continue;
      expect(services[host[1] ?? ''], `Caddyfile upstream ${host[0]}`).toBeDefined();
    }
    expect(caddyfile).toMatch(/^http:\/\/:8081 \{$/m);
    expect(envOf(services.frontend as ComposeService).API_URL).toBe('http://proxy:8081');
    expect(JSON.stringify(proxy.healthcheck?.test)).toMatch(/127\.0\.0\.1:8081\/healthz/);
    expect(envOf(proxy).SITE_ADDRESS).toBeTruthy();
  });
});

// ---------------------------------------------------------------------------------------------------
// Prometheus and Grafana
// ---------------------------------------------------------------------------------------------------

interface PrometheusConfig {
  global?: { scrape_interval?: string };
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    authorization?: { type?: string; credentials?: string; credentials_file?: string };
    static_configs: { targets: string[] }[];
  }[];
}

describe('deploy/prometheus/prometheus.yml', () => {
  it('scrapes /metrics on api1 and api2 with the bearer token compose provides', () => {
    const prom = readYaml<PrometheusConfig>('deploy/prometheus/prometheus.yml');
    const job = prom.scrape_configs.find((j) => j.job_name === 'atrium-api');
    expect(job).toBeDefined();
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job?.authorization?.type).toBe('Bearer');
    const targets = job?.static_configs.flatMap((s) => s.targets) ?? [];
    expect(targets).toEqual(expect.arrayContaining(['api1:4000', 'api2:4000']));
    const { services, configs } = compose();
    for (const t of targets) expect(services[t.split(':')[0] ?? ''], `target ${t}`).toBeDefined();
    // The token file is the compose config built from METRICS_TOKEN, mounted where prometheus.yml reads it.
    const mounted = (services.prometheus?.configs ?? []).find((c) => typeof c !== 'string' && c.source === 'metrics_token');
    expect(typeof mounted === 'object' && mounted.target).toBe(job?.authorization?.credentials_file);
    expect(configs?.metrics_token?.content).toMatch(/^\$\{METRICS_TOKEN:\?/);
    expect(services.prometheus?.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(commandOf(services.prometheus as ComposeService)).toMatch(/--config\.file=\/etc\/prometheus\/prometheus\.yml/);
  });
});

interface GrafanaDatasources {
  apiVersion: number;
  datasources: { name: string; type: string; url: string; uid?: string }[];
}
interface GrafanaProviders {
  apiVersion: number;
  providers: { name: string; type: string; options: { path: string } }[];
}

describe('Grafana provisioning', () => {
  it('provisions the Prometheus data source and the dashboards folder that compose mounts', () => {
    const ds = readYaml<GrafanaDatasources>('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(ds.apiVersion).toBe(1);
    const prom = ds.datasources.find((d) => d.type === 'prometheus');
    expect(prom?.url).toBe('http://prometheus:9090');
    const dashboards = readYaml<GrafanaProviders>('deploy/grafana/provisioning/dashboards/dashboards.yml');
    expect(dashboards.apiVersion).toBe(1);
    const provider = dashboards.providers[0];
    expect(provider?.type).toBe('file');
    const grafana = compose().services.grafana as ComposeService;
    expect(grafana.volumes).toContain(`./grafana/dashboards:${provider?.options.path}:ro`);
    expect(grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});

// ---------------------------------------------------------------------------------------------------
// The Grafana dashboard
// ---------------------------------------------------------------------------------------------------

/** The metrics the API exports (backend/src/plugins/metrics.ts) that the dashboard may use. */
const ATRIUM_METRICS = [
  'http_request_duration_seconds',
  'http_requests_in_flight',
  'nodejs_eventloop_lag_seconds',
  'atrium_db_pool_connections',
  'atrium_jobs_queued',
  'atrium_jobs_failed_total',
  'atrium_signups_total',
  'atrium_tenants',
  'atrium_active_subscriptions',
  'atrium_mrr_cents',
  'atrium_active_users',
  'atrium_ai_tokens_total',
  'atrium_ai_cost_microdollars_total',
];
const HISTOGRAMS = ['http_request_duration_seconds'];
const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Metric names referenced by a PromQL expression (strings, label matchers, ranges, grouping and functions removed). */
function metricNames(expr: string): string[] {
  const e = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of e.matchAll(/(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_:][\w:]*)(\s*\()?/gi)) {
    if (m[1] !== undefined || m[3] !== undefined) continue; // a number, or a function call
    const id = m[2] ?? '';
    if (!PROMQL_KEYWORDS.has(id.toLowerCase())) names.push(id);
  }
  return names;
}

function allowedMetric(name: string): boolean {
  if (name === 'up' || /^(process|nodejs)_/.test(name)) return true;
  if (ATRIUM_METRICS.includes(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return HISTOGRAMS.includes(base);
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
}

describe('deploy/grafana/dashboards/atrium.json', () => {
  const dashboard = () => JSON.parse(read('deploy/grafana/dashboards/atrium.json')) as Dashboard;
  const allPanels = (d: Dashboard) => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const dataPanels = (d: Dashboard) => allPanels(d).filter((p) => p.type !== 'row');

  it('is a current Grafana dashboard with unique panel ids and a templated Prometheus data source', () => {
    const d = dashboard();
    expect(d.uid).toBeTruthy();
    expect(d.title).toBeTruthy();
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    const ids = allPanels(d).map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size, 'panel ids are unique').toBe(ids.length);
    const variable = d.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of allPanels(d)) {
      expect(p.gridPos.x + p.gridPos.w, `${p.title} fits in 24 columns`).toBeLessThanOrEqual(24);
      expect(p.gridPos.h).toBeGreaterThan(0);
    }
  });

  it('every panel queries Prometheus through the datasource variable with a non-empty expr', () => {
    const d = dashboard();
    expect(dataPanels(d).length).toBeGreaterThanOrEqual(20);
    for (const p of allPanels(d)) {
      if (p.type === 'row') {
        expect(p.targets ?? [], `row ${p.title} has no queries`).toEqual([]);
        continue;
      }
      expect(p.datasource?.uid, p.title).toBe(DATASOURCE_VAR);
      expect(p.targets?.length, `${p.title} has targets`).toBeGreaterThan(0);
      const refIds = new Set<string>();
      for (const t of p.targets ?? []) {
        expect(t.expr?.trim(), `${p.title} ${t.refId}: expr`).toBeTruthy();
        expect(t.datasource?.uid, `${p.title} ${t.refId}`).toBe(DATASOURCE_VAR);
        expect(refIds.has(t.refId), `${p.title}: duplicate refId ${t.refId}`).toBe(false);
        refIds.add(t.refId);
      }
    }
  });

  it('queries only metrics the API exports (or standard process_*, nodejs_*, up), and uses every one of them', () => {
    const used = new Set<string>();
    for (const p of dataPanels(dashboard())) {
      for (const t of p.targets ?? []) {
        const names = metricNames(t.expr ?? '');
        expect(names.length, `${p.title}: no metric found in ${t.expr}`).toBeGreaterThan(0);
        for (const name of names) {
          expect(allowedMetric(name), `${p.title}: unknown metric ${name}`).toBe(true);
          used.add(name.replace(/_(bucket|count|sum)$/, ''));
        }
      }
    }
    for (const name of ATRIUM_METRICS) expect(used.has(name), `the dashboard shows ${name}`).toBe(true);
  });

  it('the Atrium metrics it uses are the ones backend/src/plugins/metrics.ts registers', () => {
    const plugin = 'backend/src/plugins/metrics.ts';
    if (!exists(plugin)) return; // the metrics plugin is not in this tree yet
    const source = read(plugin);
    for (const name of ATRIUM_METRICS.filter((n) => !n.startsWith('nodejs_'))) {
      expect(source, `${plugin} registers ${name}`).toContain(`'${name}'`);
    }
  });

  it('shows p50, p95 and p99 latency by route, error ratios, throughput and in-flight requests', () => {
    const exprs = dataPanels(dashboard()).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    for (const q of ['0.5', '0.95', '0.99']) {
      expect(
        exprs.some((e) => e.includes(`histogram_quantile(${q},`) && /by \(route, le\)/.test(e)),
        `p${q} by route`,
      ).toBe(true);
    }
    expect(exprs.some((e) => e.includes('status_code=~"5.."'))).toBe(true);
    expect(exprs.some((e) => e.includes('status_code=~"4.."'))).toBe(true);
    expect(exprs.some((e) => /rate\(http_request_duration_seconds_count/.test(e))).toBe(true);
    expect(exprs.some((e) => e.includes('http_requests_in_flight'))).toBe(true);
  });

  it('metricNames() finds metric names and ignores functions, labels, ranges and numbers', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="a", route!="/x"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNames('(sum(max by (plan) (atrium_mrr_cents)) or vector(0)) / 100')).toEqual(['atrium_mrr_cents']);
    expect(metricNames('clamp_min(max(delta(atrium_ai_cost_microdollars_total[1h])), 0) / 1e6')).toEqual([
      'atrium_ai_cost_microdollars_total',
    ]);
    expect(metricNames('sum(up{job="atrium-api"}) + nodejs_eventloop_lag_p99_seconds')).toEqual(['up', 'nodejs_eventloop_lag_p99_seconds']);
  });
});

// ---------------------------------------------------------------------------------------------------
// CI workflow
// ---------------------------------------------------------------------------------------------------

interface Workflow {
  on: Record<string, unknown> | string[] | string;
  jobs: Record<
    string,
    {
      'runs-on': string;
      services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>;
      env?: Record<string, string>;
      steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
    }
  >;
}

describe('.github/workflows/ci.yml', () => {
  it('runs .ci/run on push and pull requests, with PostgreSQL 15, Redis 7, Node 20 and Chromium', () => {
    const wf = readYaml<Workflow>('.github/workflows/ci.yml');
    const triggers = Array.isArray(wf.on) ? wf.on : typeof wf.on === 'string' ? [wf.on] : Object.keys(wf.on);
    expect(triggers).toEqual(expect.arrayContaining(['push', 'pull_request']));
    const jobs = Object.values(wf.jobs);
    expect(jobs).toHaveLength(1);
    const job = jobs[0] as Workflow['jobs'][string];
    const runs = job.steps.map((s) => s.run ?? '');
    expect(runs.some((r) => /^bash \.ci\/run$/m.test(r))).toBe(true);
    expect(exists('.ci/run')).toBe(true);
    expect(runs.some((r) => /^npm install\b/m.test(r))).toBe(true);
    expect(runs.some((r) => /sudo apt-get install -y chromium/.test(r) && r.includes('/usr/bin/chromium'))).toBe(true);
    const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toBe('20');
    expect(job.steps[0]?.uses).toMatch(/^actions\/checkout@/);
    expect(job.env?.CI).toBe('true');

    expect(job.services?.postgres?.image).toBe('postgres:15');
    expect(job.services?.postgres?.ports).toContain('5432:5432');
    expect(job.services?.redis?.image).toBe('redis:7');
    expect(job.services?.redis?.ports).toContain('6379:6379');
    // TEST_DATABASE_URL must log in the way the service allows: trust auth, or the service's password.
    const url = new URL(job.env?.TEST_DATABASE_URL ?? '');
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe('5432');
    const pgEnv = job.services?.postgres?.env ?? {};
    if (pgEnv.POSTGRES_HOST_AUTH_METHOD === 'trust') expect(url.password).toBe('');
    else expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
    expect(url.username).toBe(pgEnv.POSTGRES_USER ?? 'postgres');
  });
});
