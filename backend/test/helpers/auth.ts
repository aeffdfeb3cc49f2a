/**
 * Test users through the real Better Auth endpoints: sign up, verify through the dev outbox, sign in,
 * get a JWT. Nothing is inserted behind the API's back.
 */
import type { AppInstance } from '../../src/types.ts';
import { waitFor } from './wait.ts';

export const ORIGIN = 'http://localhost:3000';
export const PASSWORD = 'correct-horse-battery-staple';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  cookie: string;
  jwt: string;
  /** Headers for /api/v1 calls with the JWT. */
  h: { authorization: string };
}

let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}-${Date.now().toString(36)}-${++counter}@example.com`;

export function cookieHeader(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

export async function readMail(app: AppInstance, to: string, subjectIncludes: string) {
  return waitFor(async () => {
    const res = await app.inject({ url: `/api/v1/dev/outbox?to=${encodeURIComponent(to)}` });
    const mails = res.json().data as { subject: string; text: string; links: string[] }[];
    return mails.find((m) => m.subject.includes(subjectIncludes));
  });
}

export async function getJwt(app: AppInstance, cookie: string): Promise<string> {
  const res = await app.inject({ url: '/api/auth/token', headers: { cookie } });
  if (res.statusCode !== 200) throw new Error(`token: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
}

export async function signIn(app: AppInstance, email: string, password = PASSWORD) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN },
    payload: { email, password },
  });
  return res;
}

/** Signs up (and, unless told otherwise, verifies the email through the outbox link). */
export async function createUser(app: AppInstance, opts: { label?: string; email?: string; verify?: boolean } = {}): Promise<TestUser> {
  const email = opts.email ?? uniqueEmail(opts.label);
  const name = opts.label ?? 'Test User';
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    payload: { email, password: PASSWORD, name },
  });
  if (res.statusCode !== 200) throw new Error(`sign-up: ${res.statusCode} ${res.body}`);
  const id = res.json().user.id as string;
  if (opts.verify !== false) {
    const mail = await readMail(app, email, 'Confirm your email');
    const link = new URL(mail.links[0] as string);
    const verified = await app.inject({ url: `${link.pathname}${link.search}` });
    if (verified.statusCode >= 400) throw new Error(`verify: ${verified.statusCode} ${verified.body}`);
  }
  const signedIn = await signIn(app, email);
  if (signedIn.statusCode !== 200) throw new Error(`sign-in: ${signedIn.statusCode} ${signedIn.body}`);
  const cookie = cookieHeader(signedIn.headers['set-cookie']);
  const jwt = await getJwt(app, cookie);
  return { id, email, name, cookie, jwt, h: { authorization: `Bearer ${jwt}` } };
}
