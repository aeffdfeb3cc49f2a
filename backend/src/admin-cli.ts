/**
 * `npm run admin:create -- --email someone@example.com [--password …] [--name …]`: makes a platform
 * administrator. An existing user (any sign-in method) is promoted to the 'admin' role; otherwise a
 * verified admin user with a password is created; without --password one is generated and printed
 * once. Runs against the configured database (DATA_DIR's PGlite or DATABASE_URL), migrating it first.
 * Nothing is asked on stdin, so it works in CI and deploy scripts.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { type AppConfig, ConfigError, loadConfig } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { withScope } from './db/tenant.ts';
import { JobQueue } from './jobs/queue.ts';
import { findUserByEmail, setUserRole } from './modules/admin/admin.repository.ts';
import { createAuth } from './modules/auth/auth.ts';

export interface CreateAdminInput {
  email: string;
  password?: string;
  name?: string;
}

export interface CreateAdminResult {
  userId: string;
  email: string;
  action: 'created' | 'promoted' | 'already_admin';
  /** Set when the password was generated here (shown once). */
  generatedPassword?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class AdminCliError extends Error {}

/** The work, on an open and migrated database (the app role is entered here). */
export async function createAdmin(config: AppConfig, database: Database, input: CreateAdminInput): Promise<CreateAdminResult> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new AdminCliError(`Not an email address: ${input.email}`);
  if (input.password !== undefined && (input.password.length < 10 || input.password.length > 128)) {
    throw new AdminCliError('The password must be 10 to 128 characters long');
  }
  const existing = await withScope(database.db, {}, (tx) => findUserByEmail(tx, email), { lookup: true });
  if (existing) {
    if (existing.role === 'admin') return { userId: existing.id, email: existing.email, action: 'already_admin' };
    await withScope(database.db, { userId: existing.id }, (tx) => setUserRole(tx, existing.id, 'admin'), { lookup: true });
    return { userId: existing.id, email: existing.email, action: 'promoted' };
  }
  // Better Auth creates the user and the credential account (its own password hashing); no mail is sent.
  const jobs = new JobQueue(database, config, pino({ level: 'silent' }));
  const ctx = await createAuth(config, database, jobs).$context;
  const generatedPassword = input.password === undefined ? randomBytes(18).toString('base64url') : undefined;
  const password = input.password ?? (generatedPassword as string);
  const user = await ctx.internalAdapter.createUser(
    {
      email,
      name: input.name?.trim() || email.split('@')[0] || 'Admin',
      emailVerified: true,
      role: 'admin',
    },
    { method: 'admin' },
  );
  await ctx.internalAdapter.linkAccount({
    userId: user.id,
    providerId: 'credential',
    accountId: user.id,
    password: await ctx.password.hash(password),
  });
  return { userId: user.id, email, action: 'created', ...(generatedPassword ? { generatedPassword } : {}) };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { email?: string; password?: string; name?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (values.help || !values.email) {
    process.stderr.write('Usage: npm run admin:create -- --email someone@example.com [--password <10+ chars>] [--name "Full Name"]\n');
    return values.help ? 0 : 2;
  }
  let database: Database | undefined;
  try {
    const config = loadConfig(env);
    database = await openDatabase(config);
    await runMigrations(database);
    await database.enterAppRole();
    const result = await createAdmin(config, database, { email: values.email, password: values.password, name: values.name });
    const lines = {
      created: `Created platform admin ${result.email} (${result.userId}), email verified.`,
      promoted: `Promoted ${result.email} (${result.userId}) to platform admin.`,
      already_admin: `${result.email} (${result.userId}) is already a platform admin.`,
    };
    process.stdout.write(`${lines[result.action]}\n`);
    if (result.generatedPassword) process.stdout.write(`Generated password (shown once): ${result.generatedPassword}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(
      `${err instanceof ConfigError || err instanceof AdminCliError ? err.message : `admin:create failed: ${(err as Error).message}`}\n`,
    );
    return 1;
  } finally {
    await database?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
