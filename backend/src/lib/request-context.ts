/**
 * Per-request context carried through async calls (AsyncLocalStorage), for the few cross-cutting
 * things that must reach the database layer without threading a parameter through every service:
 * today, the hooks that run at the start of the request's first transaction (idempotency claims).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tx } from '../db/client.ts';
import type { JobQueue } from '../jobs/queue.ts';

export interface RequestContext {
  requestId: string;
  /** Run once, inside the first transaction the request opens. */
  onFirstTransaction: ((tx: Tx) => Promise<void>)[];
  firstTransactionSeen: boolean;
  /** The job queue of the runtime serving this request or job (for jobs enqueued by shared services). */
  jobs?: JobQueue;
  /** Set once known (tenant routes), for log lines written below the HTTP layer (slow queries). */
  tenantId?: string;
  userId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
