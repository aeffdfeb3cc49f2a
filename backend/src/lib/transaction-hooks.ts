/**
 * Work tied to the scoped transaction in progress. `withScope` (db/tenant.ts) opens one set per
 * transaction; code that runs inside it registers here without needing the transaction handle:
 *
 * - `beforeCommit`: statements sent right before the COMMIT, answered after it (db/tenant.ts,
 *   sendWithCommit);
 * - `notifications`: `pg_notify` calls sent once the transaction committed, never if it rolled back
 *   (db/tenant.ts, notifyAfterCommit);
 * - `afterEnd`: work run once the transaction is over, committed or rolled back (cache invalidations,
 *   lib/cache.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface TransactionHooks {
  beforeCommit: (() => Promise<unknown>)[];
  notifications: [channel: string, payload: string][];
  afterEnd: (() => Promise<void>)[];
}

export const transactionHooks = new AsyncLocalStorage<TransactionHooks>();

export function newTransactionHooks(): TransactionHooks {
  return { beforeCommit: [], notifications: [], afterEnd: [] };
}
