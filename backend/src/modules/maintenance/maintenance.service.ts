import type { AppDb } from '../../db/client.ts';
import { withMaintenance } from '../../db/tenant.ts';
import { pruneExpiredEvents } from '../events/events.repository.ts';
import { deleteExpiredKeys } from '../idempotency/idempotency.repository.ts';

/** Removes live-update history past its replay window and idempotency records past their 24 h. */
export async function pruneExpired(db: AppDb) {
  return withMaintenance(db, async (tx) => ({ events: await pruneExpiredEvents(tx), idempotencyKeys: await deleteExpiredKeys(tx) }));
}
