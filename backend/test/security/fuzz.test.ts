/**
 * OpenAPI-driven fuzzing: for every operation in backend/openapi.json, fast-check generates requests
 * from the documented schemas (path, query, headers, bodies) and mutates them (wrong types, missing
 * required fields, extra fields, unicode and injection strings, huge values, wrong content types,
 * malformed JSON, bad credentials). Every answer must be:
 *   - never a 5xx;
 *   - a documented status for that operation;
 *   - valid against the documented schema for that status, read as closed (no undocumented fields);
 *   - free of secrets (password or key hashes, webhook secrets, tokens other than the one-time reveals).
 * Most cases run as the owner of a seeded workspace, some anonymously or with a forged credential.
 * Destructive operations run last (deleting the workspace, then the account); objects that a valid
 * DELETE removed are re-created so later cases still reach real rows.
 *
 * SECURITY_FUZZ_RUNS sets the cases per operation (default 80, or 20 with SECURITY_MODE=ci);
 * SECURITY_FUZZ_SEED replays a run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../ai/fake-openai.ts';
import { MODELS_FILE } from '../ai/support.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, getJwt, PASSWORD, type TestUser } from '../helpers/auth.ts';
import { setPlan } from '../helpers/workspace.ts';
import { nastyString, type Schema, toArbitrary, wrongTypeArbitrary } from './schema-arbitrary.ts';
import { MODE, record } from './support.ts';

// ajv-formats is CommonJS: its default export arrives as the module object under Node's ESM loader.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? (MODE === 'ci' ? 20 : 80));
const SEED = Number(process.env.SECURITY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const BACKEND = path.resolve(import.meta.dirname, '../..');
const doc = JSON.parse(fs.readFileSync(path.join(BACKEND, 'openapi.json'), 'utf8')) as Doc;

/** Not fuzzed, with the reason. */
const SKIPPED: Record<string, string> = {
  'POST /api/v1/dev/clock': 'moves the test server’s clock (tokens would expire mid-run); absent in production',
};
/** Streams that never end on their own: only requests that are refused before streaming are sent. */
const STREAMS = new Set(['GET /api/v1/tenants/{tenantId}/events']);

const operations = Object.entries(doc.paths)
  .flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ ...op, method: m.toUpperCase(), path: p })))
  .filter((op) => !(`${op.method} ${op.path}` in SKIPPED))
  // SECURITY_FUZZ_ONLY (a regular expression over "METHOD /path") narrows a run while debugging.
  .filter((op) => !process.env.SECURITY_FUZZ_ONLY || new RegExp(process.env.SECURITY_FUZZ_ONLY).test(`${op.method} ${op.path}`));
// Harmless first, destructive last: the workspace is deleted after every other tenant operation ran,
// the account after everything else.
const rank = (op: Operation) =>
  op.path === '/api/v1/me' && op.method === 'DELETE'
    ? 4
    : op.path === '/api/v1/tenants/{tenantId}' && op.method === 'DELETE'
      ? 3
      : op.method === 'DELETE'
        ? 2
        : op.method === 'GET'
          ? 0
          : 1;
operations.sort((a, b) => rank(a) - rank(b));

// --- response validation -------------------------------------------------------------------------

/** The schema read as closed: objects that list their properties admit no others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/components/schemas/', '#/$defs/');
    else if (k === 'properties' || k === '$defs')
      out[k] = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, closed(pv)]));
    else out[k] = closed(v);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
const defs = closed(doc.components.schemas) as Record<string, unknown>;
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(op: Operation, status: string) {
  const key = `${op.method} ${op.path} ${status}`;
  let v = validators.get(key);
  if (!v) {
    const schema = op.responses[status]?.content?.['application/json']?.schema;
    v = ajv.compile(schema ? { ...(closed(schema) as object), $defs: defs } : {});
    validators.set(key, v);
  }
  return v;
}

// --- secrets --------------------------------------------------------------------------------------

/** One-time reveals: the field that may carry a secret in that answer. */
const REVEALS: Record<string, string> = {
  'POST /api/v1/tenants/{tenantId}/api-keys 201': 'secret',
  'POST /api/v1/tenants/{tenantId}/webhooks 201': 'secret',
};
const SECRET_KEYS =
  /^(password|passwordHash|hash|keyHash|secretHash|secret|secretEncrypted|token|accessToken|refreshToken|idToken|privateKey|totpSecret|backupCodes|sessionToken)$/i;
const SECRET_VALUES: [RegExp, string][] = [
  [/\b[0-9a-f]{32}:[0-9a-f]{128}\b/, 'scrypt password hash'],
  [/\$(argon2|scrypt|2[aby])\$/, 'password hash'],
  [/whsec_[A-Za-z0-9]{8,}/, 'webhook signing secret'],
  [/\batr_[A-Za-z0-9_]{24,}/, 'API key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'JWT'],
];
function findSecrets(value: unknown, reveal: string | undefined, at = '$'): string[] {
  if (typeof value === 'string') return SECRET_VALUES.filter(([re]) => re.test(value)).map(([, what]) => `${what} at ${at}`);
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, reveal, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      if (k === reveal) return [];
      const named = SECRET_KEYS.test(k) && v !== null && v !== undefined && v !== '' ? [`field "${k}" at ${at}`] : [];
      return [...named, ...findSecrets(v, reveal, `${at}.${k}`)];
    });
  }
  return [];
}

// --- the workspace --------------------------------------------------------------------------------

let t: TestApp;
let fakeAi: FakeOpenAI;
let owner: TestUser;
let sacrificial: TestUser;
let jwtAt = 0;
const ids: Record<string, string> = {};

async function api(method: string, url: string, payload?: unknown, user: TestUser = owner) {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers: user.h,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json().data;
}
const tenantUrl = (suffix = '') => `/api/v1/tenants/${ids.tenantId}${suffix}`;

async function seed(what: 'all' | 'projectId' | 'taskId' | 'commentId' | 'keyId' | 'webhookId' | 'invitationId') {
  if (what === 'all' || what === 'projectId')
    ids.projectId = (await api('POST', tenantUrl('/projects'), { name: `Fuzz ${Date.now()}` })).id;
  if (what === 'all' || what === 'projectId' || what === 'taskId')
    ids.taskId = (await api('POST', tenantUrl('/tasks'), { projectId: ids.projectId, title: 'Fuzz target' })).id;
  if (what === 'all' || what === 'projectId' || what === 'taskId' || what === 'commentId')
    ids.commentId = (await api('POST', tenantUrl(`/tasks/${ids.taskId}/comments`), { body: 'Fuzz comment' })).id;
  if (what === 'all' || what === 'keyId')
    ids.keyId = (await api('POST', tenantUrl('/api-keys'), { name: 'fuzz', scopes: ['tasks:read'] })).id;
  if (what === 'all' || what === 'webhookId')
    ids.webhookId = (await api('POST', tenantUrl('/webhooks'), { url: 'http://127.0.0.1:9/hook', events: ['task.created'] })).id;
  if (what === 'all' || what === 'invitationId')
    ids.invitationId = (await api('POST', tenantUrl('/invitations'), { email: `invitee-${Date.now()}@example.com`, role: 'member' })).id;
}

/** Real values for named fields and path parameters. */
const hints: Record<string, () => unknown[]> = {
  tenantId: () => [ids.tenantId],
  projectId: () => [ids.projectId],
  taskId: () => [ids.taskId],
  commentId: () => [ids.commentId],
  keyId: () => [ids.keyId],
  webhookId: () => [ids.webhookId],
  invitationId: () => [ids.invitationId],
  memberId: () => [ids.memberId],
  assigneeId: () => [owner.id],
  actorId: () => [owner.id],
  userId: () => [owner.id],
  sessionToken: () => [ids.sessionToken],
  password: () => [PASSWORD],
  planId: () => ['pro', 'business'],
  plan: () => ['pro', 'business'],
  email: () => [`someone-${Date.now()}@example.com`],
  url: () => ['http://127.0.0.1:9/hook'],
};

// --- cases ----------------------------------------------------------------------------------------

const MUTATIONS = [
  'valid',
  'valid',
  'valid',
  'wrong-type',
  'drop-required',
  'extra-field',
  'nasty-field',
  'nasty-path',
  'nasty-query',
  'unknown-query',
  'repeated-query',
  'malformed-json',
  'wrong-content-type',
  'non-object-body',
  'huge-body',
  'odd-headers',
] as const;
type Mutation = (typeof MUTATIONS)[number];

interface Case {
  mutation: Mutation;
  auth: 'owner' | 'anonymous' | 'forged';
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  nasty: string;
  wrong: unknown;
  pick: number;
  forged: string;
}

const components = doc.components.schemas;
const convert = { components, hints };

function caseArbitrary(op: Operation): fc.Arbitrary<Case> {
  const params = op.parameters ?? [];
  const pathParams: Record<string, fc.Arbitrary<unknown>> = {};
  const query: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredQuery: string[] = [];
  for (const p of params) {
    if (p.in === 'path') pathParams[p.name] = toArbitrary(p.schema, convert, p.name);
    if (p.in === 'query') {
      query[p.name] = toArbitrary(p.schema, convert, p.name);
      if (p.required) requiredQuery.push(p.name);
    }
  }
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  return fc.record({
    mutation: fc.constantFrom(...MUTATIONS),
    auth: fc.constantFrom('owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'anonymous', 'forged') as fc.Arbitrary<
      Case['auth']
    >,
    pathParams: fc.record(pathParams),
    query: fc.record(query, { requiredKeys: requiredQuery }),
    body: bodySchema ? toArbitrary(bodySchema, convert) : fc.constant(undefined),
    nasty: nastyString,
    wrong: wrongTypeArbitrary(),
    pick: fc.nat(),
    forged: fc.constantFrom(
      'Bearer ',
      'Bearer not-a-jwt',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfeCJ9.',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer atr_0000000000000000000000000000000000',
      'Bearer \u0000',
    ),
  });
}

interface Built {
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

function build(op: Operation, c: Case): Built {
  const pathParams = { ...c.pathParams } as Record<string, unknown>;
  const query = { ...c.query } as Record<string, unknown>;
  let body = c.body === undefined ? undefined : structuredClone(c.body);
  const headers: Record<string, string> = {};
  if (c.auth === 'owner') headers.authorization = owner.h.authorization;
  if (c.auth === 'forged') headers.authorization = c.forged;
  let payload: string | Buffer | undefined;
  let rawPath: { name: string; value: string } | undefined;
  const keys = (o: unknown) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : []);
  const pickKey = (o: unknown) => keys(o)[c.pick % Math.max(keys(o).length, 1)];
  switch (c.mutation) {
    case 'wrong-type': {
      const k = pickKey(body);
      if (k) (body as Record<string, unknown>)[k] = c.wrong;
      else body = c.wrong;
      break;
    }
    case 'drop-required': {
      const required = op.requestBody?.content['application/json']?.schema.required ?? [];
      const k = required[c.pick % Math.max(required.length, 1)];
      if (k && body && typeof body === 'object') delete (body as Record<string, unknown>)[k];
      break;
    }
    case 'extra-field':
      if (body && typeof body === 'object' && !Array.isArray(body))
        Object.assign(body, { tenantId: 'ten_other', role: 'owner', isAdmin: true, __proto__x: 1 });
      else body = { unexpected: c.nasty };
      break;
    case 'nasty-field': {
      const k = pickKey(body);
      if (k) (body as Record<string, unknown>)[k] = c.nasty;
      else body = c.nasty;
      break;
    }
    case 'nasty-path': {
      const k = Object.keys(pathParams)[c.pick % Math.max(Object.keys(pathParams).length, 1)];
      // Every fourth one goes in raw: broken percent-encoding the router itself must refuse cleanly.
      if (k && c.pick % 4 === 0)
        rawPath = { name: k, value: ['%ZZ', '%', '%C0%AF', '%00', '%E0%A4%A', '..%2F..%2F', '%u0041'][c.pick % 7] as string };
      else if (k) pathParams[k] = c.nasty.slice(0, 500) || 'x';
      break;
    }
    case 'nasty-query': {
      const params = (op.parameters ?? []).filter((p) => p.in === 'query');
      const p = params[c.pick % Math.max(params.length, 1)];
      if (p) query[p.name] = c.nasty.slice(0, 3000);
      break;
    }
    case 'unknown-query':
      query['__proto__[polluted]'] = '1';
      query['constructor[prototype][polluted]'] = '1';
      query.sort = c.nasty.slice(0, 200);
      query.limit = c.pick % 3 === 0 ? '-1' : c.pick % 3 === 1 ? '99999999999999999999' : '1.5';
      break;
    case 'repeated-query': {
      const params = (op.parameters ?? []).filter((p) => p.in === 'query');
      const p = params[c.pick % Math.max(params.length, 1)];
      if (p) query[p.name] = ['a', 'b', String(c.pick)];
      break;
    }
    case 'malformed-json':
      payload = ['{', '{"a":', '[1,2', '{"a":1}}', 'nul', '\u0000', '{"__proto__":{"polluted":1}}', `"${'x'.repeat(10)}`][c.pick % 8];
      headers['content-type'] = 'application/json';
      break;
    case 'wrong-content-type':
      payload = body === undefined ? 'a=1' : JSON.stringify(body);
      headers['content-type'] = [
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-7',
        'image/png',
      ][c.pick % 6] as string;
      break;
    case 'non-object-body':
      body = [c.wrong, c.nasty, 42, null, [body]][c.pick % 5];
      break;
    case 'huge-body':
      payload = JSON.stringify({ ...(body && typeof body === 'object' ? body : {}), pad: 'x'.repeat(1_100_000 + (c.pick % 1000)) });
      headers['content-type'] = 'application/json';
      break;
    case 'odd-headers':
      headers['idempotency-key'] = c.nasty.slice(0, 300).replace(/[^\t\x20-\x7e]/g, '?');
      headers['if-match'] = c.nasty.slice(0, 100).replace(/[^\t\x20-\x7e]/g, '?');
      headers.accept = 'text/html';
      headers['x-request-id'] = '../../etc/passwd';
      headers['x-api-key'] = 'atr_forged';
      headers.cookie = 'atrium.session_token=forged.signature';
      break;
    default:
      break;
  }
  let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    rawPath !== undefined && name === rawPath.name ? rawPath.value : safeEncode(String(pathParams[name] ?? 'x')) || 'x',
  );
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v])
      qs.append(k, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
  }
  if (qs.size > 0) url += `?${qs}`;
  if (payload === undefined && body !== undefined && !['GET', 'HEAD'].includes(op.method)) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  return { url, headers, ...(payload === undefined ? {} : { payload }) };
}

// --- the run --------------------------------------------------------------------------------------

const stats = { cases: 0, fiveXx: 0, undocumented: 0, invalid: 0, secrets: 0, byStatus: new Map<number, number>() };
const failures: string[] = [];
const started = Date.now();

beforeAll(async () => {
  fakeAi = await startFakeOpenAI();
  t = await startTestApp({
    work: true,
    env: {
      ALLOW_PRIVATE_WEBHOOK_URLS: 'true',
      AI_COMPATIBLE_BASE_URL: fakeAi.url,
      AI_MODELS_FILE: MODELS_FILE,
      AI_REQUESTS_PER_MINUTE: '100000',
    },
  });
  owner = await createUser(t.app, { label: 'fuzz-owner', verify: false });
  sacrificial = await createUser(t.app, { label: 'fuzz-sacrificial', verify: false });
  jwtAt = Date.now();
  ids.tenantId = (await api('POST', '/api/v1/tenants', { name: 'Fuzz' })).id as string;
  await setPlan(t.database, ids.tenantId, 'business');
  await seed('all');
  ids.memberId = (await api('GET', tenantUrl('/members')))[0].id;
  const checkout = await t.app.inject({
    method: 'POST',
    url: tenantUrl('/billing/checkout'),
    headers: owner.h,
    payload: { planId: 'pro' },
  });
  const checkoutUrl = checkout.statusCode === 200 ? (checkout.json().data.url as string) : '';
  ids.sessionToken = checkoutUrl.split('/').filter(Boolean).at(-1) ?? 'none';
});

afterAll(async () => {
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const statuses = [...stats.byStatus]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  record({
    check: 'OpenAPI fuzz',
    order: 1,
    cases: stats.cases,
    failures: failures.length,
    figures: `${operations.length} operations × ${RUNS} runs (seed ${SEED}), ${seconds} s; 5xx ${stats.fiveXx}, undocumented status ${stats.undocumented}, schema violations ${stats.invalid}, secrets ${stats.secrets}; statuses ${statuses}`,
  });
  await t?.close();
  await fakeAi?.close();
});

describe('OpenAPI-driven fuzzing', () => {
  it('covers every documented operation', () => {
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    if (!process.env.SECURITY_FUZZ_ONLY) expect(operations.length + Object.keys(SKIPPED).length).toBe(documented);
  });

  for (const op of operations) {
    const key = `${op.method} ${op.path}`;
    it(`${key}: no 5xx, documented statuses and shapes, no secrets`, async () => {
      if (Date.now() - jwtAt > 10 * 60_000) {
        owner.jwt = await getJwt(t.app, owner.cookie);
        owner.h = { authorization: `Bearer ${owner.jwt}` };
        jwtAt = Date.now();
      }
      const user = key === 'DELETE /api/v1/me' ? sacrificial : owner;
      if (process.env.SECURITY_FUZZ_DEBUG) process.stderr.write(`sampling ${key}\n`);
      const cases = fc.sample(caseArbitrary(op), { numRuns: RUNS, seed: SEED ^ hash(key) });
      const local: string[] = [];
      for (const c of cases) {
        if (STREAMS.has(key) && c.auth === 'owner' && c.mutation !== 'nasty-path') c.auth = 'anonymous';
        const built = build(op, c);
        if (c.auth === 'owner') built.headers.authorization = user.h.authorization;
        if (process.env.SECURITY_FUZZ_DEBUG) process.stderr.write(`${key} ${c.mutation} ${c.auth} ${built.url.slice(0, 120)}\n`);
        const res = await withTimeout(
          t.app.inject({ method: op.method as 'GET', url: built.url, headers: built.headers, payload: built.payload }),
          15_000,
          `${key} [${c.mutation}/${c.auth}] ${built.url.slice(0, 160)}`,
        );
        stats.cases++;
        if (process.env.SECURITY_FUZZ_DEBUG) process.stderr.write(`  → ${res.statusCode} ${res.body.length}\n`);
        stats.byStatus.set(res.statusCode, (stats.byStatus.get(res.statusCode) ?? 0) + 1);
        const where = `${key} [${c.mutation}/${c.auth}] ${built.url.slice(0, 160)} → ${res.statusCode}`;
        if (res.statusCode >= 500) {
          stats.fiveXx++;
          local.push(`5xx: ${where} ${res.body.slice(0, 200)}`);
        }
        const status = String(res.statusCode);
        if (!op.responses[status]) {
          stats.undocumented++;
          local.push(`undocumented status: ${where} ${res.body.slice(0, 200)}`);
        } else if (op.responses[status]?.content?.['application/json']) {
          let body: unknown;
          try {
            body = JSON.parse(res.body);
          } catch {
            stats.invalid++;
            local.push(`not JSON: ${where}`);
            continue;
          }
          const validate = validatorFor(op, status);
          if (!validate(body)) {
            stats.invalid++;
            local.push(`schema: ${where} ${ajv.errorsText(validate.errors)} ${res.body.slice(0, 300)}`);
          }
          // The dev outbox shows sent mail, sign-in links included, by design; it does not exist in production.
          const secrets = op.path.startsWith('/api/v1/dev/') ? [] : findSecrets(body, REVEALS[`${key} ${status}`]);
          if (secrets.length > 0) {
            stats.secrets++;
            local.push(`secret: ${where} ${secrets.join(', ')}`);
          }
        }
        // A DELETE that worked removed a seeded object: make a new one for the cases after it.
        if (op.method === 'DELETE' && res.statusCode < 300 && rank(op) === 2) {
          const kind = (op.path.match(/\{(\w+)\}$/)?.[1] ?? '') as Parameters<typeof seed>[0];
          if (['projectId', 'taskId', 'commentId', 'keyId', 'webhookId', 'invitationId'].includes(kind)) await seed(kind);
        }
      }
      failures.push(...local);
      expect(local.slice(0, 10), `${local.length} failures`).toEqual([]);
    });
  }
});

/** encodeURIComponent, except that lone surrogates go out as the UTF-8 bytes Node would send (U+FFFD). */
function safeEncode(value: string): string {
  // "." and ".." are dot-segments, and so are "%2E" and "%2E%2E": WHATWG URL parsing (fetch, and
  // app.inject through it) resolves them away, so the request would be for another URL (another
  // operation: PATCH /tenants/%2E became PATCH /tenants/, a 405), not a bad value for this one. They
  // cannot be sent as a path value at all; the same dots go out followed by a letter.
  if (value === '.' || value === '..') return `${value}x`;
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

/** A request that does not answer within `ms` fails the case instead of hanging the run. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + (ch.codePointAt(0) ?? 0)) | 0;
  return h;
}
