/**
 * Revocation and role rules: access follows the membership as it is now, not the token. A removed
 * member's still-valid JWT opens nothing of the tenant; a demoted admin loses admin rights on the very
 * next request. The last owner stays; admins cannot create owners, touch admins or invite as owner.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../src/db/schema/index.ts';
import { INVITATION_TTL_MS } from '../../src/modules/tenants/tenants.service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser, getJwt, type TestUser, uniqueEmail } from '../helpers/auth.ts';
import {
  addMember,
  auditAll,
  call,
  createTenant,
  expectError,
  type InvitationDto,
  invitations,
  invite,
  type MemberDto,
  members,
  ok,
  type TenantDto,
  tenantUrl,
} from './support.ts';

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let admin2: TestUser;
let editor: TestUser;
let member: TestUser;
let tenantId = '';
const seat = {} as Record<'owner' | 'admin' | 'admin2' | 'editor' | 'member', string>;

const roleOf = async (memberId: string) => (await members(t.app, owner, tenantId)).find((m) => m.id === memberId)?.role;

async function changeRole(by: TestUser, memberId: string, role: Role) {
  return call<MemberDto>(t.app, by, 'PATCH', tenantUrl(tenantId, `/members/${memberId}`), { role });
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  owner = await createUser(t.app, { label: 'owner' });
  admin = await createUser(t.app, { label: 'admin' });
  admin2 = await createUser(t.app, { label: 'admin2' });
  editor = await createUser(t.app, { label: 'editor' });
  member = await createUser(t.app, { label: 'member' });
  tenantId = (await createTenant(t.app, owner, 'Revocable')).id;
  seat.owner = (await members(t.app, owner, tenantId))[0]?.id as string;
  seat.admin = await addMember(t.app, owner, tenantId, admin, 'admin');
  seat.admin2 = await addMember(t.app, owner, tenantId, admin2, 'admin');
  seat.editor = await addMember(t.app, owner, tenantId, editor, 'editor');
  seat.member = await addMember(t.app, owner, tenantId, member, 'member');
});
afterAll(async () => {
  await t?.close();
});

describe('revocation', () => {
  it('a member removed by an admin: their still-valid JWT gets 404 on the tenant at once', async () => {
    const jwtBefore = member.h;
    expect(await ok<TenantDto>(t.app, member, 'GET', tenantUrl(tenantId))).toMatchObject({ id: tenantId, role: 'member' });
    expect((await members(t.app, member, tenantId)).length).toBe(5);

    const removed = await call(t.app, admin, 'DELETE', tenantUrl(tenantId, `/members/${seat.member}`));
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);

    // The token itself is still valid (GET /me works with it)...
    const me = await ok<{ user: { id: string }; memberships: { tenantId: string }[] }>(t.app, member, 'GET', '/api/v1/me');
    expect(me.user.id).toBe(member.id);
    expect(me.memberships).toEqual([]);
    expect(member.h).toBe(jwtBefore);
    // ...but it opens nothing of the tenant any more.
    expectError(await call(t.app, member, 'GET', tenantUrl(tenantId)), 404, 'not_found');
    expectError(await call(t.app, member, 'GET', tenantUrl(tenantId, '/members')), 404, 'not_found');
    expectError(await call(t.app, member, 'DELETE', tenantUrl(tenantId, `/members/${seat.member}`)), 404, 'not_found');
    expectError(await call(t.app, member, 'PATCH', tenantUrl(tenantId, `/members/${seat.member}`), { role: 'member' }), 404, 'not_found');
    expect((await ok<TenantDto[]>(t.app, member, 'GET', '/api/v1/tenants')).map((x) => x.id)).not.toContain(tenantId);
    // A new JWT changes nothing either.
    const fresh = { ...member, h: { authorization: `Bearer ${await getJwt(t.app, member.cookie)}` } };
    expectError(await call(t.app, fresh, 'GET', tenantUrl(tenantId)), 404, 'not_found');
    // Neither does the session cookie.
    const byCookie = await t.app.inject({ url: tenantUrl(tenantId), headers: { cookie: member.cookie } });
    expect(byCookie.statusCode).toBe(404);

    // The audit log tells who removed whom.
    const rows = await auditAll(t.app, owner, tenantId, { action: 'member.removed', targetId: seat.member });
    expect(rows).toEqual([
      expect.objectContaining({ actorId: admin.id, metadata: expect.objectContaining({ userId: member.id, left: false }) }),
    ]);

    // Re-invited, they are back (with the same old token).
    seat.member = await addMember(t.app, owner, tenantId, member, 'member');
    expect(await ok<TenantDto>(t.app, member, 'GET', tenantUrl(tenantId))).toMatchObject({ role: 'member' });
  });

  it('a demoted admin’s next admin-only call is 403, immediately', async () => {
    const before = await call<InvitationDto>(t.app, admin2, 'POST', tenantUrl(tenantId, '/invitations'), {
      email: uniqueEmail('pre'),
      role: 'member',
    });
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    expect((await call(t.app, admin2, 'GET', tenantUrl(tenantId, '/audit-logs'))).status).toBe(200);

    const demoted = await changeRole(owner, seat.admin2, 'member');
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);

    // Same JWT as before the demotion.
    const email = uniqueEmail('post');
    expectError(await call(t.app, admin2, 'POST', tenantUrl(tenantId, '/invitations'), { email, role: 'member' }), 403, 'forbidden');
    expectError(await call(t.app, admin2, 'GET', tenantUrl(tenantId, '/invitations')), 403, 'forbidden');
    expectError(await call(t.app, admin2, 'DELETE', tenantUrl(tenantId, `/invitations/${before.body.data.id}`)), 403, 'forbidden');
    expectError(await call(t.app, admin2, 'GET', tenantUrl(tenantId, '/audit-logs')), 403, 'forbidden');
    expectError(await call(t.app, admin2, 'PATCH', tenantUrl(tenantId), { name: 'Mine now' }), 403, 'forbidden');
    expectError(await changeRole(admin2, seat.editor, 'viewer'), 403, 'forbidden');
    expectError(await call(t.app, admin2, 'DELETE', tenantUrl(tenantId, `/members/${seat.editor}`)), 403, 'forbidden');
    // Nothing of it happened.
    const pending = await invitations(t.app, owner, tenantId);
    expect(pending.map((i) => i.email)).not.toContain(email);
    expect(pending.map((i) => i.id)).toContain(before.body.data.id);
    expect(await roleOf(seat.editor)).toBe('editor');
    expect((await ok<TenantDto>(t.app, owner, 'GET', tenantUrl(tenantId))).name).toBe('Revocable');
    // What a member may do still works.
    expect(await ok<TenantDto>(t.app, admin2, 'GET', tenantUrl(tenantId))).toMatchObject({ role: 'member' });
    expect((await members(t.app, admin2, tenantId)).length).toBe(5);

    // Promotion takes effect as fast.
    expect((await changeRole(owner, seat.admin2, 'admin')).status).toBe(200);
    expect((await call(t.app, admin2, 'POST', tenantUrl(tenantId, '/invitations'), { email, role: 'member' })).status).toBe(201);
  });

  it('the last owner can be neither demoted nor removed (409), by themselves or anyone', async () => {
    expectError(await changeRole(owner, seat.owner, 'admin'), 409, 'conflict');
    expectError(await changeRole(owner, seat.owner, 'guest'), 409, 'conflict');
    expectError(await call(t.app, owner, 'DELETE', tenantUrl(tenantId, `/members/${seat.owner}`)), 409, 'conflict');
    // An admin may not touch an owner at all.
    expectError(await changeRole(admin, seat.owner, 'admin'), 403, 'forbidden');
    expectError(await call(t.app, admin, 'DELETE', tenantUrl(tenantId, `/members/${seat.owner}`)), 403, 'forbidden');
    // Setting the role it already has changes nothing and is fine.
    expect((await changeRole(owner, seat.owner, 'owner')).status).toBe(200);
    expect(await roleOf(seat.owner)).toBe('owner');
    expect((await members(t.app, owner, tenantId)).filter((m) => m.role === 'owner').map((m) => m.id)).toEqual([seat.owner]);
  });

  it('with a second owner, one may step down; two owners demoting each other at once leave one owner', async () => {
    expect((await changeRole(owner, seat.admin, 'owner')).status).toBe(200);
    // The second owner may now demote the first, and the first may leave or step down.
    const both = await Promise.all([changeRole(owner, seat.admin, 'admin'), changeRole(admin, seat.owner, 'admin')]);
    // One wins; the other is refused: 409 (last owner) or, if it saw the first one's result, 403.
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect([403, 409]).toContain(both.find((r) => r.status !== 200)?.status);
    const owners = (await members(t.app, owner, tenantId)).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);

    // Put things back: `owner` owner, `admin` admin.
    const [sole] = owners;
    if (sole?.id === seat.admin) {
      expect((await changeRole(admin, seat.owner, 'owner')).status).toBe(200);
      expect((await changeRole(owner, seat.admin, 'admin')).status).toBe(200);
    }
    expect(await roleOf(seat.owner)).toBe('owner');
    expect(await roleOf(seat.admin)).toBe('admin');

    // An owner who is not the last may leave.
    const extra = await createUser(t.app, { label: 'owner2' });
    const extraSeat = await addMember(t.app, owner, tenantId, extra, 'owner');
    expect((await call(t.app, extra, 'DELETE', tenantUrl(tenantId, `/members/${extraSeat}`))).status).toBe(200);
    expectError(await call(t.app, extra, 'GET', tenantUrl(tenantId)), 404, 'not_found');
  });

  it('an admin cannot make anyone owner, promote to admin, or change or remove another admin (403)', async () => {
    const cases: [string, () => ReturnType<typeof call>][] = [
      ['member → owner', () => changeRole(admin, seat.member, 'owner')],
      ['editor → owner', () => changeRole(admin, seat.editor, 'owner')],
      ['self → owner', () => changeRole(admin, seat.admin, 'owner')],
      ['member → admin', () => changeRole(admin, seat.member, 'admin')],
      ['admin2 → member', () => changeRole(admin, seat.admin2, 'member')],
      ['admin2 → owner', () => changeRole(admin, seat.admin2, 'owner')],
      ['remove admin2', () => call(t.app, admin, 'DELETE', tenantUrl(tenantId, `/members/${seat.admin2}`))],
    ];
    for (const [label, run] of cases) {
      const res = await run();
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(403);
      expectError(res, 403, 'forbidden');
    }
    expect(await roleOf(seat.member)).toBe('member');
    expect(await roleOf(seat.editor)).toBe('editor');
    expect(await roleOf(seat.admin)).toBe('admin');
    expect(await roleOf(seat.admin2)).toBe('admin');
    // Editors change nobody.
    expectError(await changeRole(editor, seat.member, 'viewer'), 403, 'forbidden');
    // What an admin may do: roles up to editor, for non-admins.
    expect((await changeRole(admin, seat.member, 'editor')).status).toBe(200);
    expect((await changeRole(admin, seat.member, 'member')).status).toBe(200);
    expect(await roleOf(seat.member)).toBe('member');
    // An owner may do all of it.
    expect((await changeRole(owner, seat.admin2, 'editor')).status).toBe(200);
    expect((await changeRole(owner, seat.admin2, 'admin')).status).toBe(200);
  });

  it('an admin cannot invite as owner (or admin), nor revoke such an invitation (403)', async () => {
    for (const role of ['owner', 'admin'] as const) {
      const email = uniqueEmail(`as-${role}`);
      expectError(await call(t.app, admin, 'POST', tenantUrl(tenantId, '/invitations'), { email, role }), 403, 'forbidden');
      expect((await invitations(t.app, owner, tenantId)).map((i) => i.email)).not.toContain(email);
    }
    expect(
      (await call(t.app, admin, 'POST', tenantUrl(tenantId, '/invitations'), { email: uniqueEmail('as-editor'), role: 'editor' })).status,
    ).toBe(201);

    // The owner may invite an owner; an admin may not revoke that invitation.
    const ownerInvite = await invite(t.app, owner, tenantId, uniqueEmail('future-owner'), 'owner');
    expectError(await call(t.app, admin, 'DELETE', tenantUrl(tenantId, `/invitations/${ownerInvite.id}`)), 403, 'forbidden');
    expect((await invitations(t.app, owner, tenantId)).find((i) => i.id === ownerInvite.id)?.status).toBe('pending');
    expect((await call(t.app, owner, 'DELETE', tenantUrl(tenantId, `/invitations/${ownerInvite.id}`))).status).toBe(200);
  });

  it('a revoked invitation cannot be accepted; an expired link is refused too', async () => {
    const invitee = await createUser(t.app, { label: 'invitee' });
    const inv = await invite(t.app, owner, tenantId, invitee.email, 'viewer');
    expect((await call(t.app, owner, 'DELETE', tenantUrl(tenantId, `/invitations/${inv.id}`))).status).toBe(200);
    expectError(await call(t.app, invitee, 'POST', `/api/v1/invitations/${inv.id}/accept`), 409, 'conflict');
    expectError(await call(t.app, invitee, 'GET', tenantUrl(tenantId)), 404, 'not_found');

    // An invitation made 7 days and a minute ago (the clock is moved back while it is created).
    vi.useFakeTimers({ toFake: ['Date'] });
    let old: InvitationDto;
    try {
      vi.setSystemTime(Date.now() - INVITATION_TTL_MS - 60_000);
      old = await invite(t.app, owner, tenantId, invitee.email, 'viewer');
    } finally {
      vi.useRealTimers();
    }
    expect(Date.parse(old.expiresAt)).toBeLessThan(Date.now());
    expect((await invitations(t.app, owner, tenantId)).find((i) => i.id === old.id)?.status).toBe('expired');
    expectError(await call(t.app, invitee, 'POST', `/api/v1/invitations/${old.id}/accept`), 409, 'conflict');
    expectError(await call(t.app, invitee, 'GET', tenantUrl(tenantId)), 404, 'not_found');
    // A fresh one works, once.
    const fresh = await invite(t.app, owner, tenantId, invitee.email, 'viewer');
    expect((await call(t.app, invitee, 'POST', `/api/v1/invitations/${fresh.id}/accept`)).status).toBe(200);
    expectError(await call(t.app, invitee, 'POST', `/api/v1/invitations/${fresh.id}/accept`), 409, 'conflict');
    expect(await ok<TenantDto>(t.app, invitee, 'GET', tenantUrl(tenantId))).toMatchObject({ role: 'viewer' });
  });
});
