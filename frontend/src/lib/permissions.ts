/**
 * What the signed-in user may do in a workspace comes from the API (`GET /api/v1/me`: each membership
 * lists its permissions), so the role → permission table lives only in the backend. Pages use it to show
 * only what the role allows; the API enforces every rule.
 */
import type { Role } from './api/client';

export type Permission =
  | 'tenant:read'
  | 'tenant:update'
  | 'tenant:delete'
  | 'tenant:export'
  | 'member:read'
  | 'member:invite'
  | 'member:manage'
  | 'admin:manage'
  | 'audit:read'
  | 'apikey:manage'
  | 'webhook:manage'
  | 'billing:manage'
  | 'project:read'
  | 'project:write'
  | 'task:read:own'
  | 'task:read:all'
  | 'task:write:own'
  | 'task:write:all'
  | 'task:create'
  | 'comment:write'
  | 'ai:use';

export const ROLES: Role[] = ['owner', 'admin', 'editor', 'member', 'viewer', 'guest'];
export const ROLE_RANK: Record<Role, number> = { guest: 1, viewer: 2, member: 3, editor: 4, admin: 5, owner: 6 };

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including deleting the workspace',
  admin: 'Manage members, invitations, settings and the audit log',
  editor: 'Change every task and project',
  member: 'Create tasks and change their own',
  viewer: 'Read everything, change nothing',
  guest: 'Only the tasks assigned to them',
};

/** A permission check over the list the API gave for this membership. */
export type Can = (permission: Permission) => boolean;

export function permissionCheck(permissions: readonly string[]): Can {
  const set = new Set(permissions);
  return (permission) => set.has(permission);
}

/** May `actor` give someone `target` (or change/remove someone who holds it)? */
export function canAssignRole(actor: { role: Role; can: Can }, target: Role): boolean {
  if (ROLE_RANK[target] > ROLE_RANK[actor.role]) return false;
  if (target === 'admin' || target === 'owner') return actor.can('admin:manage');
  return actor.can('member:manage');
}

/** Own = created by or assigned to the user. */
export function canWriteTask(can: Can, userId: string | undefined, task: { createdBy: string | null; assigneeId: string | null }) {
  if (can('task:write:all')) return true;
  return can('task:write:own') && !!userId && (task.createdBy === userId || task.assigneeId === userId);
}
