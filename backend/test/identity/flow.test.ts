/**
 * The identity/tenancy contract end to end over HTTP: sign-up, workspaces, invitations by mail,
 * members and roles, leaving, deleting a workspace (and its purge), the audit log with its filters
 * and cursor pagination, and validation errors.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, tenants } from '../../src/db/schema/index.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, readMail, type TestUser } from '../helpers/auth.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  type AuditDto,
  auditAll,
  call,
  expectError,
  type InvitationDto,
  invitations,
  liftPlan,
  type MemberDto,
  members,
  ok,
  type Res,
  type TenantDto,
  tenantUrl,
} from './support.ts';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

interface Me {
  user: { id: string; email: string; name: string; emailVerified: boolean };
  memberships: { tenantId: string; slug: string; name: string; role: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The state the flow builds up, step by step. */
const s = {
  acme: undefined as unknown as TenantDto,
  acme2: undefined as unknown as TenantDto,
  bobs: undefined as unknown as TenantDto,
  bobMembershipId: '',
  carolMembershipId: '',
  /** Mutations and the response that made them: each must have its audit row. */
  mutations: [] as { action: string; actor: TestUser; targetId: string; requestId: string; tenantId: string }[],
  mark1: '',
  mark2: '',
};

function record(action: string, actor: TestUser, targetId: string, res: Res, tenantId: string) {
  expect(res.requestId).toMatch(/^req/);
  s.mutations.push({ action, actor, targetId, requestId: res.requestId, tenantId });
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  alice = await createUser(t.app, { label: 'alice' });
  bob = await createUser(t.app, { label: 'bob' });
  carol = await createUser(t.app, { label: 'carol' });
});
afterAll(async () => {
  await t?.close();
});

describe('identity and tenancy flow', () => {
  it('GET /me answers the signed-in user, with no workspace yet; 401 without credentials', async () => {
    const me = await ok<Me>(t.app, alice, 'GET', '/api/v1/me');
    expect(me).toEqual({
      user: { id: alice.id, email: alice.email, name: 'alice', emailVerified: true, role: 'user', platformAdmin: false },
      impersonatedBy: null,
      memberships: [],
    });
    expectError(await call(t.app, null, 'GET', '/api/v1/me'), 401, 'unauthorized');
    expectError(await call(t.app, null, 'GET', '/api/v1/tenants'), 401, 'unauthorized');
    expectError(await call(t.app, null, 'POST', '/api/v1/tenants', { name: 'Nope' }), 401, 'unauthorized');
  });

  it('creates workspaces: slug derived from the name, or explicit; a taken explicit slug is 409', async () => {
    const res = await call<TenantDto>(t.app, alice, 'POST', '/api/v1/tenants', { name: 'Acme Corp' });
    expect(res.status).toBe(201);
    s.acme = res.body.data;
    await liftPlan(t.app, s.acme.id);
    expect(s.acme).toMatchObject({ name: 'Acme Corp', slug: 'acme-corp', role: 'owner', plan: expect.any(String), settings: {} });
    expect(s.acme.id).toMatch(/^ten/);
    record('tenant.created', alice, s.acme.id, res, s.acme.id);

    // Same name again: the derived slug is taken, so a suffix is added.
    s.acme2 = await ok<TenantDto>(t.app, alice, 'POST', '/api/v1/tenants', { name: 'Acme Corp' });
    await liftPlan(t.app, s.acme2.id);
    expect(s.acme2.slug).toMatch(/^acme-corp-[a-z0-9]+$/);
    expect(s.acme2.id).not.toBe(s.acme.id);

    const bobs = await call<TenantDto>(t.app, bob, 'POST', '/api/v1/tenants', { name: 'Bob’s Place', slug: 'bobs-place' });
    expect(bobs.status).toBe(201);
    s.bobs = bobs.body.data;
    await liftPlan(t.app, s.bobs.id);
    expect(s.bobs).toMatchObject({ name: 'Bob’s Place', slug: 'bobs-place', role: 'owner' });

    const dup = await call(t.app, alice, 'POST', '/api/v1/tenants', { name: 'Another', slug: 'bobs-place' });
    expectError(dup, 409, 'conflict');
    // The failed creation left nothing behind.
    const mine = await ok<TenantDto[]>(t.app, alice, 'GET', '/api/v1/tenants');
    expect(mine.map((x) => x.id).sort()).toEqual([s.acme.id, s.acme2.id].sort());
  });

  it('GET /me and GET /tenants list the caller’s memberships with their role', async () => {
    const me = await ok<Me>(t.app, alice, 'GET', '/api/v1/me');
    expect(me.memberships).toHaveLength(2);
    expect(me.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: s.acme.id, slug: 'acme-corp', name: 'Acme Corp', role: 'owner' }),
        expect.objectContaining({ tenantId: s.acme2.id, slug: s.acme2.slug, name: 'Acme Corp', role: 'owner' }),
      ]),
    );
    const bobMe = await ok<Me>(t.app, bob, 'GET', '/api/v1/me');
    expect(bobMe.memberships).toEqual([
      expect.objectContaining({ tenantId: s.bobs.id, slug: 'bobs-place', name: 'Bob’s Place', role: 'owner' }),
    ]);

    const list = await ok<TenantDto[]>(t.app, bob, 'GET', '/api/v1/tenants');
    expect(list).toEqual([expect.objectContaining({ id: s.bobs.id, role: 'owner' })]);
    const one = await ok<TenantDto>(t.app, alice, 'GET', tenantUrl(s.acme.id));
    expect(one).toMatchObject({ id: s.acme.id, name: 'Acme Corp', role: 'owner' });
    // Bob is no member of Acme: it does not exist for him.
    expectError(await call(t.app, bob, 'GET', tenantUrl(s.acme.id)), 404, 'not_found');
  });

  it('invites by email: 201, a mail with the accept link, listed as pending', async () => {
    await sleep(30);
    s.mark1 = new Date().toISOString();
    await sleep(30);
    const res = await call<InvitationDto>(t.app, alice, 'POST', tenantUrl(s.acme.id, '/invitations'), {
      email: bob.email.toUpperCase(),
      role: 'member',
    });
    expect(res.status).toBe(201);
    const inv = res.body.data;
    expect(inv).toMatchObject({ email: bob.email, role: 'member', status: 'pending', invitedBy: alice.id });
    expect(inv.id).toMatch(/^inv/);
    const ttl = Date.parse(inv.expiresAt) - Date.parse(inv.createdAt);
    expect(Math.abs(ttl - 7 * 24 * 3600 * 1000)).toBeLessThan(60_000);
    record('member.invited', alice, inv.id, res, s.acme.id);

    const mail = await readMail(t.app, bob.email, 'invited to Acme Corp');
    const link = `${t.app.config.webUrl}/invitations/${inv.id}`;
    expect(mail.links).toContain(link);
    expect(mail.text).toContain(link);

    expect((await invitations(t.app, alice, s.acme.id)).map((i) => i.id)).toEqual([inv.id]);
  });

  it('the invited user accepts through the link’s id: member, once', async () => {
    const mail = await readMail(t.app, bob.email, 'invited to Acme Corp');
    const link = mail.links.find((l) => l.includes('/invitations/')) as string;
    const invitationId = new URL(link).pathname.split('/').pop() as string;

    // Someone else cannot accept it.
    expectError(await call(t.app, carol, 'POST', `/api/v1/invitations/${invitationId}/accept`), 404, 'not_found');
    expectError(await call(t.app, null, 'POST', `/api/v1/invitations/${invitationId}/accept`), 401, 'unauthorized');

    const res = await call<{ tenant: TenantDto; membershipId: string }>(t.app, bob, 'POST', `/api/v1/invitations/${invitationId}/accept`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.tenant).toMatchObject({ id: s.acme.id, role: 'member' });
    s.bobMembershipId = res.body.data.membershipId;
    expect(s.bobMembershipId).toMatch(/^mem/);
    record('member.joined', bob, s.bobMembershipId, res, s.acme.id);

    // Single use.
    expectError(await call(t.app, bob, 'POST', `/api/v1/invitations/${invitationId}/accept`), 409, 'conflict');
    expect(await invitations(t.app, alice, s.acme.id)).toEqual([]);

    const me = await ok<Me>(t.app, bob, 'GET', '/api/v1/me');
    expect(me.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: s.acme.id, slug: 'acme-corp', name: 'Acme Corp', role: 'member' }),
        expect.objectContaining({ tenantId: s.bobs.id, slug: 'bobs-place', name: 'Bob’s Place', role: 'owner' }),
      ]),
    );
    expect(me.memberships).toHaveLength(2);
  });

  it('the members list shows both, to both', async () => {
    const expected = [
      expect.objectContaining({ userId: alice.id, email: alice.email, name: 'alice', role: 'owner' }),
      expect.objectContaining({ id: s.bobMembershipId, userId: bob.id, email: bob.email, name: 'bob', role: 'member' }),
    ];
    expect(await members(t.app, alice, s.acme.id)).toEqual(expected);
    expect(await members(t.app, bob, s.acme.id)).toEqual(expected);
  });

  it('owners change roles', async () => {
    const res = await call<MemberDto>(t.app, alice, 'PATCH', tenantUrl(s.acme.id, `/members/${s.bobMembershipId}`), { role: 'admin' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: s.bobMembershipId, userId: bob.id, role: 'admin' });
    record('member.role_changed', alice, s.bobMembershipId, res, s.acme.id);
    expect((await members(t.app, bob, s.acme.id)).find((m) => m.userId === bob.id)?.role).toBe('admin');
    expect((await ok<TenantDto>(t.app, bob, 'GET', tenantUrl(s.acme.id))).role).toBe('admin');
  });

  it('PATCH /tenants/:id renames; the change shows everywhere', async () => {
    const res = await call<TenantDto>(t.app, alice, 'PATCH', tenantUrl(s.acme.id), {
      name: 'Acme Corporation',
      settings: { theme: 'dark' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: s.acme.id, name: 'Acme Corporation', slug: 'acme-corp', settings: { theme: 'dark' } });
    record('tenant.updated', alice, s.acme.id, res, s.acme.id);
    expect(await ok<TenantDto>(t.app, bob, 'GET', tenantUrl(s.acme.id))).toMatchObject({
      name: 'Acme Corporation',
      settings: { theme: 'dark' },
    });
    // Slug change to a taken slug: 409, nothing changed.
    expectError(await call(t.app, alice, 'PATCH', tenantUrl(s.acme.id), { slug: 'bobs-place' }), 409, 'conflict');
    expect((await ok<TenantDto>(t.app, alice, 'GET', tenantUrl(s.acme.id))).slug).toBe('acme-corp');
  });

  it('revokes an invitation: gone from the list, cannot be accepted, cannot be revoked twice', async () => {
    const inv = await ok<InvitationDto>(t.app, bob, 'POST', tenantUrl(s.acme.id, '/invitations'), { email: carol.email, role: 'guest' });
    const res = await call<InvitationDto>(t.app, bob, 'DELETE', tenantUrl(s.acme.id, `/invitations/${inv.id}`));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ id: inv.id, status: 'revoked' });
    record('invitation.revoked', bob, inv.id, res, s.acme.id);
    expect(await invitations(t.app, alice, s.acme.id)).toEqual([]);
    expectError(await call(t.app, carol, 'POST', `/api/v1/invitations/${inv.id}/accept`), 409, 'conflict');
    expectError(await call(t.app, bob, 'DELETE', tenantUrl(s.acme.id, `/invitations/${inv.id}`)), 409, 'conflict');
    expectError(await call(t.app, carol, 'GET', tenantUrl(s.acme.id)), 404, 'not_found');
  });

  it('an admin changes a member’s role; an owner removes a member, who loses access', async () => {
    const inv = await ok<InvitationDto>(t.app, alice, 'POST', tenantUrl(s.acme.id, '/invitations'), { email: carol.email, role: 'viewer' });
    const accepted = await ok<{ membershipId: string }>(t.app, carol, 'POST', `/api/v1/invitations/${inv.id}/accept`);
    s.carolMembershipId = accepted.membershipId;

    const changed = await call<MemberDto>(t.app, bob, 'PATCH', tenantUrl(s.acme.id, `/members/${s.carolMembershipId}`), { role: 'editor' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.data.role).toBe('editor');
    record('member.role_changed', bob, s.carolMembershipId, changed, s.acme.id);

    const removed = await call<{ id: string; removed: true }>(
      t.app,
      alice,
      'DELETE',
      tenantUrl(s.acme.id, `/members/${s.carolMembershipId}`),
    );
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.data).toEqual({ id: s.carolMembershipId, removed: true });
    record('member.removed', alice, s.carolMembershipId, removed, s.acme.id);
    expectError(await call(t.app, carol, 'GET', tenantUrl(s.acme.id)), 404, 'not_found');
    expect((await members(t.app, alice, s.acme.id)).map((m) => m.userId)).toEqual([alice.id, bob.id]);
  });

  it('a member leaves by deleting their own membership', async () => {
    await sleep(30);
    s.mark2 = new Date().toISOString();
    await sleep(30);
    const demoted = await call<MemberDto>(t.app, alice, 'PATCH', tenantUrl(s.acme.id, `/members/${s.bobMembershipId}`), { role: 'member' });
    expect(demoted.status).toBe(200);
    record('member.role_changed', alice, s.bobMembershipId, demoted, s.acme.id);

    const left = await call<{ id: string; removed: true }>(t.app, bob, 'DELETE', tenantUrl(s.acme.id, `/members/${s.bobMembershipId}`));
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    expect(left.body.data).toEqual({ id: s.bobMembershipId, removed: true });
    record('member.removed', bob, s.bobMembershipId, left, s.acme.id);

    expectError(await call(t.app, bob, 'GET', tenantUrl(s.acme.id)), 404, 'not_found');
    const me = await ok<Me>(t.app, bob, 'GET', '/api/v1/me');
    expect(me.memberships.map((m) => m.tenantId)).toEqual([s.bobs.id]);
    expect((await members(t.app, alice, s.acme.id)).map((m) => m.userId)).toEqual([alice.id]);
  });

  it('every mutation has its audit row: action, actor, target and the response’s request id', async () => {
    const rows = await auditAll(t.app, alice, s.acme.id);
    expect(s.mutations.map((m) => m.action).sort()).toEqual(
      expect.arrayContaining([
        'tenant.created',
        'tenant.updated',
        'member.invited',
        'member.joined',
        'member.role_changed',
        'member.removed',
        'invitation.revoked',
      ]),
    );
    for (const m of s.mutations) {
      const row = rows.find((r) => r.requestId === m.requestId && r.action === m.action);
      expect(row, `${m.action} (${m.requestId})`).toBeDefined();
      expect(row).toMatchObject({ actorType: 'user', actorId: m.actor.id, targetId: m.targetId });
    }
    // Leaving and being removed are told apart.
    const removals = rows.filter((r) => r.action === 'member.removed');
    expect(removals.find((r) => r.targetId === s.bobMembershipId)?.metadata).toMatchObject({ userId: bob.id, left: true });
    expect(removals.find((r) => r.targetId === s.carolMembershipId)?.metadata).toMatchObject({ userId: carol.id, left: false });
    const change = rows.find((r) => r.action === 'member.role_changed' && r.targetId === s.carolMembershipId);
    expect(change?.metadata).toMatchObject({ from: 'viewer', to: 'editor' });
    expect(rows.find((r) => r.action === 'tenant.updated')?.metadata).toMatchObject({
      changed: expect.arrayContaining(['name', 'settings']),
    });
    // The creator's own membership is recorded too.
    expect(rows.filter((r) => r.action === 'member.joined').map((r) => r.actorId)).toEqual(
      expect.arrayContaining([alice.id, bob.id, carol.id]),
    );
    // Newest first.
    const times = rows.map((r) => r.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    // Another tenant's rows do not show.
    expect(rows.every((r) => r.targetId !== s.bobs.id && r.targetId !== s.acme2.id)).toBe(true);
  });

  it('filters the audit log by action, actor, target and time', async () => {
    const all = await auditAll(t.app, alice, s.acme.id);
    expect(all.length).toBeGreaterThanOrEqual(12);
    const ids = (rows: AuditDto[]) => rows.map((r) => r.id);

    for (const action of ['member.invited', 'member.role_changed', 'member.removed']) {
      const got = await auditAll(t.app, alice, s.acme.id, { action });
      expect(got.length).toBeGreaterThan(0);
      expect(ids(got)).toEqual(ids(all.filter((r) => r.action === action)));
    }
    const byBob = await auditAll(t.app, alice, s.acme.id, { actorId: bob.id });
    expect(byBob.length).toBeGreaterThanOrEqual(3);
    expect(ids(byBob)).toEqual(ids(all.filter((r) => r.actorId === bob.id)));

    const onBob = await auditAll(t.app, alice, s.acme.id, { targetId: s.bobMembershipId });
    expect(onBob.map((r) => r.action).sort()).toEqual(['member.joined', 'member.removed', 'member.role_changed', 'member.role_changed']);
    expect(ids(onBob)).toEqual(ids(all.filter((r) => r.targetId === s.bobMembershipId)));

    const combined = await auditAll(t.app, alice, s.acme.id, { action: 'member.role_changed', actorId: alice.id });
    expect(ids(combined)).toEqual(ids(all.filter((r) => r.action === 'member.role_changed' && r.actorId === alice.id)));
    expect(combined).toHaveLength(2);

    const after1 = await auditAll(t.app, alice, s.acme.id, { from: s.mark1 });
    expect(ids(after1)).toEqual(ids(all.filter((r) => r.createdAt > s.mark1)));
    expect(after1.some((r) => r.action === 'tenant.created')).toBe(false);
    const before1 = await auditAll(t.app, alice, s.acme.id, { to: s.mark1 });
    expect(before1.map((r) => r.action).sort()).toEqual(['member.joined', 'tenant.created']);
    const window = await auditAll(t.app, alice, s.acme.id, { from: s.mark1, to: s.mark2 });
    expect(ids(window)).toEqual(ids(all.filter((r) => r.createdAt > s.mark1 && r.createdAt < s.mark2)));
    expect(window.length).toBeGreaterThan(0);
    expect(window.length).toBeLessThan(after1.length);
    // A time zone offset is accepted.
    const offset = new Date(Date.parse(s.mark2)).toISOString().replace('Z', '+00:00');
    expect(ids(await auditAll(t.app, alice, s.acme.id, { from: offset }))).toEqual(ids(all.filter((r) => r.createdAt > s.mark2)));

    expect(await auditAll(t.app, alice, s.acme.id, { action: 'no.such.action' })).toEqual([]);
    expectError(await call(t.app, alice, 'GET', tenantUrl(s.acme.id, '/audit-logs?from=yesterday')), 400, 'validation_error');
    expectError(await call(t.app, alice, 'GET', tenantUrl(s.acme.id, '/audit-logs?cursor=garbage')), 400, 'validation_error');
    expectError(await call(t.app, alice, 'GET', tenantUrl(s.acme.id, '/audit-logs?limit=0')), 400, 'validation_error');
    expectError(await call(t.app, alice, 'GET', tenantUrl(s.acme.id, '/audit-logs?limit=101')), 400, 'validation_error');
    // PostgreSQL text cannot hold NUL: a filter or a forged cursor carrying one is refused, not a 500
    // (found by the security suite's fuzzing).
    for (const name of ['actorId', 'action', 'targetId']) {
      expectError(await call(t.app, alice, 'GET', tenantUrl(s.acme.id, `/audit-logs?${name}=a%00b`)), 400, 'validation_error');
    }
    const nulCursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', 'aud_\u0000'])).toString('base64url');
    expectError(await call(t.app, alice, 'GET', tenantUrl(s.acme.id, `/audit-logs?cursor=${nulCursor}`)), 400, 'validation_error');
  });

  it('pages the audit log with a cursor: limit=2, no duplicates, no gaps', async () => {
    const all = await auditAll(t.app, alice, s.acme.id);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const res: Res<AuditDto[]> = await call<AuditDto[]>(t.app, alice, 'GET', tenantUrl(s.acme.id, `/audit-logs${qs}`));
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      expect(res.body.data.length).toBeGreaterThan(0);
      seen.push(...res.body.data.map((r) => r.id));
      cursor = res.body.meta?.nextCursor ?? null;
      pages++;
      expect(pages).toBeLessThanOrEqual(all.length);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(pages).toBe(Math.ceil(all.length / 2));

    // Cursor pagination composes with filters.
    const invitedAll = all.filter((r) => r.actorId === alice.id).map((r) => r.id);
    const got: string[] = [];
    cursor = null;
    do {
      const qs: string = `?limit=2&actorId=${alice.id}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res: Res<AuditDto[]> = await call<AuditDto[]>(t.app, alice, 'GET', tenantUrl(s.acme.id, `/audit-logs${qs}`));
      got.push(...res.body.data.map((r) => r.id));
      cursor = res.body.meta?.nextCursor ?? null;
    } while (cursor);
    expect(got).toEqual(invitedAll);
  });

  it('pages without gaps when rows share a millisecond (PostgreSQL keeps microseconds)', async () => {
    // PGlite's clock has millisecond resolution; PostgreSQL's has microseconds. Rows of separate
    // transactions can fall into the same millisecond there: written here with explicit timestamps.
    const pager = await ok<TenantDto>(t.app, alice, 'POST', '/api/v1/tenants', { name: 'Pager' });
    await liftPlan(t.app, pager.id);
    const base = '2026-01-02T03:04:05.123';
    await withTenant(t.database.db, { tenantId: pager.id }, async (tx) => {
      for (const [i, micros] of ['900', '700', '500', '300', '100'].entries()) {
        await tx.insert(auditLogs).values({
          id: `aud_same_ms_${i}`,
          tenantId: pager.id,
          actorType: 'system',
          action: 'test.same_ms',
          createdAt: sql`${`${base}${micros}Z`}::timestamptz` as unknown as Date,
        });
      }
    });
    const all = await auditAll(t.app, alice, pager.id);
    expect(all.filter((r) => r.action === 'test.same_ms')).toHaveLength(5);
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const qs: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res: Res<AuditDto[]> = await call<AuditDto[]>(t.app, alice, 'GET', tenantUrl(pager.id, `/audit-logs${qs}`));
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((r) => r.id));
        cursor = res.body.meta?.nextCursor ?? null;
        expect(seen.length).toBeLessThanOrEqual(all.length);
      } while (cursor);
      expect(seen, `limit=${limit}`).toEqual(all.map((r) => r.id));
    }
    // The API shows milliseconds: from/to with that value are inclusive of all five rows.
    const shown = all.find((r) => r.id === 'aud_same_ms_4')?.createdAt as string;
    expect(shown).toBe(`${base}Z`);
    const exact = (await auditAll(t.app, alice, pager.id, { from: shown, to: shown })).map((r) => r.id);
    expect(exact).toEqual(['aud_same_ms_0', 'aud_same_ms_1', 'aud_same_ms_2', 'aud_same_ms_3', 'aud_same_ms_4']);
    expect((await auditAll(t.app, alice, pager.id, { to: shown })).map((r) => r.id)).toEqual(exact);
    // A forged cursor is a 400, not a database error.
    for (const forged of [
      ['2026-02-30T00:00:00.000000Z', 'aud_x'],
      ['2026-13-01T00:00:00Z', 'aud_x'],
      ['yesterday', 'aud_x'],
      [1, 2],
    ]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      expectError(await call(t.app, alice, 'GET', tenantUrl(pager.id, `/audit-logs?cursor=${cursor}`)), 400, 'validation_error');
    }
  });

  it('rejects invalid input with 400 validation_error and per-field details', async () => {
    const tenantsBefore = await ok<TenantDto[]>(t.app, alice, 'GET', '/api/v1/tenants');
    const before = await invitations(t.app, alice, s.acme.id);
    const badEmail = await call(t.app, alice, 'POST', tenantUrl(s.acme.id, '/invitations'), { email: 'not-an-email', role: 'member' });
    expectError(badEmail, 400, 'validation_error');
    expect(badEmail.body.error.details).toEqual([
      expect.objectContaining({ location: 'body', path: 'email', message: expect.any(String) }),
    ]);

    const badRole = await call(t.app, alice, 'POST', tenantUrl(s.acme.id, '/invitations'), { email: carol.email, role: 'superuser' });
    expectError(badRole, 400, 'validation_error');
    expect(badRole.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'role' })]);
    expect(await invitations(t.app, alice, s.acme.id)).toEqual(before);

    const badMemberRole = await call(t.app, alice, 'PATCH', tenantUrl(s.acme.id, `/members/${s.bobMembershipId}`), { role: 'god' });
    expectError(badMemberRole, 400, 'validation_error');
    expect(badMemberRole.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'role' })]);

    for (const name of ['', '   ']) {
      const emptyName = await call(t.app, alice, 'POST', '/api/v1/tenants', { name });
      expectError(emptyName, 400, 'validation_error');
      expect(emptyName.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'name' })]);
    }
    const emptyRename = await call(t.app, alice, 'PATCH', tenantUrl(s.acme.id), { name: '' });
    expectError(emptyRename, 400, 'validation_error');
    expect(emptyRename.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'name' })]);
    const badSlug = await call(t.app, alice, 'POST', '/api/v1/tenants', { name: 'Fine', slug: '-Bad Slug-' });
    expectError(badSlug, 400, 'validation_error');
    expect(badSlug.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'slug' })]);

    // Nothing was created or changed by the refused calls.
    expect(await ok<TenantDto[]>(t.app, alice, 'GET', '/api/v1/tenants')).toEqual(tenantsBefore);
  });

  it('the owner deletes a workspace: 200, then 404 for everyone, gone from the lists, purged by a job', async () => {
    const tenantId = s.acme2.id;
    const inv = await ok<InvitationDto>(t.app, alice, 'POST', tenantUrl(tenantId, '/invitations'), { email: bob.email, role: 'admin' });
    await ok(t.app, bob, 'POST', `/api/v1/invitations/${inv.id}/accept`);
    const forCarol = await ok<InvitationDto>(t.app, alice, 'POST', tenantUrl(tenantId, '/invitations'), {
      email: carol.email,
      role: 'viewer',
    });
    expect(await ok<TenantDto>(t.app, bob, 'GET', tenantUrl(tenantId))).toMatchObject({ id: tenantId, role: 'admin' });
    // Only owners delete.
    expectError(await call(t.app, bob, 'DELETE', tenantUrl(tenantId)), 403, 'forbidden');

    const res = await call<{ id: string; deletedAt: string }>(t.app, alice, 'DELETE', tenantUrl(tenantId));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ id: tenantId, deletedAt: expect.any(String) });
    expect(Math.abs(Date.parse(res.body.data.deletedAt) - Date.now())).toBeLessThan(60_000);

    for (const user of [alice, bob]) {
      expectError(await call(t.app, user, 'GET', tenantUrl(tenantId)), 404, 'not_found');
      expectError(await call(t.app, user, 'GET', tenantUrl(tenantId, '/members')), 404, 'not_found');
      expectError(await call(t.app, user, 'PATCH', tenantUrl(tenantId), { name: 'Zombie' }), 404, 'not_found');
      expectError(await call(t.app, user, 'DELETE', tenantUrl(tenantId)), 404, 'not_found');
      expect((await ok<TenantDto[]>(t.app, user, 'GET', '/api/v1/tenants')).map((x) => x.id)).not.toContain(tenantId);
      expect((await ok<Me>(t.app, user, 'GET', '/api/v1/me')).memberships.map((m) => m.tenantId)).not.toContain(tenantId);
    }
    expectError(await call(t.app, alice, 'GET', tenantUrl(tenantId, '/audit-logs')), 404, 'not_found');
    // Carol's pending invitation to it leads nowhere.
    expectError(await call(t.app, carol, 'POST', `/api/v1/invitations/${forCarol.id}/accept`), 404, 'not_found');
    expect((await ok<Me>(t.app, carol, 'GET', '/api/v1/me')).memberships).toEqual([]);
    // The other workspaces are untouched.
    expect(await ok<TenantDto>(t.app, alice, 'GET', tenantUrl(s.acme.id))).toMatchObject({ name: 'Acme Corporation' });
    expect(await ok<TenantDto>(t.app, bob, 'GET', tenantUrl(s.bobs.id))).toMatchObject({ name: 'Bob’s Place' });

    // The purge job removes the row and, by cascade, everything of the tenant.
    const count = async (table: string, column: string) =>
      withTenant(t.database.db, { tenantId }, async (tx) => {
        const r = (await tx.execute(sql.raw(`select count(*)::int as n from ${table} where ${column} = '${tenantId}'`))) as unknown as {
          rows: { n: number }[];
        };
        return r.rows[0]?.n ?? -1;
      });
    await waitFor(
      async () =>
        (await withTenant(t.database.db, { tenantId }, (tx) => tx.select().from(tenants).where(eq(tenants.id, tenantId)))).length === 0,
      {
        timeoutMs: 20_000,
      },
    );
    expect(await count('tenants', 'id')).toBe(0);
    expect(await count('memberships', 'tenant_id')).toBe(0);
    expect(await count('invitations', 'tenant_id')).toBe(0);
    expect(await count('audit_logs', 'tenant_id')).toBe(0);
    // The others' rows are still there.
    expect((await withTenant(t.database.db, { tenantId: s.acme.id }, (tx) => tx.select().from(tenants))).map((x) => x.id)).toEqual([
      s.acme.id,
    ]);
    expect(await ok<TenantDto>(t.app, bob, 'GET', tenantUrl(s.bobs.id))).toMatchObject({ id: s.bobs.id });
  });
});
