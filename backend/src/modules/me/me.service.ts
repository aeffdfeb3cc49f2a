import type { AppDb } from '../../db/client.ts';
import { withScope } from '../../db/tenant.ts';
import { unauthorized } from '../../lib/errors.ts';
import { findMembershipsOfUser, findUser } from '../tenants/tenants.repository.ts';

export async function getMe(db: AppDb, userId: string) {
  return withScope(db, { userId }, async (tx) => {
    const user = await findUser(tx, userId);
    // A valid token for a user that no longer exists (deleted account).
    if (!user) throw unauthorized('This account no longer exists');
    const memberships = await findMembershipsOfUser(tx, userId);
    return {
      user: { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified },
      memberships: memberships.map((m) => ({ tenantId: m.tenant.id, slug: m.tenant.slug, name: m.tenant.name, role: m.role })),
    };
  });
}
