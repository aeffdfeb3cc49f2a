import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { createUser } from '../helpers/auth.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ work: true });
});
afterAll(async () => {
  await t?.close();
});

it('smoke', async () => {
  const alice = await createUser(t.app, { label: 'alice' });
  const me = await t.app.inject({ url: '/api/v1/me', headers: alice.h });
  console.log(me.statusCode, me.body);
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: alice.h, payload: { name: 'Acme Inc' } });
  console.log(created.statusCode, created.body);
  const tenantId = created.json().data.id;
  const inv = await t.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/invitations`, headers: alice.h, payload: { email: 'bob@example.com', role: 'editor' } });
  console.log(inv.statusCode, inv.body);
  const viaCookie = await t.app.inject({ url: '/api/v1/tenants', headers: { cookie: alice.cookie } });
  console.log(viaCookie.statusCode, viaCookie.body);
  const audit = await t.app.inject({ url: `/api/v1/tenants/${tenantId}/audit-logs`, headers: alice.h });
  console.log(audit.statusCode, audit.body.slice(0, 500));
  expect(me.statusCode).toBe(200);
});
