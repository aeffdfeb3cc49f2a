/**
 * withTenant / withScope: the only way tenant data is read or written.
 *
 * Runs `fn` in one transaction whose first statement sets, transaction-locally, the role to the
 * application role and the settings the row-level security policies read (`app.tenant_id`,
 * `app.user_id`, `app.invitation_id`). Because the settings are local (`set_config(…, true)`), they
 * vanish at COMMIT/ROLLBACK and can never leak to the next request that borrows the pooled connection,
 * also behind a transaction-mode pooler. Audit rows and jobs for the change are written through the
 * same `tx`, so they commit or roll back together with it.
 *
 * PGlite note: a PGlite transaction is exclusive; never query the root handle (or call Better Auth)
 * from inside `fn`, or it waits forever.
 */
import { sql } from 'drizzle-orm';
import { requestContext } from '../lib/request-context.ts';
import { newTransactionHooks, type TransactionHooks, transactionHooks } from '../lib/transaction-hooks.ts';
import { APP_ROLE, type AppDb, SCOPE_STATEMENT_PREFIX, type Tx } from './client.ts';

export interface Scope {
  tenantId?: string | null;
  userId?: string | null;
  /** Lets the invitee read one invitation by its id before they belong to the tenant. */
  invitationId?: string | null;
  /** Lets an API request read the one key whose secret it presented (by the secret's hash). */
  apiKeyHash?: string | null;
}

export interface TenantScope extends Scope {
  tenantId: string;
}

export interface ScopeOptions {
  /** Lookups done before the request's real work (e.g. membership): request hooks do not run here. */
  lookup?: boolean;
}

/** A string as an SQL literal (what pg's escapeLiteral does): quotes doubled, backslashes in an E'' string. */
export function sqlLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('A scope value cannot contain NUL');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** The settings a scope sets, in this order: the role first, then what the RLS policies read. */
export const SCOPE_SETTINGS = ['role', 'app.tenant_id', 'app.user_id', 'app.invitation_id', 'app.api_key_hash'] as const;

/**
 * The values of SCOPE_SETTINGS for `role` and `scope` (an unset one is the empty string). NUL is refused:
 * neither a literal nor a text parameter can carry it, and callers pass validated ids.
 */
export function scopeValues(role: string, scope?: Scope): string[] {
  const values = [role, scope?.tenantId, scope?.userId, scope?.invitationId, scope?.apiKeyHash].map((v) => v ?? '');
  if (values.some((v) => v.includes('\u0000'))) throw new Error('A scope value cannot contain NUL');
  return values;
}

/**
 * The statement that opens every scoped transaction, with its values as escaped literals rather than
 * bind parameters: on node-postgres it then travels with BEGIN in one round trip (db/client.ts,
 * batchScopedBegin). The values are ids and hashes the callers validated; escaping makes any string safe.
 */
export function scopeStatement(role: string, scope?: Scope): string {
  const values = scopeValues(role, scope);
  const settings = scope ? SCOPE_SETTINGS : SCOPE_SETTINGS.slice(0, 1);
  const text = `select ${settings.map((name, i) => `set_config('${name}', ${sqlLiteral(values[i] as string)}, true)`).join(', ')}`;
  if (!text.startsWith(SCOPE_STATEMENT_PREFIX)) throw new Error('scope statement out of shape');
  return text;
}

/**
 * Sends a statement right before the current scoped transaction's COMMIT, without waiting for its
 * answer first: on PostgreSQL (pipelined pool) both leave in one write and cost one round trip, and a
 * row the statement locks (a plan counter every create in a workspace updates) is held for the COMMIT
 * alone, not for a round trip to the API and back. A statement that must stop the commit fails: the
 * server aborts the transaction, the COMMIT behind it rolls back, and withScope rejects with the
 * statement's error. `send` must put its statement on the connection before it first awaits (a
 * compiled query does, db/compiled.ts), or the COMMIT would overtake it. Outside a scoped
 * transaction the statement simply runs.
 */
export async function sendWithCommit(send: () => Promise<unknown>): Promise<void> {
  const hooks = transactionHooks.getStore();
  if (hooks) hooks.beforeCommit.push(send);
  else await send();
}

/**
 * Sends `pg_notify(channel, payload)` after the current scoped transaction commits (nothing if it rolls
 * back), from a statement of its own committed without waiting for the disk. Why not NOTIFY inside the
 * transaction: PostgreSQL serializes the commits of all transactions that notified (one lock for the
 * whole cluster, held until the commit record is flushed), so every write that notified waited for the
 * previous one's fsync: a ceiling of a few hundred writes a second for the whole database. A listener
 * that misses a notification (a crash between the commit and the notify) catches up on the next one.
 * Outside a scoped transaction (no store), the notification is sent inside `tx` as before.
 */
export async function notifyAfterCommit(tx: Tx, channel: string, payload: string): Promise<void> {
  const hooks = transactionHooks.getStore();
  if (hooks) hooks.notifications.push([channel, payload]);
  else await tx.execute(sql`select pg_notify(${channel}, ${payload})`);
}

/** Sends `pg_notify(channel, payload)` for a change already committed (by a statement that ran on its own). */
export function notifyCommitted(db: AppDb, channel: string, payload: string): void {
  sendNotifications(db, [[channel, payload]]);
}

/** Notifications waiting to be sent, per database handle, and whether a batch is on its way. */
const outbox = new WeakMap<AppDb, { queued: [string, string][]; sending: boolean }>();

/**
 * Sends notifications of committed changes in batches, one statement (one pool connection, one round
 * trip) per batch and one batch on its way at a time: what commits while a batch travels goes in the
 * next one. Under load that is one statement for many writes instead of one each (a create paid about
 * a fifth of its throughput for its own: docs/performance.md, change 35); a listener is woken at most
 * one round trip later.
 */
function sendNotifications(db: AppDb, notifications: [string, string][]): void {
  let box = outbox.get(db);
  if (!box) {
    box = { queued: [], sending: false };
    outbox.set(db, box);
  }
  box.queued.push(...notifications);
  if (box.sending) return;
  box.sending = true;
  // What else commits in this turn of the event loop joins the first batch.
  setImmediate(() => flushNotifications(db, box));
}

function flushNotifications(db: AppDb, box: { queued: [string, string][]; sending: boolean }): void {
  const batch = box.queued;
  box.queued = [];
  // synchronous_commit is read at COMMIT, after the statement: this tiny transaction does not wait for
  // the WAL flush (losing it in a crash loses a wake-up, not data).
  db.execute(
    sql`select set_config('synchronous_commit', 'off', true), pg_notify(n.channel, n.payload)
      from unnest(${sql.param(batch.map(([channel]) => channel))}::text[], ${sql.param(batch.map(([, payload]) => payload))}::text[]) as n(channel, payload)`,
  )
    .catch(() => {})
    .finally(() => {
      if (box.queued.length > 0) flushNotifications(db, box);
      else box.sending = false;
    });
}

/**
 * Whether the current request still has work for its first scoped transaction (an idempotency record,
 * plugins/idempotency.ts): a statement cannot run on its own then, it must share that transaction.
 */
export function firstTransactionPending(): boolean {
  const ctx = requestContext.getStore();
  return Boolean(ctx && !ctx.firstTransactionSeen && ctx.onFirstTransaction.length > 0);
}

export async function withScope<T>(db: AppDb, scope: Scope, fn: (tx: Tx) => Promise<T>, options: ScopeOptions = {}): Promise<T> {
  const hooks = newTransactionHooks();
  try {
    const result = await transactionHooks.run(hooks, () => scopedTransaction(db, scope, fn, options, hooks));
    if (hooks.notifications.length > 0) sendNotifications(db, hooks.notifications);
    return result;
  } finally {
    // Cache invalidations (lib/cache.ts) run once the transaction is over, committed or rolled back (a
    // value read inside a rolled-back transaction is dropped too).
    for (const after of hooks.afterEnd) await after();
  }
}

async function scopedTransaction<T>(
  db: AppDb,
  scope: Scope,
  fn: (tx: Tx) => Promise<T>,
  options: ScopeOptions,
  hooks: TransactionHooks,
): Promise<T> {
  const sent: Promise<unknown>[] = [];
  const run = db.transaction(async (tx) => {
    await tx.execute(sql.raw(scopeStatement(APP_ROLE, scope)));
    const ctx = requestContext.getStore();
    if (ctx && !options.lookup && !ctx.firstTransactionSeen) {
      ctx.firstTransactionSeen = true;
      for (const hook of ctx.onFirstTransaction) await hook(tx as Tx);
    }
    const value = await fn(tx as Tx);
    // Sent now, answered after the COMMIT that Drizzle sends as soon as this function returns.
    for (const send of hooks.beforeCommit) {
      const answer = send();
      answer.catch(() => {}); // observed below
      sent.push(answer);
    }
    return value;
  });
  // A statement that failed aborted the transaction, so its COMMIT rolled back: that failure is the
  // outcome (PGlite also rejects the COMMIT itself, node-postgres reports it as done).
  const outcome = await run.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  for (const answer of await Promise.allSettled(sent)) if (answer.status === 'rejected') throw answer.reason;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

export function withTenant<T>(db: AppDb, scope: TenantScope, fn: (tx: Tx) => Promise<T>, options: ScopeOptions = {}): Promise<T> {
  return withScope(db, scope, fn, options);
}

/** Moves an open scoped transaction into a tenant (creating a tenant, accepting an invitation). */
export async function enterTenant(tx: Tx, tenantId: string): Promise<void> {
  await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
}

export const MAINTENANCE_ROLE = 'atrium_maintenance';

/**
 * Housekeeping across tenants (pruning expired rows) as `atrium_maintenance`, a role whose policies
 * allow exactly that and nothing more.
 */
export async function withMaintenance<T>(db: AppDb, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withRole(db, MAINTENANCE_ROLE, fn);
}

export const METRICS_ROLE = 'atrium_metrics';

/** Platform-wide, read-only figures (metrics, platform admin) as `atrium_metrics`. */
export async function withMetrics<T>(db: AppDb, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withRole(db, METRICS_ROLE, fn);
}

async function withRole<T>(db: AppDb, role: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(scopeStatement(role)));
    return fn(tx as Tx);
  });
}
