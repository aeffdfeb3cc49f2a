import type { AppConfig } from '../../config.ts';
import type { AppDb } from '../../db/client.ts';
import { withScope } from '../../db/tenant.ts';
import { unauthorized } from '../../lib/errors.ts';
import { resolvePlatformRole } from '../../plugins/platform-admin.ts';
import { ROLE_PERMISSIONS } from '../tenants/permissions.ts';
import { findMembershipsOfUser, findUser } from '../tenants/tenants.repository.ts';

export async function getMe(db: AppDb, config: AppConfig, principal: { userId: string; impersonatedBy?: string | null }) {
  const { userId } = principal;
  const me = await withScope(db, { userId }, async (tx) => {
    const user = await findUser(tx, userId);
    // A valid token for a user that no longer exists (deleted account).
    if (!user) throw unauthorized('This account no longer exists');
    const memberships = await findMembershipsOfUser(tx, userId);
    const admin = principal.impersonatedBy ? await findUser(tx, principal.impersonatedBy) : undefined;
    return { user, memberships, admin };
  });
  // Outside the transaction: a bootstrap promotion (PLATFORM_ADMIN_EMAILS) writes in its own.
  const role = await resolvePlatformRole(db, config, me.user);
  const { user, memberships, admin } = me;
  return {
    user: { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified, role, platformAdmin: role === 'admin' },
    impersonatedBy: principal.impersonatedBy ? { userId: principal.impersonatedBy, email: admin?.email ?? '' } : null,
    memberships: memberships.map((m) => ({
      tenantId: m.tenant.id,
      slug: m.tenant.slug,
      name: m.tenant.name,
      role: m.role,
      permissions: [...ROLE_PERMISSIONS[m.role]],
    })),
  };
}
