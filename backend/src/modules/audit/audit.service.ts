/**
 * The audit log: every change is recorded in the same transaction as the change itself, with who
 * did it (user or API key), from where (ip, user agent) and under which request id.
 */
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { findAuditLogs, insertAuditLog } from './audit.repository.ts';

export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface AuditEvent {
  action: string;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
}

export async function recordAudit(tx: Tx, tenantId: string, actor: Actor, event: AuditEvent) {
  await insertAuditLog(tx, {
    tenantId,
    actorType: actor.type,
    actorId: actor.id,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent?.slice(0, 512) ?? null,
    requestId: actor.requestId ?? null,
    metadata: event.metadata ?? {},
  });
}

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** The cursor keeps created_at to the microsecond: rows sharing the last row's millisecond are not skipped. */
export function encodeCursor(row: { cursorAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.cursorAt, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof at !== 'string' || typeof id !== 'string' || !CURSOR_AT.test(at) || id.includes('\u0000')) throw new Error('bad cursor');
    // A real instant (no 30 February), or PostgreSQL would fail on it.
    if (new Date(`${at.slice(0, 19)}Z`).toISOString().slice(0, 19) !== at.slice(0, 19)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new AppError('validation_error', 'Invalid cursor', [{ location: 'querystring', path: 'cursor', message: 'Invalid cursor' }]);
  }
}

export async function listAuditLogs(
  tx: Tx,
  tenantId: string,
  q: { action?: string; actorId?: string; targetId?: string; from?: Date; to?: Date; limit: number; cursor?: string },
) {
  const rows = await findAuditLogs(tx, { ...q, tenantId, cursor: q.cursor ? decodeCursor(q.cursor) : undefined });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}
