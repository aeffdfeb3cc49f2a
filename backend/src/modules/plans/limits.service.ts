/**
 * Plan limits, all answered from `getEntitlements`:
 *   - consumeLimit: takes one unit of a counted resource (projects, tasks) atomically, or 402;
 *   - assertWithinLimit: after a downgrade, data over the limit is read-only (updates 402, deletes ok);
 *   - assertMemberCapacity: one more member fits (invitations and accepting them);
 *   - assertFeature: a plan feature (api_keys, ai, audit_export, webhooks) is included.
 */
import type { Tx } from '../../db/client.ts';
import { sendWithCommit } from '../../db/tenant.ts';
import { type Entitlements, featureError, getEntitlements, limitOf, overLimitError, planLimitError } from './entitlements.ts';
import type { PlanFeatures } from './plans.config.ts';
import { countMembers, isLimitReached, lockMemberCount, readUsageOf, releaseUsage, takeUsage } from './usage.repository.ts';

/**
 * Takes one unit of a plan-limited resource inside the creating transaction, or throws 402. A caller
 * that already read the entitlements (in an earlier round trip) passes them.
 */
export async function consumeLimit(tx: Tx, tenantId: string, metric: 'projects' | 'tasks', known?: Entitlements): Promise<void> {
  const { limit, failure } = limitToTake(known ?? (await getEntitlements(tx, tenantId)), metric);
  // Sent with the COMMIT: over the limit, the statement fails, the transaction rolls back and the
  // caller gets the 402.
  await sendWithCommit(() =>
    takeUsage(tx, tenantId, metric, limit).catch((err: unknown) => {
      throw failure(err);
    }),
  );
}

/**
 * The plan's limit on `metric` (-1: none) for a statement that takes the unit itself (a task's create,
 * tasks.repository.ts), and what its LIMIT_REACHED failure becomes: the 402.
 */
export function limitToTake(entitlements: Entitlements, metric: 'projects' | 'tasks') {
  const limit = limitOf(entitlements, metric);
  return { limit, failure: (err: unknown) => (isLimitReached(err) ? planLimitError(metric, limit, entitlements.planId) : err) };
}

export async function releaseLimit(tx: Tx, tenantId: string, metric: 'projects' | 'tasks', amount = 1): Promise<void> {
  await releaseUsage(tx, tenantId, metric, amount);
}

/** Throws 402 while the tenant holds more of `metric` than its plan allows (changing is refused; deleting is not). */
export async function assertWithinLimit(tx: Tx, tenantId: string, metric: 'projects' | 'tasks'): Promise<void> {
  const entitlements = await getEntitlements(tx, tenantId);
  const limit = limitOf(entitlements, metric);
  if (limit < 0) return;
  const used = await readUsageOf(tx, tenantId, metric);
  if (used > limit) throw overLimitError(metric, limit, used, entitlements.planId);
}

/** Throws 402 unless one more member fits in the plan. Holds a per-tenant lock until the transaction ends. */
export async function assertMemberCapacity(tx: Tx, tenantId: string): Promise<void> {
  const entitlements = await getEntitlements(tx, tenantId);
  const limit = limitOf(entitlements, 'members');
  if (limit < 0) return;
  await lockMemberCount(tx, tenantId);
  if ((await countMembers(tx, tenantId)) >= limit) throw planLimitError('members', limit, entitlements.planId);
}

export async function assertFeature(tx: Tx, tenantId: string, feature: keyof PlanFeatures): Promise<Entitlements> {
  const entitlements = await getEntitlements(tx, tenantId);
  if (!entitlements.features[feature]) throw featureError(feature, entitlements.planId);
  return entitlements;
}
