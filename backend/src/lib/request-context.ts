/**
 * Per-request context carried through async calls (AsyncLocalStorage), for the few cross-cutting
 * things that must reach the database layer without threading a parameter through every service:
 * today, the hooks that run at the start of the request's first transaction (idempotency claims).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tx } from '../db/client.ts';

export interface RequestContext {
  requestId: string;
  /** Run once, inside the first transaction the request opens. */
  onFirstTransaction: ((tx: Tx) => Promise<void>)[];
  firstTransactionSeen: boolean;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
