'use client';

import { twoFactorClient } from 'better-auth/client/plugins';
import { createAuthClient } from 'better-auth/react';

/** Better Auth's client, talking to /api/auth/* on this origin (forwarded to the API by src/proxy.ts). */
export const authClient = createAuthClient({
  basePath: '/api/auth',
  plugins: [twoFactorClient()],
});

/** Better Auth errors carry a message and sometimes a code; turn them into one sentence. */
export function authErrorMessage(error: { message?: string; code?: string; status?: number; statusText?: string } | null | undefined) {
  if (!error) return 'Something went wrong. Try again.';
  if (error.status === 429) return 'Too many attempts. Wait a minute and try again.';
  return error.message || error.statusText || 'Something went wrong. Try again.';
}
