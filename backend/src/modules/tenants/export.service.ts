/**
 * Workspace export for its owners (GDPR portability for the customer): the workspace, its members
 * (name, email, role), projects, tasks, comments, invitations (without their secret ids), audit log,
 * subscription (without payment-provider ids) and AI usage, as JSON. Recorded as `tenant.exported`.
 */
import type { AppDb } from '../../db/client.ts';
import { withTenant } from '../../db/tenant.ts';
import { notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { readTenantData } from './export.repository.ts';
import type { TenantContext } from './tenants.service.ts';

export const EXPORT_FORMAT_VERSION = 1;
const REDACTED = '[redacted]';

export async function exportTenant(db: AppDb, ctx: TenantContext) {
  return withTenant(db, ctx, async (tx) => {
    const data = await readTenantData(tx, ctx.tenantId);
    if (!data.tenant) throw notFound('Tenant');
    await recordAudit(tx, ctx.tenantId, ctx.actor, { action: 'tenant.exported', targetType: 'tenant', targetId: ctx.tenantId });
    const subscription = data.subscription
      ? (({ providerCustomerId: _c, providerSubscriptionId: _s, ...rest }) => rest)(data.subscription)
      : null;
    // Invitation ids accept invitations: the audit rows that name one say which, without the id.
    const auditLogs = data.auditLogs.map((row) => ({
      ...row,
      targetId: row.targetType === 'invitation' ? REDACTED : row.targetId,
      metadata: 'invitationId' in row.metadata ? { ...row.metadata, invitationId: REDACTED } : row.metadata,
    }));
    return {
      format: 'atrium.tenant-export',
      version: EXPORT_FORMAT_VERSION,
      exportedAt: new Date().toISOString(),
      ...data,
      auditLogs,
      subscription,
    };
  });
}
