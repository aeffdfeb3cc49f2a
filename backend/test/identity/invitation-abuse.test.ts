/**
 * Invitations used the wrong way: by the wrong person, across tenants, twice, too late, after being
 * revoked, to grant a role above the inviter's, and by someone who signed up with the invited address
 * without proving they own it. Each is refused with the documented status; the positive controls show
 * the same invitation works for the right person at the right time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { cookieHeader, createUser, getJwt, readMail, signIn, type TestUser, uniqueEmail } from '../helpers/auth.ts';

let t: TestApp;
let owner: TestUser;
let tenantId: string;

type Headers = Record<string, string>;
const DAY = 24 * 3600 * 1000;

async function createTenant(user: TestUser, name: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: user.h, payload: { name } });
  expect(res.statusCode).toBe(201);
  return res.json().data.id;
}

const invite = (tenant: string, headers: Headers, email: string, role: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant}/invitations`, headers, payload: { email, role } });

async function invited(tenant: string, headers: Headers, email: string, role: string): Promise<string> {
  const res = await invite(tenant, headers, email, role);
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().data).toMatchObject({ email: email.toLowerCase(), role, status: 'pending' });
  return res.json().data.id;
}

const accept = (headers: Headers, invitationId: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/invitations/${invitationId}/accept`, headers });

const revoke = (tenant: string, headers: Headers, invitationId: string) =>
  t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenant}/invitations/${invitationId}`, headers });

async function pendingIds(tenant: string, headers: Headers = owner.h): Promise<string[]> {
  const res = await t.app.inject({ url: `/api/v1/tenants/${tenant}/invitations`, headers });
  expect(res.statusCode).toBe(200);
  return (res.json().data as { id: string }[]).map((i) => i.id);
}

async function roleIn(user: { h: Headers } | { cookie: string }, tenant: string): Promise<string | undefined> {
  const headers = 'h' in user ? user.h : { cookie: user.cookie };
  const res = await t.app.inject({ url: '/api/v1/me', headers });
  expect(res.statusCode).toBe(200);
  return (res.json().data.memberships as { tenantId: string; role: string }[]).find((m) => m.tenantId === tenant)?.role;
}

function expectError(res: { statusCode: number; json: () => unknown }, status: number, code: string) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(res.json()).toMatchObject({ success: false, error: { code } });
}

/** A verified user who joined `tenantId` with `role` through a real invitation. */
async function member(label: string, role: string): Promise<TestUser> {
  const user = await createUser(t.app, { label });
  const id = await invited(tenantId, owner.h, user.email, role);
  const res = await accept(user.h, id);
  expect(res.statusCode).toBe(200);
  expect(res.json().data.tenant).toMatchObject({ id: tenantId, role });
  return user;
}

beforeAll(async () => {
  t = await startTestApp({ work: true });
  owner = await createUser(t.app, { label: 'owner' });
  tenantId = await createTenant(owner, 'Invite Target');
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('who may accept', () => {
  it('someone signed in with a different email gets 404; the invitee can still accept', async () => {
    const invitee = await createUser(t.app, { label: 'invitee' });
    const intruder = await createUser(t.app, { label: 'intruder' });
    const id = await invited(tenantId, owner.h, invitee.email, 'member');

    // The mail carries the link with the id: knowing the id is not enough.
    const mail = await readMail(t.app, invitee.email, "You're invited");
    expect(mail.links).toContain(`http://localhost:3000/invitations/${id}`);

    expectError(await accept(intruder.h, id), 404, 'not_found');
    expectError(await accept({ cookie: intruder.cookie }, id), 404, 'not_found');
    expect(await roleIn(intruder, tenantId)).toBeUndefined();
    expect(await pendingIds(tenantId)).toContain(id);

    const ok = await accept(invitee.h, id);
    expect(ok.statusCode).toBe(200);
    expect(await roleIn(invitee, tenantId)).toBe('member');
  });

  it('an unknown invitation id is 404 and no credentials is 401', async () => {
    const someone = await createUser(t.app, { label: 'someone' });
    expectError(await accept(someone.h, 'inv_doesnotexist'), 404, 'not_found');
    const id = await invited(tenantId, owner.h, someone.email, 'viewer');
    expectError(await accept({}, id), 401, 'unauthorized');
    expect(await pendingIds(tenantId)).toContain(id);
  });

  it("the owner of another tenant cannot accept, list or revoke this tenant's invitation", async () => {
    const other = await createUser(t.app, { label: 'other-owner' });
    const otherTenant = await createTenant(other, 'Other Co');
    const target = uniqueEmail('target');
    const id = await invited(tenantId, owner.h, target, 'admin');

    expectError(await accept(other.h, id), 404, 'not_found');
    // Through their own tenant's routes the id does not resolve either.
    expectError(await revoke(otherTenant, other.h, id), 404, 'not_found');
    // And they are no member of the inviting tenant.
    expectError(await t.app.inject({ url: `/api/v1/tenants/${tenantId}/invitations`, headers: other.h }), 404, 'not_found');
    expectError(await revoke(tenantId, other.h, id), 404, 'not_found');

    expect(await pendingIds(tenantId)).toContain(id);
    expect(await roleIn(other, tenantId)).toBeUndefined();
  });

  it('an account whose email is not verified cannot accept (403) until it verifies', async () => {
    // Anyone can sign up with the invited address; only the mailbox owner can verify it.
    const squatter = await createUser(t.app, { label: 'unverified', verify: false });
    const me = await t.app.inject({ url: '/api/v1/me', headers: squatter.h });
    expect(me.json().data.user.emailVerified).toBe(false);
    const id = await invited(tenantId, owner.h, squatter.email, 'editor');

    expectError(await accept(squatter.h, id), 403, 'forbidden');
    expect(await roleIn(squatter, tenantId)).toBeUndefined();
    expect(await pendingIds(tenantId)).toContain(id);

    // Positive control: after verifying through the mailed link, the same account may accept.
    const mail = await readMail(t.app, squatter.email, 'Confirm your email');
    const link = new URL(mail.links[0] as string);
    expect((await t.app.inject({ url: `${link.pathname}${link.search}` })).statusCode).toBeLessThan(400);
    const ok = await accept(squatter.h, id);
    expect(ok.statusCode).toBe(200);
    expect(await roleIn(squatter, tenantId)).toBe('editor');
  });
});

describe('when it may be accepted', () => {
  it('an accepted invitation cannot be used again (409)', async () => {
    const user = await createUser(t.app, { label: 'twice' });
    const id = await invited(tenantId, owner.h, user.email, 'viewer');
    expect((await accept(user.h, id)).statusCode).toBe(200);
    expectError(await accept(user.h, id), 409, 'conflict');
    expect(await roleIn(user, tenantId)).toBe('viewer');
    expect(await pendingIds(tenantId)).not.toContain(id);
    // Nor can it be revoked any more.
    expectError(await revoke(tenantId, owner.h, id), 409, 'conflict');
  });

  it('a revoked invitation cannot be accepted (409)', async () => {
    const user = await createUser(t.app, { label: 'revoked' });
    const id = await invited(tenantId, owner.h, user.email, 'member');
    const revoked = await revoke(tenantId, owner.h, id);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().data).toMatchObject({ id, status: 'revoked' });
    expectError(await revoke(tenantId, owner.h, id), 409, 'conflict');

    expectError(await accept(user.h, id), 409, 'conflict');
    expect(await roleIn(user, tenantId)).toBeUndefined();
  });

  it('an invitation is valid for 7 days: accepted on day 6, refused (409) on day 8', async () => {
    // The app runs in this process, so moving the clock (Date only) moves the server's clock. The
    // sessions and JWTs made now would be stale then; both users sign in again in the moved time.
    const early = await createUser(t.app, { label: 'day6' });
    const late = await createUser(t.app, { label: 'day8' });
    const earlyId = await invited(tenantId, owner.h, early.email, 'member');
    const lateId = await invited(tenantId, owner.h, late.email, 'member');
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });

    const freshHeaders = async (email: string) => {
      const res = await signIn(t.app, email);
      expect(res.statusCode).toBe(200);
      return { authorization: `Bearer ${await getJwt(t.app, cookieHeader(res.headers['set-cookie']))}` };
    };

    vi.setSystemTime(start + 6 * DAY);
    const onDay6 = await accept(await freshHeaders(early.email), earlyId);
    expect(onDay6.statusCode).toBe(200);

    vi.setSystemTime(start + 8 * DAY);
    const lateHeaders = await freshHeaders(late.email);
    const onDay8 = await accept(lateHeaders, lateId);
    expectError(onDay8, 409, 'conflict');
    expect(onDay8.json().error.message).toMatch(/expired/i);
    expect(await roleIn({ h: lateHeaders }, tenantId)).toBeUndefined();

    // The inviter sees it as expired.
    const list = await t.app.inject({ url: `/api/v1/tenants/${tenantId}/invitations`, headers: await freshHeaders(owner.email) });
    expect(list.statusCode).toBe(200);
    expect((list.json().data as { id: string; status: string }[]).find((i) => i.id === lateId)?.status).toBe('expired');
  });
});

describe('who may invite, and as what', () => {
  let admin: TestUser;
  let editor: TestUser;

  beforeAll(async () => {
    admin = await member('admin', 'admin');
    editor = await member('editor', 'editor');
  });

  it('an admin cannot invite an owner or an admin (403), but can invite an editor', async () => {
    expectError(await invite(tenantId, admin.h, uniqueEmail('want-owner'), 'owner'), 403, 'forbidden');
    expectError(await invite(tenantId, admin.h, uniqueEmail('want-admin'), 'admin'), 403, 'forbidden');
    const pending = await pendingIds(tenantId);
    const ok = await invite(tenantId, admin.h, uniqueEmail('fine'), 'editor');
    expect(ok.statusCode).toBe(201);
    expect(await pendingIds(tenantId)).toEqual(expect.arrayContaining([...pending, ok.json().data.id]));
    expect((await pendingIds(tenantId)).length).toBe(pending.length + 1);
  });

  it('an admin cannot revoke an invitation for a role above what they may grant', async () => {
    const id = await invited(tenantId, owner.h, uniqueEmail('future-admin'), 'admin');
    expectError(await revoke(tenantId, admin.h, id), 403, 'forbidden');
    expect(await pendingIds(tenantId)).toContain(id);
  });

  it('an editor cannot invite at all, not even as guest (403), nor see the invitations', async () => {
    for (const role of ['guest', 'viewer', 'member', 'editor', 'admin', 'owner']) {
      expectError(await invite(tenantId, editor.h, uniqueEmail(`by-editor-${role}`), role), 403, 'forbidden');
    }
    expectError(await t.app.inject({ url: `/api/v1/tenants/${tenantId}/invitations`, headers: editor.h }), 403, 'forbidden');
    const id = await invited(tenantId, owner.h, uniqueEmail('not-yours'), 'viewer');
    expectError(await revoke(tenantId, editor.h, id), 403, 'forbidden');
  });
});
