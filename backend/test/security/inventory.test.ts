/**
 * Route inventory: every route the app registers (app.routeInventory, filled by Fastify's onRoute) is
 * in the OpenAPI document, and every route that reaches tenant data or needs a role is covered by the
 * BOLA test and the role matrix. A new route that is in none of them fails this file.
 *
 * The role matrix (identity/role-matrix.test.ts) already fails when a tenant route has no row, and the
 * BOLA test (identity/bola.test.ts) attacks every tenant route it finds in the inventory; this file
 * checks that both still do so, and adds the routes outside /api/v1/tenants/:tenantId.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { record } from './support.ts';

const BACKEND = path.resolve(import.meta.dirname, '../..');
const TENANT_PREFIX = '/api/v1/tenants/:tenantId';

/** Registered on purpose without an OpenAPI entry, with the reason. */
const UNDOCUMENTED: Record<string, string> = {
  'GET /api/auth/*': 'Better Auth, mounted unchanged; documented by Better Auth',
  'POST /api/auth/*': 'Better Auth, mounted unchanged; documented by Better Auth',
  'GET /api/v1/openapi.json': 'the document itself',
  'OPTIONS *': 'CORS preflight (@fastify/cors)',
};
const isDocsUi = (url: string) => url === '/docs' || url.startsWith('/docs/');

/**
 * Routes outside /api/v1/tenants/:tenantId, each with the reason it needs no row in the tenant role
 * matrix. Admin routes are not here: they must be in the role matrix and the BOLA test by name.
 */
const NOT_TENANT_SCOPED: Record<string, string> = {
  'GET /metrics': 'public operational (token in production)',
  'GET /healthz': 'public probe',
  'GET /readyz': 'public probe',
  'GET /api/v1/status': 'public',
  'GET /api/v1/plans': 'public catalogue',
  'GET /api/v1/me': 'the caller themselves',
  'DELETE /api/v1/me': 'the caller themselves',
  'GET /api/v1/me/export': 'the caller themselves',
  'POST /api/v1/tenants': 'creates a workspace owned by the caller',
  'GET /api/v1/tenants': 'lists the caller’s memberships',
  'POST /api/v1/invitations/:invitationId/accept': 'invitation addressed to the caller’s email (invitation-abuse.test.ts)',
  'POST /api/v1/webhooks/stripe': 'signed by Stripe (billing/webhooks.test.ts)',
  'GET /api/v1/billing/offline/checkout/:sessionToken': 'capability URL (billing/offline.test.ts)',
  'POST /api/v1/billing/offline/checkout/:sessionToken/complete': 'capability URL (billing/offline.test.ts)',
  'GET /api/v1/dev/outbox': 'development only, absent in production',
  'POST /api/v1/dev/mail': 'development only, absent in production',
  'POST /api/v1/dev/clock': 'development only, absent in production',
};

let t: TestApp;
let registered: string[] = [];
let documented: Set<string>;
const roleMatrixSource = fs.readFileSync(path.join(BACKEND, 'test/identity/role-matrix.test.ts'), 'utf8');
const bolaSource = fs.readFileSync(path.join(BACKEND, 'test/identity/bola.test.ts'), 'utf8');
const adminSource = fs.readFileSync(path.join(BACKEND, 'test/ops/admin.test.ts'), 'utf8');
const failures: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  await t.app.ready();
  registered = [...new Set(t.app.routeInventory.map((r) => `${r.method} ${r.url.replace(/(.)\/+$/, '$1')}`))].sort();
  const doc = JSON.parse(fs.readFileSync(path.join(BACKEND, 'openapi.json'), 'utf8')) as { paths: Record<string, object> };
  documented = new Set(
    Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)),
  );
});
afterAll(async () => {
  const tenantRoutes = registered.filter((r) => r.split(' ')[1]?.startsWith(TENANT_PREFIX));
  record({
    check: 'Route inventory',
    order: 2,
    cases: registered.length,
    failures: failures.length,
    figures: `${registered.length} routes registered, ${documented?.size ?? 0} documented operations, ${tenantRoutes.length} tenant routes in role matrix and BOLA; ${adminRoutes().length} admin routes in the admin access table, ${adminMissing().length} missing`,
  });
  await t?.close();
});

// Platform-admin routes are not tenant-scoped, so the tenant role matrix and the cross-tenant BOLA test do
// not apply to them; their access table (anonymous 401, user 403, API key 403, admin allowed) is in
// ops/admin.test.ts, which also fails when a registered admin route is missing from it.
const adminRoutes = () => registered.filter((r) => r.split(' ')[1]?.startsWith('/api/v1/admin/'));
const adminMissing = () =>
  adminRoutes().filter((r) => {
    const [method, url] = r.split(' ') as [string, string];
    const pattern = new RegExp(`\\[?'${method}', '${url.replace(/:[A-Za-z]+/g, "[^/']+")}'`);
    return !pattern.test(adminSource) && !adminSource.includes(`'${method} ${url}'`);
  });

function check(list: string[], label: string) {
  failures.push(...list.map((l) => `${label}: ${l}`));
  expect(list, label).toEqual([]);
}

describe('route inventory', () => {
  it('every registered route is in openapi.json (or deliberately undocumented)', () => {
    expect(registered.length).toBeGreaterThan(40);
    check(
      registered.filter((r) => !documented.has(r) && !(r in UNDOCUMENTED) && !isDocsUi(r.split(' ')[1] ?? '')),
      'registered but undocumented',
    );
  });

  it('every documented operation is registered (no stale document)', () => {
    check(
      [...documented].filter((d) => !registered.includes(d)),
      'documented but not registered',
    );
  });

  it('every tenant route has a row in the role matrix', () => {
    const tenantRoutes = registered.filter((r) => r.split(' ')[1]?.startsWith(TENANT_PREFIX));
    expect(tenantRoutes.length).toBeGreaterThan(30);
    check(
      tenantRoutes.filter((r) => !roleMatrixSource.includes(`'${r}'`)),
      'tenant route without a role-matrix row',
    );
    // …and the matrix still fails by itself when a row is missing.
    expect(roleMatrixSource).toContain('expect(Object.keys(MATRIX).sort()).toEqual(registered)');
  });

  it('the BOLA test attacks every tenant route from the inventory', () => {
    expect(bolaSource).toMatch(/routeInventory\.filter\(\(r\) => r\.url\.startsWith\('\/api\/v1\/tenants\/:tenantId'\)\)/);
    expect(bolaSource).toMatch(/for \(const route of routes\)/);
  });

  it('every route outside the tenant prefix is classified (admin routes by prefix)', () => {
    const others = registered.filter((r) => {
      const url = r.split(' ')[1] ?? '';
      return !url.startsWith(TENANT_PREFIX) && !(r in UNDOCUMENTED) && !isDocsUi(url);
    });
    const admin = adminRoutes();
    check(
      others.filter((r) => !admin.includes(r) && !(r in NOT_TENANT_SCOPED)),
      'route outside the tenant prefix without a classification',
    );
  });

  it('admin routes are in the platform-admin access table (ops/admin.test.ts), which checks itself against the registry', () => {
    expect(adminSource).toContain('is missing from ADMIN_ROUTES');
    check(adminMissing(), 'admin route missing from the admin access table');
  });
});
