import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * Append-only record of every change. The application role may INSERT and SELECT, never UPDATE or
 * DELETE (see the RLS migration). Rows are written in the same transaction as the change they record.
 */
export const auditLogs = pgTable(
  'audit_logs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    actorType: text('actor_type').notNull().$type<'user' | 'api_key' | 'system'>(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_logs_tenant_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index('audit_logs_tenant_action_idx').on(t.tenantId, t.action),
  ],
);

/**
 * The platform audit log: what platform administrators did (bans, impersonation), across tenants. Not
 * tenant data (no tenant_id, no RLS); like `audit_logs`, the application role may INSERT and SELECT,
 * never UPDATE or DELETE. Impersonation is also written to each affected workspace's own audit log.
 */
export const platformAuditLogs = pgTable(
  'platform_audit_logs',
  {
    id: text('id').primaryKey(),
    actorId: text('actor_id'),
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('platform_audit_logs_created_idx').on(t.createdAt.desc()), index('platform_audit_logs_target_idx').on(t.targetId)],
);
