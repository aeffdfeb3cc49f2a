/**
 * Account security in the browser: two-factor set-up in settings (the code computed from the shown
 * otpauth URI, as an authenticator app would), sign-in with the TOTP step and with a backup code,
 * and a password reset through the mailed link.
 */
import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiUser, createUser, hasChromium, launchBrowser, linkIn, newContext, PASSWORD, readMail, resultsDir } from './support';

const webBase = inject('webBase');

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of input.toUpperCase().replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), `step` periods from now. */
function totp(secret: string, step = 0): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + step));
  const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe.skipIf(!hasChromium || !webBase)('account security', () => {
  let browser: Browser;
  let page: Page;
  let user: ApiUser;
  let tenantId: string;
  let secret = '';
  let backupCodes: string[] = [];
  const NEW_PASSWORD = 'a-brand-new-passphrase-42';

  beforeAll(async () => {
    browser = await launchBrowser();
    const u = await createUser(webBase, 'secure', 'Sam Secure');
    tenantId = (await u.http.ok<{ id: string }>('POST', '/api/v1/tenants', { name: 'Secure Co' })).id;
    user = u;
    const context = await newContext(browser, webBase, { cookie: u.cookie });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function signInWithPassword(password: string) {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
  }

  async function signOut() {
    await page.goto(`/w/${tenantId}/settings`);
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
  }

  it('turns on two-factor authentication in settings', async () => {
    await page.goto(`/w/${tenantId}/settings`);
    await page.getByRole('tab', { name: 'Security' }).click();
    await page.getByLabel('Confirm with your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    const uri = (await page.getByTestId('totp-uri').textContent()) ?? '';
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    secret = new URL(uri).searchParams.get('secret') ?? '';
    backupCodes = await page.getByTestId('backup-codes').getByRole('listitem').allTextContents();
    expect(backupCodes.length).toBeGreaterThanOrEqual(5);
    await page.getByLabel('Authentication code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Your account asks for a code at sign-in.').waitFor();
  });

  it('asks for the authenticator code at sign-in', async () => {
    await signOut();
    await signInWithPassword(PASSWORD);
    // The enrolment used this period's code; a code is accepted once, so use the next period's.
    await page.getByLabel('Authentication code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/w/${tenantId}/tasks`));
  });

  it('accepts a backup code instead', async () => {
    await signOut();
    await signInWithPassword(PASSWORD);
    await page.getByRole('button', { name: 'Use a backup code instead' }).click();
    await page.getByLabel('Backup code').fill(backupCodes[0] as string);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/w/${tenantId}/tasks`));
  });

  it('resets a forgotten password through the mailed link', async () => {
    await signOut();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'we sent it a link' })
      .waitFor()
      .catch(async (err) => {
        await page.screenshot({ path: `${resultsDir}/failures/forgot-password.png` });
        throw err;
      });
    const mail = await readMail(webBase, user.email, 'Reset your');
    await page.goto(linkIn(mail, '/api/auth/reset-password/'));
    await page.waitForURL(/\/reset-password\?token=/);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    await signInWithPassword(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Use a backup code instead' }).click();
    await page.getByLabel('Backup code').fill(backupCodes[1] as string);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/w/${tenantId}/tasks`));
  });
});
