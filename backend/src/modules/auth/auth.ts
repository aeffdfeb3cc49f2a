/**
 * Better Auth: sign-up/sign-in with email and password, email verification, password reset,
 * sessions, TOTP two-factor with backup codes, optional GitHub/Google sign-in, and the JWT plugin
 * that issues the API's short-lived tokens (GET /api/auth/token) and publishes its keys
 * (GET /api/auth/jwks). Mounted unchanged at /api/auth/*, so Better Auth's own client works.
 *
 * The admin plugin adds the platform role (`users.role`), bans (a banned user cannot sign in; their
 * sessions are revoked) and impersonation sessions (`sessions.impersonated_by`). Its own HTTP
 * endpoints are switched off: platform admins act through /api/v1/admin, which audits every write
 * and calls the plugin's server API.
 */
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { admin, jwt, twoFactor } from 'better-auth/plugins';
import type { AppConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { accounts, jwks, rateLimits, sessions, twoFactors, users, verifications } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { newId } from '../../lib/ids.ts';
import { queueMail } from '../mail/mail.jobs.ts';

/** Header the API sets itself (replacing any client value) with the client IP as Fastify resolved it. */
export const CLIENT_IP_HEADER = 'x-atrium-client-ip';

const ID_PREFIX: Record<string, string> = {
  user: 'usr',
  session: 'ses',
  account: 'acc',
  verification: 'ver',
  jwks: 'key',
  twoFactor: 'tfa',
  rateLimit: 'rl',
};

/** The admin plugin's HTTP endpoints, disabled (see above); `auth.api.*` still reaches them in-process. */
export const ADMIN_PLUGIN_PATHS = [
  '/admin/set-role',
  '/admin/get-user',
  '/admin/create-user',
  '/admin/update-user',
  '/admin/list-users',
  '/admin/list-user-sessions',
  '/admin/unban-user',
  '/admin/ban-user',
  '/admin/impersonate-user',
  '/admin/stop-impersonating',
  '/admin/revoke-user-session',
  '/admin/revoke-user-sessions',
  '/admin/remove-user',
  '/admin/set-user-password',
  '/admin/has-permission',
];

/** How long an impersonation session lasts. */
export const IMPERSONATION_SECONDS = 3600;

export function createAuth(config: AppConfig, database: Database, jobs: JobQueue) {
  const socialProviders: Record<string, { clientId: string; clientSecret: string }> = {};
  if (config.auth.github) socialProviders.github = config.auth.github;
  if (config.auth.google) socialProviders.google = config.auth.google;

  return betterAuth({
    appName: 'Atrium',
    // Links in mails point at the web app, which forwards /api/auth/* to this server.
    baseURL: config.webUrl,
    basePath: '/api/auth',
    secret: config.auth.secret,
    disabledPaths: ADMIN_PLUGIN_PATHS,
    trustedOrigins: config.http.corsOrigins,
    database: drizzleAdapter(database.db, {
      provider: 'pg',
      schema: {
        user: users,
        session: sessions,
        account: accounts,
        verification: verifications,
        jwks,
        twoFactor: twoFactors,
        rateLimit: rateLimits,
      },
    }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      requireEmailVerification: config.auth.requireEmailVerification,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 3600,
      sendResetPassword: async ({ user, url }) => {
        await queueMail(jobs, {
          to: user.email,
          subject: 'Reset your Atrium password',
          text: `Someone asked to reset the password of your Atrium account.\n\nTo choose a new password, open: ${url}\n\nThe link works for one hour. If it wasn't you, ignore this mail; your password stays as it is.`,
        });
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: 24 * 3600,
      sendVerificationEmail: async ({ user, url }) => {
        await queueMail(jobs, {
          to: user.email,
          subject: 'Confirm your email for Atrium',
          text: `Welcome to Atrium, ${user.name}.\n\nConfirm your email address by opening: ${url}\n\nThe link works for 24 hours.`,
        });
      },
    },
    socialProviders,
    session: {
      expiresIn: 7 * 24 * 3600,
      updateAge: 24 * 3600,
    },
    rateLimit: {
      enabled: config.appEnv !== 'test' || process.env.AUTH_RATE_LIMIT === 'on',
      storage: 'database',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 5 },
        '/sign-up/email': { window: 60, max: 5 },
        '/request-password-reset': { window: 60, max: 3 },
        '/reset-password': { window: 60, max: 5 },
        '/two-factor/verify-totp': { window: 60, max: 5 },
        '/two-factor/verify-backup-code': { window: 60, max: 5 },
      },
    },
    advanced: {
      useSecureCookies: config.isProduction,
      // Better Auth turns its Origin/CSRF check and its callback/redirect URL allow-list off by itself
      // when NODE_ENV=test or TEST is set; keep them on everywhere, so they never depend on those
      // variables and the tests exercise what production runs.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      cookiePrefix: 'atrium',
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      database: { generateId: ({ model }) => newId(ID_PREFIX[model] ?? 'id') },
    },
    plugins: [
      jwt({
        jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' } },
        // The token says who (sub), for whom (aud), by whom (iss) and until when; it carries no personal
        // data. Minted from an impersonation session, it also names the acting admin (RFC 8693 `act`).
        jwt: {
          issuer: config.auth.jwtIssuer,
          audience: config.auth.jwtAudience,
          expirationTime: '15m',
          definePayload: ({ session }) => {
            const by = (session as { impersonatedBy?: string | null }).impersonatedBy;
            return by ? { act: { sub: by } } : {};
          },
        },
      }),
      twoFactor({ issuer: 'Atrium' }),
      admin({ defaultRole: 'user', adminRoles: ['admin'], impersonationSessionDuration: IMPERSONATION_SECONDS }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
